"""The window's pages: waiting for approval, finishing, signed in, and the problem page.

Each page builds its own widgets and sets its own fonts from a base font (:meth:`restyle`),
so another layout (a larger base font for a TV, say) reuses them unchanged. The window
decides which page is shown (:class:`Page`) and what the pages say.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from plexlogin.gui import theme
from plexlogin.gui.language import direction, keep_left_to_right
from plexlogin.gui.widgets import AlertBadge, AvatarView, CodeView, Countdown, QrView
from plexlogin.i18n import _


class Page(enum.Enum):
    """The window's pages, in the order they are stacked."""

    WAITING = enum.auto()
    FINISHING = enum.auto()
    DONE = enum.auto()
    PROBLEM = enum.auto()


def label(text: str = "", *, role: str | None = None, wrap: bool = False) -> QLabel:
    """A plain-text label (server text is data, never rich text), styled by ``role``."""
    widget = QLabel(text)
    if role is not None:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def button(text: str, description: str, *, primary: bool = False) -> QPushButton:
    """A push button whose text is its accessible name and ``description`` says what it does."""
    widget = QPushButton(text)
    widget.setAccessibleDescription(description)
    if primary:
        widget.setProperty("primary", True)
    return widget


def card() -> tuple[QFrame, QVBoxLayout]:
    """The rounded panel a page's content sits on, and its layout."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(26, 22, 26, 22)
    layout.setSpacing(10)
    return frame, layout


def button_row(*buttons: QWidget, spacing: int = 10) -> QHBoxLayout:
    """Buttons at the right, in reading order."""
    row = QHBoxLayout()
    row.setSpacing(spacing)
    row.addStretch(1)
    for widget in buttons:
        row.addWidget(widget)
    return row


def centre(inner: QVBoxLayout, emblem: QWidget, *rows: QWidget | int) -> None:
    """``emblem`` over ``rows`` in the middle of a card (a number is a gap in pixels)."""
    inner.addStretch(1)
    inner.addWidget(emblem, 0, Qt.AlignmentFlag.AlignHCenter)
    for row in rows:
        if isinstance(row, int):
            inner.addSpacing(row)
        else:
            inner.addWidget(row)
    inner.addStretch(1)


def stack(page: QWidget, panel: QFrame, buttons: QLayout, *, spacing: int = 14) -> None:
    """Lay ``page`` out as its card over its row of buttons."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    layout.addWidget(panel, 1)
    layout.addLayout(buttons)


class WaitingPage(QWidget):
    """The code to type at ``link``, the QR for phones, the trouble line and the buttons."""

    def __init__(self, link: str, clock: Callable[[], float]) -> None:
        super().__init__()
        panel, inner = card()
        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addLayout(self._code_column(link, clock), 1)
        self.divider = QFrame()
        self.divider.setFrameShape(QFrame.Shape.VLine)
        self.divider.setObjectName("divider")
        columns.addWidget(self.divider)
        columns.addLayout(self._qr_column())
        inner.addLayout(columns)
        stack(self, panel, self._button_row(), spacing=16)

    def _code_column(self, link: str, clock: Callable[[], float]) -> QVBoxLayout:
        """Left: where to go, the code, copying it, and (under it) its expiry."""
        # TRANSLATORS: over the link (plex.tv/link), which is on a line of its own; then
        # "Then enter this code:" over the code. Each line is a whole instruction
        self.step = label(_("On any device, open this page:"), wrap=True)
        self.link_label = label(link)
        self.link_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        keep_left_to_right(self.link_label)  # a URL reads left to right in any language
        if direction() == Qt.LayoutDirection.RightToLeft:
            # ... but lines up with the sentences around it, at the right
            self.link_label.setAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        self.enter = label(_("Then enter this code:"), wrap=True)
        self.code_view = CodeView()
        self.enter.setBuddy(self.code_view)  # a "labelled by" relation for screen readers
        self.copy_button = button(_("Copy code"), _("Puts the code on the clipboard (Ctrl+C)."))
        self.copy_button.setEnabled(False)
        self.copy_button.setToolTip(_("Copy the code (Ctrl+C)"))
        self.copy_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # TRANSLATORS: a short notice beside "Copy code" after the code was replaced
        self.new_code = label(_("New code"))
        self.new_code.setObjectName("newCode")
        self.new_code.setAccessibleDescription(_("The old code expired and was replaced."))
        self.new_code.hide()
        self.new_code_timer = QTimer(self)
        self.new_code_timer.setSingleShot(True)
        self.new_code_timer.timeout.connect(self.new_code.hide)
        copy_row = QHBoxLayout()
        copy_row.setSpacing(12)
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.new_code)
        copy_row.addStretch(1)
        self.countdown = Countdown(clock)
        column = QVBoxLayout()
        column.setSpacing(12)
        for widget in (self.step, self.link_label, self.enter):
            column.addWidget(widget)
        column.addSpacing(4)
        column.addWidget(self.code_view)
        column.addSpacing(2)
        column.addLayout(copy_row)
        column.addStretch(1)
        column.addWidget(self.countdown)
        self._left = column
        return column

    def _qr_column(self) -> QVBoxLayout:
        """Right: the QR for phones and how to use it."""
        self.qr_view = QrView()
        self.scan_hint = label(_("Or scan with your phone to sign in"), role="muted", wrap=True)
        self.scan_hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(self.qr_view, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.scan_hint)
        column.addStretch(1)
        return column

    def _button_row(self) -> QHBoxLayout:
        """Trouble shares the button row: no layout jump when it comes and goes."""
        self.status = label(role="warning", wrap=True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # created in screen order, left to right: that is the order Tab follows
        self.cancel_button = button(_("Cancel"), _("Stops signing in and closes the window (Esc)."))
        self.browser_button = button(
            _("Sign in with browser"),
            _("Opens the Plex sign-in page in your web browser."),
            primary=True,
        )
        self.browser_button.setEnabled(False)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.status, 1)
        row.addSpacing(12)
        row.addWidget(self.cancel_button)
        row.addWidget(self.browser_button)
        self._row = row
        return row

    def use_tv_form(self) -> None:
        """The 10-foot form: no copying or browser on a TV; trouble and Cancel go under
        the code, where the tall QR leaves room, so the QR can have the page's height."""
        self.copy_button.hide()
        self.browser_button.hide()
        # TRANSLATORS: TV mode's cancel button: the remote's Back key cancels
        self.cancel_button.setText(_("Back: cancel"))
        for widget in (self.status, self.cancel_button):
            self._row.removeWidget(widget)
        self._left.addWidget(self.status)
        self._left.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)

    def restyle(self, base: QFont, palette_hairline: str) -> None:
        """Fonts from ``base``; the divider in the palette's hairline colour."""
        for step in (self.step, self.enter):
            step.setFont(theme.scaled_font(base, 1.1))
        self.link_label.setFont(theme.scaled_font(base, 1.45, QFont.Weight.Bold))
        self.new_code.setFont(theme.scaled_font(base, 0.9, QFont.Weight.DemiBold))
        # room for trouble on two lines, whatever the font size: the longest message wraps
        # beside the buttons with a large desktop font, and must not be cut off
        self.status.setMinimumHeight(2 * QFontMetrics(base).lineSpacing())
        self.divider.setStyleSheet(f"color: {palette_hairline};")


