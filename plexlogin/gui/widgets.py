"""The window's building blocks: the code tiles, the QR view, the countdown, the avatar."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAccessible,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from plexlogin.gui import theme
from plexlogin.gui.accessibility import set_role
from plexlogin.gui.language import keep_left_to_right, left_to_right
from plexlogin.gui.paint_marks import paint_mark
from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.i18n import _, format_number


def initials(name: str) -> str:
    """One or two letters for the avatar placeholder: "Jane Doe" -> "JD", "plexfan" -> "P"."""
    words = [word for word in name.replace("_", " ").replace(".", " ").split() if word]
    letters = [word[0] for word in words if word[0].isalnum()][:2]
    return "".join(letters).upper() or "?"


def spell_out(code: str) -> str:
    """The code as a screen reader should say it: "7RQZ" -> "7 R Q Z"."""
    return " ".join(code)


def minutes_and_seconds(seconds: int) -> str:
    """A time left as ``14:32``, in the language's digits (two for the seconds)."""
    minutes, rest = divmod(seconds, 60)
    tens = format_number(0) if rest < 10 else ""
    return f"{format_number(minutes)}:{tens}{format_number(rest)}"


def code_name(code: str) -> str:
    """The code view's accessible name: the code spelled out, or that it is not there yet."""
    if not code:
        return _("Code: not ready yet")
    # TRANSLATORS: a screen reader's name for the code; {code} is spelled out ("7 R Q Z")
    return _("Code: {code}").format(code=spell_out(code))


