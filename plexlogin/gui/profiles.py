"""The window's Plex Home pages: the profile picker and the PIN pad, and their bridge to the
sign-in's thread.

The session asks its :class:`~plexlogin.home.ProfileChooser` from the sign-in's thread;
:class:`ProfileBridge` is that chooser for the window: it signals the UI thread and waits
for the person's answer. Usable with a remote: arrows, Enter and Back (Escape or
Backspace) do everything; number keys type the PIN.

Back on the picker keeps the approving account (the window goes on and stores it): the
person has already approved the sign-in on plex.tv, the signed-in profile is the one
focused, and throwing the approval away on one press of a remote's Back key would send
them through the code again. Closing the window still cancels (exit 3).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from plexlogin.errors import Cancelled
from plexlogin.gui import theme
from plexlogin.gui.language import keep_left_to_right
from plexlogin.gui.tv import TvLayout, scale_picture
from plexlogin.gui.widgets import AvatarView
from plexlogin.i18n import _, format_number, ngettext, pgettext

if TYPE_CHECKING:
    from plexlogin.events import Event, Profile, ProfilesOffered
    from plexlogin.login import LoginSession, LoginSettings

PIN_LENGTH = 4
#: an avatar that takes longer stays initials
THUMB_PATIENCE = 3.0
_BACK_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Back)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select)
#: the PIN pad's keys that are not digits (their text is translated where shown)
_BACK = "back"
_DELETE = "delete"


def _label(
    text: str = "", *, role: str | None = None, scale: float = 1.0, bold: bool = False
) -> QLabel:
    """A label for server text too: plain text always (a title is data, not markup)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    if role is not None:
        label.setProperty("role", role)
    if scale != 1.0 or bold:
        weight = QFont.Weight.DemiBold if bold else QFont.Weight.Normal
        label.setFont(theme.scaled_font(label.font(), scale, weight))
    return label


class PinDots(QWidget):
    """The typed digits as dots, never the digits: drawn, so that what a screen reader
    says is its name ("PIN: 2 of 4 digits typed"), not a row of circles."""

    def __init__(self) -> None:
        super().__init__()
        self.setFont(theme.scaled_font(self.font(), 2.2))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_typed(0)

    def text(self) -> str:
        """What is drawn: ● for a typed digit, ○ for one still to come."""
        return " ".join("●" * self._typed + "○" * (PIN_LENGTH - self._typed))

    def set_typed(self, typed: int) -> None:
        """Show ``typed`` of the PIN's digits as typed."""
        self._typed = typed
        # TRANSLATORS: a screen reader's name for the PIN's dots: {typed} of {count} digits
        name = ngettext(
            "PIN: {typed} of {count} digit typed",
            "PIN: {typed} of {count} digits typed",
            PIN_LENGTH,
        )
        self.setAccessibleName(
            name.format(typed=format_number(typed), count=format_number(PIN_LENGTH))
        )
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # Qt API name
        """Room for the dots in the widget's font."""
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self.text()) + 8, metrics.height() + 8)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """The dots, centred, in the palette's text colour."""
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())