class FinishingPage(QWidget):
    """Approved: the token is being checked and saved."""

    def __init__(self) -> None:
        super().__init__()
        panel, inner = card()
        self.label = label(_("Approved. Finishing sign-in…"), wrap=True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        busy = QProgressBar()
        busy.setRange(0, 0)  # indeterminate
        busy.setTextVisible(False)
        busy.setAccessibleName(_("Finishing sign-in"))
        busy.setFixedWidth(220)
        inner.addStretch(1)
        inner.addWidget(self.label)
        inner.addWidget(busy, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addStretch(1)
        self.cancel_button = button(_("Cancel"), _("Stops signing in and closes the window (Esc)."))
        stack(self, panel, button_row(self.cancel_button))

    def restyle(self, base: QFont) -> None:
        """Fonts from ``base``."""
        self.label.setFont(theme.scaled_font(base, 1.2))


class DonePage(QWidget):
    """Signed in: the account's picture and name, and where the token went."""

    def __init__(self) -> None:
        super().__init__()
        panel, inner = card()
        self.avatar = AvatarView()
        self.title = label(_("Signed in"), wrap=True)
        self.name = label(role="muted")
        self.detail = label(role="muted", wrap=True)
        for text in (self.title, self.name, self.detail):
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        centre(inner, self.avatar, 6, self.title, self.name, 4, self.detail)
        self.close_button = button(
            _("Close"), _("Closes the window; you are signed in."), primary=True
        )
        stack(self, panel, button_row(self.close_button))

    def restyle(self, base: QFont) -> None:
        """Fonts from ``base``."""
        self.title.setFont(theme.scaled_font(base, 1.45, QFont.Weight.DemiBold))
        self.name.setFont(theme.scaled_font(base, 1.05))


class ProblemPage(QWidget):
    """Something went wrong: what, why, what to do; "Try again" when a retry can help."""

    def __init__(self) -> None:
        super().__init__()
        panel, inner = card()
        self.title = label(wrap=True)
        self.detail = label(role="error", wrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = label(role="muted", wrap=True)
        for text in (self.title, self.detail, self.hint):
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.setContentsMargins(40, 22, 40, 22)
        centre(inner, AlertBadge(), 6, self.title, self.detail, 6, self.hint)
        self.close_button = button(_("Close"), _("Closes the window without saving the token."))
        self.retry_button = button(
            _("Try again"),
            _("Tries again to save the token in the system keyring."),
            primary=True,
        )
        stack(self, panel, button_row(self.close_button, self.retry_button))

    def restyle(self, base: QFont) -> None:
        """Fonts from ``base``."""
        self.title.setFont(theme.scaled_font(base, 1.25, QFont.Weight.DemiBold))