class CodeView(QWidget):
    """The short code, one character per tile, large monospace: easy to read across a room.

    Focusable so keyboard and screen-reader users land on it first; its accessible name
    spells the code out ("Code: 7 R Q Z"), because "7RQZ" read as a word is useless.
    """

    TILE = QSize(58, 72)
    GAP = 10
    #: for the start-up marks: the last code painted, and how many codes have been
    _marked_code = ""
    _codes_painted = 0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""
        self._placeholder = _("Getting a code…")
        self._stale = False
        self._keyboard_focus = False
        self._ring = 2  # the focus ring's width
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        keep_left_to_right(self)  # the code reads left to right in any language
        self.setAccessibleName(code_name(""))
        self.setAccessibleDescription(
            # TRANSLATORS: {link} is plex.tv/link, the page where the code is typed
            _("Enter this code at {link}. Press Ctrl+C to copy it.").format(
                link=left_to_right("plex.tv/link")
            )
        )

    @property
    def code(self) -> str:
        """The code shown ("" while waiting for one)."""
        return self._code

    def set_code(self, code: str) -> None:
        """Show ``code`` (fresh, not stale)."""
        self._code = code
        self._stale = False
        self.setAccessibleName(code_name(code))
        self.updateGeometry()
        self.update()

    def set_stale(self, stale: bool) -> None:
        """Grey the code out while a new one is on its way."""
        self._stale = stale
        self.update()

    def set_scale(self, scale: float, *, ring: int = 2) -> None:
        """Tiles ``scale`` times their desk size; a ``ring`` px focus ring, drawn for any
        focus when it is thicker than the desk's (a remote has no "mouse focus" to hide)."""
        self.TILE = QSize(round(58 * scale), round(72 * scale))
        self.GAP = round(10 * scale)
        self._ring = ring
        self._keyboard_focus = self._keyboard_focus or ring > 2
        self.updateGeometry()
        self.update()

    def focusInEvent(self, event: QFocusEvent) -> None:  # Qt API name
        """Show the focus ring only when the keyboard brought focus here, not at start-up."""
        self._keyboard_focus = self._ring > 2 or event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        )
        super().focusInEvent(event)

    def _tile_count(self) -> int:
        return max(4, len(self._code))

    def sizeHint(self) -> QSize:  # Qt API name
        """Room for the tiles plus the focus ring."""
        count = self._tile_count()
        ring = 3 * self._ring
        return QSize(
            count * self.TILE.width() + (count - 1) * self.GAP + ring, self.TILE.height() + ring
        )

    def minimumSizeHint(self) -> QSize:  # Qt API name
        """Never smaller than the tiles."""
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """Tiles with one character each, or the placeholder text."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        tile_fill = palette.color(QPalette.ColorRole.Base)
        border = theme.hairline(palette)
        if self.hasFocus() and self._keyboard_focus:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), self._ring)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            inset = self._ring / 2
            painter.drawRoundedRect(
                QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 12, 12
            )
        count = self._tile_count()
        width = count * self.TILE.width() + (count - 1) * self.GAP
        left = (self.width() - width) / 2
        top = (self.height() - self.TILE.height()) / 2
        font = theme.code_font(self.font())
        painter.setFont(font)
        for index in range(count):
            tile = QRectF(
                left + index * (self.TILE.width() + self.GAP),
                top,
                self.TILE.width(),
                self.TILE.height(),
            )
            painter.setPen(QPen(border, 1))
            painter.setBrush(tile_fill)
            painter.drawRoundedRect(tile.adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
            if self._code:
                color = theme.muted_text(palette) if self._stale else text_color
                painter.setPen(color)
                painter.drawText(tile, Qt.AlignmentFlag.AlignCenter, self._code[index])
        if not self._code:
            painter.setPen(theme.muted_text(palette))
            painter.setFont(theme.scaled_font(self.font(), 1.05))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        painter.end()
        if self._code and self._code != self._marked_code:
            self._mark_new_code()

    def _mark_new_code(self) -> None:
        """Mark when a code is first painted: "codes-shown", then "codes-shown-2", … (the
        benchmark times a renewal's swap with them)."""
        self._marked_code = self._code
        self._codes_painted += 1
        count = self._codes_painted
        paint_mark("codes-shown" if count == 1 else f"codes-shown-{count}")


class QrView(QWidget):
    """The QR code on a white tile, drawn in whole device pixels per module.

    Scanners need sharp square modules and a white quiet zone. So the bitmap (one byte
    per module, quiet zone included) is scaled by the largest whole number of *device*
    pixels that fits, with nearest-neighbour scaling, and placed on a device-pixel
    boundary. On a HiDPI screen that means more device pixels per module, never blurred
    edges. Dark on light regardless of the theme: phone cameras expect that polarity.
    """

    SIDE = 244
    INSET = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bitmap: QrBitmap | None = None
        self._stale = False
        self._cache: tuple[int, float, QImage] | None = None
        self.setFixedSize(self.SIDE + 2 * self.INSET, self.SIDE + 2 * self.INSET)
        set_role(self, QAccessible.Role.Graphic)  # an image, for screen readers
        keep_left_to_right(self)  # a QR code is never mirrored
        self.setAccessibleName(_("QR code for signing in with your phone"))
        self.setAccessibleDescription(
            _(
                "Scan it with your phone's camera to open the Plex sign-in page and approve "
                "this device."
            )
        )

    def set_side(self, side: int) -> None:
        """Room for ``side`` logical pixels of QR (the TV's is a share of the screen)."""
        self.SIDE = side
        self._cache = None
        self.setFixedSize(side + 2 * self.INSET, side + 2 * self.INSET)

    def set_bitmap(self, bitmap: QrBitmap | None) -> None:
        """Show ``bitmap`` (None: the empty tile)."""
        self._bitmap = bitmap
        self._stale = False
        self._cache = None
        self.update()

    def set_stale(self, stale: bool) -> None:
        """Veil an expired code so nobody scans it."""
        self._stale = stale
        self.update()

    def module_pixels(self, device_pixel_ratio: float) -> int:
        """Device pixels per module at ``device_pixel_ratio`` (0 with no bitmap)."""
        if self._bitmap is None:
            return 0
        room = math.floor(self.SIDE * device_pixel_ratio)
        return max(1, room // self._bitmap.side)

    def _scaled(self, dpr: float) -> QImage:
        assert self._bitmap is not None
        scale = self.module_pixels(dpr)
        if self._cache is not None and self._cache[:2] == (scale, dpr):
            return self._cache[2]
        side = self._bitmap.side
        # QImage does not own the bytes it wraps: copy() detaches it from the bytes object
        modules = QImage(
            self._bitmap.pixels, side, side, side, QImage.Format.Format_Grayscale8
        ).copy()
        image = modules.scaled(
            side * scale,
            side * scale,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation,  # nearest neighbour: whole modules
        )
        image.setDevicePixelRatio(dpr)
        self._cache = (scale, dpr, image)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """The white tile, then the QR in device-pixel-exact squares."""
        painter = QPainter(self)
        palette = self.palette()
        tile = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.hairline(palette), 1))
        painter.setBrush(theme.QR_LIGHT)
        painter.drawRoundedRect(tile, 12, 12)
        if self._bitmap is None:
            painter.setPen(QColor("#8A8A8A"))  # on the white tile whatever the theme
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, _("QR code"))
            painter.end()
            return
        # Work in the pixels the QR really lands on: the device transform includes the
        # device pixel ratio (and, when rendered into a DPR-2 pixmap, that pixmap's ratio).
        to_device = painter.deviceTransform()
        dpr = to_device.m11() if to_device.m11() > 0 else self.devicePixelRatioF()
        image = self._scaled(dpr)
        side_device = image.width()
        origin = to_device.map(QPointF(0, 0))
        # whole device pixels for the top-left corner, so no module straddles two pixels
        left_device = round(origin.x() + (self.width() * dpr - side_device) / 2)
        top_device = round(origin.y() + (self.height() * dpr - side_device) / 2)
        left = (left_device - origin.x()) / dpr
        top = (top_device - origin.y()) / dpr
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(QPointF(left, top), image)
        if self._stale:
            veil = QColor(theme.QR_LIGHT)
            veil.setAlphaF(0.93)  # a ghost of the old code, clearly not scannable
            painter.fillRect(QRectF(left, top, side_device / dpr, side_device / dpr), veil)
            font = QFont(self.font())
            font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(QColor("#3A3A3A"))
            painter.drawText(
                QRectF(self.rect()),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                _("Getting a new code…"),
            )
        painter.end()