class _Page(QWidget):
    """A page on which Escape means Back, not the window's Cancel shortcut.

    Each page has a ``heading``. In TV mode the window first gives every widget its base
    font; :meth:`use_tv` then makes the heading stand out again, as on the desk.
    """

    heading: QLabel

    def use_tv(self, tv: TvLayout) -> None:
        """TV mode: the page's own sizes over the TV's base font."""
        self.heading.setFont(theme.scaled_font(self.font(), 1.45, QFont.Weight.DemiBold))

    def event(self, event: QEvent) -> bool:  # Qt API name
        """Claim Escape before the window-wide shortcut sees it (it reaches keyPressEvent)."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _BACK_KEYS
        ):
            event.accept()
            return True
        return super().event(event)


# --- the bridge to the sign-in's thread ------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    value: object


class ProfileBridge(QObject):
    """The window's :class:`~plexlogin.home.ProfileChooser` (lives in the UI thread).

    :meth:`choose` and :meth:`pin_for` are called in the sign-in's thread: they signal the
    UI and block until :meth:`answer` (or :meth:`cancel`, which makes them raise Cancelled).
    """

    pickerWanted = Signal(object)  # ProfilesOffered
    pinWanted = Signal(object, bool)  # Profile, whether the last PIN was wrong

    def __init__(self) -> None:
        super().__init__()
        self._answers: queue.SimpleQueue[_Answer | None] = queue.SimpleQueue()

    def choose(self, offer: ProfilesOffered) -> Profile | None:
        """Show the picker; the chosen profile, or None to keep the approving account."""
        from plexlogin.events import Profile  # the sign-in's thread, long after the paint

        self.pickerWanted.emit(offer)
        answer = self._wait()
        return answer if isinstance(answer, Profile) else None

    def pin_for(self, profile: Profile, wrong: bool) -> str | None:
        """Show the PIN pad; the PIN, or None for Back."""
        self.pinWanted.emit(profile, wrong)
        answer = self._wait()
        return answer if isinstance(answer, str) else None

    def answer(self, value: object) -> None:
        """The person's answer (UI thread)."""
        self._answers.put(_Answer(value))

    def cancel(self) -> None:
        """The window closed: a waiting question ends with Cancelled (any thread)."""
        self._answers.put(None)

    def session_factory(
        self, settings: LoginSettings, on_event: Callable[[Event], None]
    ) -> LoginSession:
        """A session whose Home profiles are chosen through this bridge."""
        from plexlogin.login import LoginSession

        return LoginSession(settings, on_event, chooser=self)

    def _wait(self) -> object:
        answer = self._answers.get()
        if answer is None:
            self._answers.put(None)  # every later question is cancelled too
            raise Cancelled()
        return answer.value


# --- the picker ----------------------------------------------------------------------------


class _Thumbs(QObject):
    """Loads avatars off the UI thread; ``loaded`` arrives in the UI thread."""

    loaded = Signal(str, QImage)  # uuid, picture

    def fetch(self, uuid: str, url: str | None) -> None:
        if not url or not url.startswith(("https://", "http://")):
            return

        def load() -> None:
            from plexlogin.gui.worker import _download

            data = _download(url, THUMB_PATIENCE)
            image = QImage.fromData(data) if data else QImage()
            if not image.isNull():
                self.loaded.emit(uuid, image)

        threading.Thread(target=load, name="plexlogin-thumb", daemon=True).start()


