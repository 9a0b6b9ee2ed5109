"""TV mode: the window as a 10-foot layout, read from a sofa and driven by a remote.

Everything is sized from the screen (the full-screen window's size), so 720p, 1080p and
4K look alike: type in proportion to the height, the QR code at 56 % of it (scannable from
across the room), and margins of 6 % on every side, since TVs may crop the outer 5 %
(overscan). The pages are the desk pages restyled with a larger base font
(:meth:`restyle`); a new page gets its TV form the same way, and may read
:attr:`TvLayout.scale` for anything it sizes in pixels.

A remote sends arrow keys, Enter/OK, Back and digits. :func:`remote_key` turns arrows into
focus moves and Enter into a press of the focused button, and calls ``back`` for Back,
Escape and Backspace (not while a text field has focus: there Backspace deletes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QLineEdit, QWidget

from plexlogin.gui import theme
from plexlogin.gui.widgets import AlertBadge, AvatarView

#: the share of each edge a TV may crop (overscan), plus a little air
MARGIN = 0.06
#: the QR tile's share of the height: the symbol inside (quiet zone and whole-pixel
#: modules taken off) stays above 40 % of it
QR_SHARE = 0.56
#: base text: the screen height over this, in points (1080p: 24.5 pt, about 33 px)
TYPE_DIVISOR = 44.0


@dataclass(frozen=True)
class TvLayout:
    """Sizes for one screen size, in logical pixels and points."""

    width: int
    height: int

    @property
    def margins(self) -> tuple[int, int]:
        """Horizontal and vertical margins: outside the area a TV may crop."""
        return math.ceil(self.width * MARGIN), math.ceil(self.height * MARGIN)

    @property
    def point_size(self) -> float:
        """The base font's size."""
        return self.height / TYPE_DIVISOR

    @property
    def scale(self) -> float:
        """How much larger than the desk (a 10 pt base font) things drawn in pixels are."""
        return self.point_size / 10.0

    @property
    def qr_side(self) -> int:
        """The QR code's side."""
        return round(self.height * QR_SHARE)

    @property
    def ring(self) -> int:
        """The focus ring's width: thick, seen from across the room."""
        return max(4, round(3 * self.scale))

    def base_font(self, desk: QFont) -> QFont:
        """``desk`` at the TV's size."""
        font = QFont(desk)
        font.setPointSizeF(self.point_size)
        return font


def layout_for(size: QSize) -> TvLayout:
    """The TV layout for a window of ``size``."""
    return TvLayout(size.width(), size.height())


def style_sheet(palette: QPalette, tv: TvLayout) -> str:
    """Added to the desk style sheet: large buttons, a thick focus ring, full-contrast text."""
    text = theme.css(palette.color(QPalette.ColorRole.WindowText))
    focus = theme.css(palette.color(QPalette.ColorRole.Highlight))
    line = theme.css(theme.hairline(palette))
    pad_v, pad_h = round(10 * tv.scale), round(28 * tv.scale)
    ring = tv.ring
    return f"""
    QLabel[role="muted"] {{ color: {text}; }}
    QPushButton {{
        padding: {pad_v}px {pad_h}px;
        border-width: {ring}px;
        border-style: solid;
        border-color: {line};
        border-radius: {round(10 * tv.scale)}px;
        min-height: {round(24 * tv.scale)}px;
    }}
    QPushButton:focus, QPushButton[primary="true"]:focus {{
        border: {ring}px solid {focus};
        padding: {pad_v}px {pad_h}px;
    }}
    """


def grow_pictures(root: QWidget, tv: TvLayout) -> None:
    """The avatars and the alert badge at the TV's scale."""
    for picture in root.findChildren(AvatarView) + root.findChildren(AlertBadge):
        scale_picture(picture, tv.scale)


def scale_picture(picture: AvatarView | AlertBadge, scale: float) -> None:
    """``picture`` at ``scale`` times its desk size (it draws from ``SIDE``)."""
    desk = type(picture).SIDE
    ring = 6 if isinstance(picture, AvatarView) else 0  # the avatar's badge overhang
    picture.SIDE = round(desk * scale)
    picture.setFixedSize(picture.SIDE + ring, picture.SIDE + ring)
    picture.update()


def _edits_text(widget: QWidget | None) -> bool:
    """Whether Backspace means "delete a character" in ``widget``."""
    return isinstance(widget, QLineEdit | QAbstractSpinBox)


_FORWARD = (Qt.Key.Key_Right, Qt.Key.Key_Down)
_BACKWARD = (Qt.Key.Key_Left, Qt.Key.Key_Up)
_PRESS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select)


def remote_key(window: QWidget, key: int, back: Callable[[], None]) -> bool:
    """Do what a remote's ``key`` means in ``window``; False if it means nothing here.

    The window calls this for keys its widgets left alone, so a page with keys of its
    own (a PIN pad's Backspace, a picker's arrows) keeps them.
    """
    focused = window.focusWidget()
    if key in (Qt.Key.Key_Back, Qt.Key.Key_Escape) or (
        key == Qt.Key.Key_Backspace and not _edits_text(focused)
    ):
        back()
        return True
    if key in _FORWARD or key in _BACKWARD:
        # the focus chain is the screen's reading order: right/down is "next"
        window.focusNextPrevChild(key in _FORWARD)
        return True
    if key in _PRESS and isinstance(focused, QAbstractButton):
        focused.click()
        return True
    return False