class Countdown(QWidget):
    """The countdown ("Code expires in 14:32") and a bar, driven by the flow's deadline and clock.

    It repaints only when the shown second changes (at most once a second), timed from
    the deadline so it never drifts. ``clock`` must be the flow's clock; tests pass a fake
    one and call :meth:`tick` themselves.
    """

    expired = Signal()

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._deadline: float | None = None
        self._lifetime = 1.0
        self.label = QLabel(_("Getting a code…"))
        self.label.setProperty("role", "muted")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)
        self.bar.setTextVisible(False)
        self.label.setBuddy(self.bar)  # the bar's accessible name is the label's text
        self.bar.setAccessibleDescription(_("Shrinks as the code gets closer to expiring."))
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(7)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)

    @property
    def timer(self) -> QTimer:
        """The timer that calls :meth:`tick` (exposed for tests)."""
        return self._timer

    def start(self, deadline: float, lifetime: float) -> None:
        """Count down to ``deadline`` (flow clock) from a code that lives ``lifetime`` s."""
        self._deadline = deadline
        self._lifetime = max(lifetime, 1e-3)
        self.tick()

    def stop(self, text: str) -> None:
        """Stop counting and show ``text`` instead (with an empty bar)."""
        self._deadline = None
        self._timer.stop()
        self.label.setText(text)
        self.bar.setValue(0)

    def remaining(self) -> float:
        """Seconds left (0 when expired or stopped)."""
        if self._deadline is None:
            return 0.0
        return max(0.0, self._deadline - self._clock())

    def tick(self) -> None:
        """Show the time left and schedule the next change of the shown second."""
        if self._deadline is None:
            return
        left = self._deadline - self._clock()
        shown = max(0, math.ceil(left))
        self.bar.setValue(round(1000 * min(1.0, max(0.0, left / self._lifetime))))
        if shown <= 0:
            self._timer.stop()  # the flow renews the codes; start() comes with them
            self.label.setText(_("Getting a new code…"))
            self.expired.emit()
            return
        # TRANSLATORS: {time} is the time left, minutes and seconds ("14:32")
        text = _("Code expires in {time}").format(time=minutes_and_seconds(shown))
        self.label.setText(text)
        # the shown value drops when `left` crosses shown - 1; wake just after that
        self._timer.start(max(1, math.ceil((left - (shown - 1)) * 1000) + 5))