class ProfileAvatar(AvatarView):
    """A profile's picture or initials; a lock badge instead of the "done" tick if protected."""

    def __init__(self, protected: bool) -> None:
        super().__init__()
        self.protected = protected

    def _paint_check(self, painter: QPainter) -> None:
        if not self.protected:
            return  # nothing is "done" on a picker: no tick
        painter.setClipping(False)
        side = self.SIDE * 0.34
        badge = QRectF(self.width() - side - 1, self.height() - side - 1, side, side)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Window), 3))
        painter.setBrush(QColor("#3A3A3A"))
        painter.drawEllipse(badge)
        # a padlock: a shackle (arc) over a body (rounded rectangle), white on dark
        white = QColor("#FFFFFF")
        left, top = badge.left(), badge.top()
        body = QRectF(left + side * 0.3, top + side * 0.47, side * 0.4, side * 0.3)
        shackle = QRectF(left + side * 0.36, top + side * 0.24, side * 0.28, side * 0.4)
        painter.setPen(QPen(white, max(1.5, side * 0.08)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(shackle, 0, 180 * 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(white)
        painter.drawRoundedRect(body, 2, 2)


class ProfileTile(QPushButton):
    """One profile: avatar (initials until the picture loads), title, lock and admin badges."""

    #: the desk size; TV mode scales it (:meth:`fit`)
    SIZE = QSize(140, 160)
    _MARGINS = (8, 12, 8, 10)

    def __init__(self, profile: Profile, *, signed_in: bool) -> None:
        super().__init__()
        self.profile = profile
        self.setObjectName("profileTile")
        self.setCheckable(False)
        # a button's size hint ignores a layout inside it (and style sheets give buttons a
        # minimum height of their own): the tile says its own size, and keeps it
        self._size = QSize(self.SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(self._size)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(*self._MARGINS)
        layout.setSpacing(6)
        self.avatar = ProfileAvatar(profile.protected)
        self.avatar.set_name(profile.title)
        layout.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title = _label(profile.title, scale=1.1, bold=True)
        layout.addWidget(self.title)
        badges = [
            text
            for text, on in (
                # TRANSLATORS: a badge under a profile's name: it is protected by a PIN
                (pgettext("profile badge", "PIN"), profile.protected),
                # TRANSLATORS: a badge under a profile's name: the Home's administrator
                (pgettext("profile badge", "admin"), profile.admin),
            )
            if on
        ]
        self.badges = _label("  ·  ".join(badges), role="muted")
        self._desk_fonts = (self.title.font(), self.badges.font())
        layout.addWidget(self.badges)
        layout.addStretch(1)
        described = [*badges, pgettext("profile badge", "signed in")] if signed_in else badges
        # a button's accessible name is its text; this one has its text in child labels
        self.setAccessibleName(profile.title)
        self.setAccessibleDescription(", ".join(described))

    def fit(self, scale: float) -> None:
        """The tile, its picture and its text at ``scale`` times their desk size."""
        self._size = QSize(round(self.SIZE.width() * scale), round(self.SIZE.height() * scale))
        self.setFixedSize(self._size)
        self.updateGeometry()
        self._layout.setContentsMargins(*(round(margin * scale) for margin in self._MARGINS))
        self._layout.setSpacing(round(6 * scale))
        title, badges = self._desk_fonts
        self.title.setFont(theme.scaled_font(title, scale))
        self.badges.setFont(theme.scaled_font(badges, scale))
        scale_picture(self.avatar, scale)

    def event(self, event: QEvent) -> bool:  # Qt API name
        """Keep the tile's size when a style sheet gives buttons a minimum height."""
        handled = super().event(event)
        if event.type() == QEvent.Type.Polish:
            self.setFixedSize(self._size)
        return handled

    def sizeHint(self) -> QSize:  # Qt API name
        """The tile's own size (see :meth:`fit`)."""
        return QSize(self._size)

    def minimumSizeHint(self) -> QSize:  # Qt API name
        """Never smaller than its own size."""
        return QSize(self._size)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Enter (or a remote's OK) chooses, like Space."""
        if event.key() in _ENTER_KEYS:
            self.click()
            return
        super().keyPressEvent(event)


_ARROWS = (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_Up)
#: TV mode: tiles in a row at most; with more, two rows fill this share of the screen
TV_ROW = 5
TV_TWO_ROWS = 0.6


class ProfilePicker(_Page):
    """The page "Who is watching?": tiles, the signed-in profile first and focused.

    A Plex Home has up to 15 profiles: the tiles fill rows as wide as the page, and the
    rows scroll when there are more than fit (the focused tile is always scrolled to).
    """

    chosen = Signal(object)  # Profile, or None for Back (keep the approving account)
    _GAP = 14  # between the hint and the tiles

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("profilePicker")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        self.heading = _label(_("Who is using this device?"), scale=1.45, bold=True)
        layout.addWidget(self.heading)
        self.hint = _label("", role="muted")
        layout.addWidget(self.hint)
        layout.addSpacing(self._GAP)
        self._area = QScrollArea()
        self._area.setFrameShape(QFrame.Shape.NoFrame)
        self._area.setWidgetResizable(True)
        self._area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the tiles take the focus
        tiles = QWidget()
        tiles.setObjectName("profileTiles")
        self._area.setWidget(tiles)
        self._area.viewport().setAutoFillBackground(False)
        tiles.setAutoFillBackground(False)
        self._grid = QGridLayout(tiles)
        self._grid.setSpacing(12)
        # room for the focus ring, which is drawn inside the tile but must not be clipped
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._area)
        layout.addStretch(1)
        self._columns = 0
        self.tiles: list[ProfileTile] = []
        self._tv: TvLayout | None = None
        self._style(ring=3)
        self._thumbs = _Thumbs()
        self._thumbs.loaded.connect(self._show_thumb)

    def show_offer(self, offer: ProfilesOffered) -> None:
        """Show ``offer``'s profiles (the signed-in one first) and focus the first."""
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles = []
        for profile in offer.profiles:
            tile = ProfileTile(profile, signed_in=profile.uuid == offer.current)
            tile.clicked.connect(lambda _=False, p=profile: self.chosen.emit(p))
            tile.installEventFilter(self)  # the arrows are the picker's (see eventFilter)
            self.tiles.append(tile)
            self._thumbs.fetch(profile.uuid, profile.thumb)
        if offer.profiles:
            # TRANSLATORS: {name} is the signed-in profile's name; Back is the remote's key
            hint = _("Arrows and Enter choose · Back: stay signed in as {name}").format(
                name=offer.profiles[0].title
            )
        else:
            hint = _("Arrows and Enter choose · Back: stay signed in as this account")
        self.hint.setText(hint)
        self._columns = 0
        self._fit_tiles()  # after the hint: the rows get the height it leaves
        if self.tiles:
            self.tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def use_tv(self, tv: TvLayout) -> None:
        """TV mode: tiles at the TV's scale, or as large as a row of them fits."""
        super().use_tv(tv)
        self._tv = tv
        self._style(ring=tv.ring)
        self._fit_tiles()

    def _style(self, ring: int) -> None:
        # a remote has no pointer: where the focus is must be seen from the sofa
        accent = theme.css(theme.ACCENT)
        self.setStyleSheet(
            "QPushButton#profileTile { border: 1px solid palette(mid); border-radius: 10px;"
            " background: palette(base); }"
            f" QPushButton#profileTile:focus {{ border: {ring}px solid {accent}; }}"
        )

    def _fit_tiles(self) -> None:
        """TV mode's tile size: the TV's scale, or as large as a row of them fits (and,
        with more than a row, as large as two rows fit)."""
        if self._tv is not None and self.tiles:
            desk, spacing = ProfileTile.SIZE, self._grid.spacing()
            in_row = min(len(self.tiles), TV_ROW)
            room = self._row_room(self._tv.width - 2 * self._tv.margins[0])
            fits = (room - spacing * (in_row - 1)) / (in_row * desk.width())
            if len(self.tiles) > TV_ROW:
                fits = min(fits, (self._tv.height * TV_TWO_ROWS - spacing) / (2 * desk.height()))
            scale = max(1.0, min(self._tv.scale, fits))
            for tile in self.tiles:
                tile.fit(scale)
            self._columns = 0  # larger tiles: fewer in a row
        self._arrange()

    def _arrange(self) -> None:
        """Put the tiles in as many columns as the page's width holds."""
        if not self.tiles:
            return
        spacing = self._grid.spacing()
        columns = (self._row_room(self.width()) + spacing) // (self.tiles[0].width() + spacing)
        columns = max(1, min(len(self.tiles), columns))
        if columns != self._columns:
            self._columns = columns
            for index, tile in enumerate(self.tiles):
                self._grid.addWidget(tile, index // columns, index % columns)
        # as tall as the rows, or as the page leaves room for (then the rows scroll): the
        # stretches above and below would otherwise leave the scroll area its minimum
        rows = -(-len(self.tiles) // columns)
        margins = self._grid.contentsMargins()
        needed = rows * self.tiles[0].height() + (rows - 1) * spacing
        needed += margins.top() + margins.bottom()
        width = self.width()
        room = self.height() - self._GAP
        room -= self.heading.heightForWidth(width) + self.hint.heightForWidth(width)
        self._area.setFixedHeight(max(self.tiles[0].height() // 2, min(needed, room)))

    def _row_room(self, width: int) -> int:
        """The width a row of tiles has on a page ``width`` wide."""
        margins = self._grid.contentsMargins()
        scroll_bar = self._area.verticalScrollBar().sizeHint().width()
        return width - scroll_bar - margins.left() - margins.right()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt API name
        """More or fewer tiles in a row when the page's width changes."""
        super().resizeEvent(event)
        self._arrange()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API name
        """A tile's arrow keys move between the tiles, by the picker's rows.

        Caught before the tile sees them: a button would move the focus to whichever
        button is nearest that way, and the scroll area around the tiles would scroll.
        """
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ARROWS
        ):
            self._arrow(event.key())
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Arrows move between tiles; Back keeps the approving account."""
        key = event.key()
        if key in (*_BACK_KEYS, Qt.Key.Key_Backspace):
            self.chosen.emit(None)
        elif key in _ARROWS:
            self._arrow(key)
        else:
            super().keyPressEvent(event)

    def _arrow(self, key: int) -> None:
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left):
            self._move(1 if key == Qt.Key.Key_Right else -1)
        else:
            row = max(1, self._columns) if len(self.tiles) > self._columns else 1
            self._move(row if key == Qt.Key.Key_Down else -row)

    def _move(self, step: int) -> None:
        """Left and right go round the tiles; up and down go a row (``step`` ±columns)."""
        focused = [tile for tile in self.tiles if tile.hasFocus()]
        index = self.tiles.index(focused[0]) if focused else 0
        if abs(step) == 1:
            index = (index + step) % len(self.tiles)
        elif 0 <= index + step < len(self.tiles):
            index += step
        tile = self.tiles[index]
        tile.setFocus(Qt.FocusReason.TabFocusReason)
        self._area.ensureWidgetVisible(tile)

    @Slot(str, QImage)
    def _show_thumb(self, uuid: str, image: QImage) -> None:
        for tile in self.tiles:
            if tile.profile.uuid == uuid:
                tile.avatar.set_image(image)


# --- the PIN pad ---------------------------------------------------------------------------


class PinPad(_Page):
    """Four masked digits, from number keys or the on-screen pad; submitted at the fourth."""

    entered = Signal(str)
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("pinPad")
        self._digits: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)
        self.heading = _label("", scale=1.45, bold=True)
        layout.addWidget(self.heading)
        self.dots = PinDots()
        layout.addWidget(self.dots)
        self.message = _label("", role="error")
        layout.addWidget(self.message)
        layout.addSpacing(8)
        keys = QWidget()
        keys.setLayout(self._build_keys())
        # a PIN pad is laid out like a phone's in any language: 1 2 3 from the left, also
        # in a mirrored (Arabic) window; each key inherits it
        keep_left_to_right(keys)
        layout.addWidget(keys)
        layout.addStretch(1)
        self._show_dots()

    def use_tv(self, tv: TvLayout) -> None:
        """TV mode: the heading and the dots stand out over the TV's base font."""
        super().use_tv(tv)
        self.dots.setFont(theme.scaled_font(self.font(), 2.2))

    def _build_keys(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.keys: dict[str, QPushButton] = {}
        # TRANSLATORS: the PIN pad's key that goes back to the profiles (a short word)
        texts = {_BACK: pgettext("PIN pad", "Back"), _DELETE: "⌫"}
        for index, name in enumerate([*"123456789", _BACK, "0", _DELETE]):
            key = QPushButton(texts.get(name, name))
            key.setObjectName("pinKey")
            # the desk's size at least; larger when the text needs it (a TV's type, a
            # translation of "Back" longer than the key), and as wide as its column's
            # widest key, so that the pad's edges are straight
            key.setMinimumSize(96, 44)
            key.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            grid.addWidget(key, index // 3, index % 3)
            self.keys[name] = key
            key.clicked.connect(lambda _checked=False, k=name: self._pressed(k))
            # the test suite wants every button named and described, as screen readers do
            key.setAccessibleName(key.text())
            key.setAccessibleDescription(_("Types this digit of the PIN (it is not spoken)"))
        self.keys[_DELETE].setAccessibleName(_("Delete one digit"))
        self.keys[_DELETE].setAccessibleDescription(_("Deletes the last digit typed (Backspace)"))
        self.keys[_BACK].setAccessibleDescription(_("Back to the profiles (Escape)"))
        return grid

    def ask(self, profile: Profile, wrong: bool) -> None:
        """Ask for ``profile``'s PIN (saying so when the last one was wrong)."""
        # TRANSLATORS: {name} is the profile's name
        self.heading.setText(_("Enter the PIN of {name}").format(name=profile.title))
        self.message.setText(_("The PIN was wrong. Try again.") if wrong else "")
        self.clear()
        self.setEnabled(True)
        self.keys["1"].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        """Forget the digits typed so far."""
        self._digits.clear()
        self._show_dots()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """Number keys type; Backspace deletes one (none left: Back); Escape is Back."""
        text = event.text()
        if len(text) == 1 and text.isascii() and text.isdigit():
            self._pressed(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._pressed(_DELETE)
        elif event.key() in _BACK_KEYS:
            self._pressed(_BACK)
        else:
            super().keyPressEvent(event)

    def _pressed(self, key: str) -> None:
        if key == _BACK or (key == _DELETE and not self._digits):
            self.clear()
            self.back.emit()
        elif key == _DELETE:
            self._digits.pop()
        elif len(self._digits) < PIN_LENGTH:
            self._digits.append(key)
        self._show_dots()
        if len(self._digits) == PIN_LENGTH:
            pin = "".join(self._digits)
            self.clear()  # the digits live no longer than the submission
            self.setEnabled(False)  # until plex.tv answers
            self.message.setText(_("Checking…"))
            self.entered.emit(pin)

    def _show_dots(self) -> None:
        self.dots.set_typed(len(self._digits))


# --- the pages in the window ---------------------------------------------------------------


class ProfilePages(QObject):
    """Puts the picker and the PIN pad in the window's page stack and answers the bridge.

    Each page is made the first time it is needed: most sign-ins are not in a Plex Home,
    and the window's first paint should not wait for pages it may never show.
    """

    #: a page was made and put in the stack (the window gives it its TV sizes)
    pageMade = Signal(QWidget)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = ProfileBridge()
        self._picker: ProfilePicker | None = None
        self._pad: PinPad | None = None
        self._stack: QStackedWidget | None = None
        self._after: QWidget | None = None
        self._offer: ProfilesOffered | None = None
        self.bridge.pickerWanted.connect(self._show_picker)
        self.bridge.pinWanted.connect(self._show_pad)

    @property
    def picker(self) -> ProfilePicker:
        """The profile picker (made on first use)."""
        if self._picker is None:
            self._picker = ProfilePicker()
            self._picker.chosen.connect(self._answer)
            self._made(self._picker)
        return self._picker

    def use_tv(self, tv: TvLayout) -> None:
        """TV mode's sizes for the pages made so far (a page made later is announced with
        :attr:`pageMade`, and the window's TV restyle calls this again)."""
        for page in (self._picker, self._pad):
            if page is not None:
                page.use_tv(tv)

    @property
    def pad(self) -> PinPad:
        """The PIN pad (made on first use)."""
        if self._pad is None:
            self._pad = PinPad()
            self._pad.entered.connect(self.bridge.answer)  # it says "Checking…" meanwhile
            self._pad.back.connect(lambda: self._answer(None))
            self._made(self._pad)
        return self._pad

    def session_factory(
        self, settings: LoginSettings, on_event: Callable[[Event], None]
    ) -> LoginSession:
        """The window's sessions ask the person through these pages."""
        return self.bridge.session_factory(settings, on_event)

    def add_to(self, stack: QStackedWidget, after: QWidget | None) -> None:
        """Put the pages in ``stack`` once made; ``after`` is shown while plex.tv works on
        an answer."""
        self._stack, self._after = stack, after
        for page in (self._picker, self._pad):
            if page is not None:
                self._made(page)

    def _made(self, page: QWidget) -> None:
        if self._stack is not None and self._stack.indexOf(page) < 0:
            self._stack.addWidget(page)
            self.pageMade.emit(page)

    @Slot(object)
    def _show_picker(self, offer: ProfilesOffered) -> None:
        self._offer = offer
        self.picker.show_offer(offer)
        self._show(self.picker)
        if self.picker.tiles:
            self.picker.tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(object, bool)
    def _show_pad(self, profile: Profile, wrong: bool) -> None:
        self._show(self.pad)
        self.pad.ask(profile, wrong)

    def _answer(self, value: object) -> None:
        if self._after is not None:
            self._show(self._after)
        self.bridge.answer(value)

    def _show(self, page: QWidget) -> None:
        if self._stack is not None:
            self._stack.setCurrentWidget(page)