class AvatarView(QWidget):
    """The account's picture in a circle, or its initials on amber until one arrives."""

    SIDE = 88

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._initials = "?"
        self._image: QImage | None = None
        self.setFixedSize(self.SIDE + 6, self.SIDE + 6)
        set_role(self, QAccessible.Role.Graphic)
        self.setAccessibleName(_("Account picture"))

    @property
    def has_picture(self) -> bool:
        """Whether a real picture (not initials) is shown."""
        return self._image is not None

    def set_name(self, name: str) -> None:
        """Use ``name``'s initials until a picture comes."""
        self._initials = initials(name)
        self._image = None  # another account's picture must not stay under a new name
        # TRANSLATORS: a screen reader's name for the avatar; {name} is the account's name
        self.setAccessibleName(_("Account picture of {name}").format(name=name))
        self.update()

    def set_image(self, image: QImage) -> None:
        """Show the account's picture."""
        self._image = image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """A circle with the picture clipped into it, or the initials."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        circle = QRectF(1, 1, self.SIDE - 2, self.SIDE - 2)
        if self._image is not None:
            path = QPainterPath()
            path.addEllipse(circle)
            painter.setClipPath(path)
            image = self._image
            # cover the circle: crop the longer side, keep the aspect ratio
            scale = max(circle.width() / image.width(), circle.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            target = QRectF(
                circle.center().x() - width / 2, circle.center().y() - height / 2, width, height
            )
            painter.drawImage(target, image)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.ACCENT)
            painter.drawEllipse(circle)
            font = QFont(self.font())
            font.setPixelSize(round(self.SIDE * 0.36))
            font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(theme.ON_ACCENT)
            metrics = QFontMetricsF(font)
            # optical centring: cap height, not the full ascent, sits in the middle
            baseline = circle.center().y() + metrics.capHeight() / 2
            text_width = metrics.horizontalAdvance(self._initials)
            origin = QPointF(circle.center().x() - text_width / 2, baseline)
            painter.drawText(origin, self._initials)
        self._paint_check(painter)
        painter.end()

    def _paint_check(self, painter: QPainter) -> None:
        """A small green tick at the lower right: "done", readable without colour too."""
        painter.setClipping(False)
        side = self.SIDE * 0.34
        badge = QRectF(self.width() - side - 1, self.height() - side - 1, side, side)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Window), 3))
        painter.setBrush(theme.SUCCESS)
        painter.drawEllipse(badge)
        tick = QPainterPath()
        tick.moveTo(badge.left() + side * 0.28, badge.top() + side * 0.52)
        tick.lineTo(badge.left() + side * 0.44, badge.top() + side * 0.68)
        tick.lineTo(badge.left() + side * 0.73, badge.top() + side * 0.36)
        pen = QPen(QColor("#FFFFFF"), max(2.0, side * 0.11))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(tick)


class AlertBadge(QWidget):
    """A round "!" mark for the problem page (drawn, so no icon theme or font is needed)."""

    SIDE = 56

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(self.SIDE, self.SIDE)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """A tinted disc with an exclamation mark."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = theme.error_text(self.palette())
        fill = QColor(color)
        fill.setAlphaF(0.14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(QRectF(self.rect()))
        pen = QPen(color, self.SIDE * 0.09)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        middle = self.SIDE / 2
        painter.drawLine(QPointF(middle, self.SIDE * 0.27), QPointF(middle, self.SIDE * 0.56))
        painter.drawPoint(QPointF(middle, self.SIDE * 0.73))
        painter.end()
