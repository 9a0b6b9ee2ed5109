"""The QR proof: what is on screen decodes to the strong PIN's auth URL, crisply."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPalette, QPixmap
from pytestqt.qtbot import QtBot

from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.gui.qrencode import encode_qr
from plexlogin.gui.widgets import QrView
from plexlogin.qr import QUIET_ZONE

from .conftest import decode_qr

pytestmark = pytest.mark.gui

URL = (
    "https://app.plex.tv/auth#?clientID=5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19"
    "&code=3patfx1a78ukcbr7x0n9bl26t&context%5Bdevice%5D%5Bproduct%5D=plexlogin"
)


def render(widget: QrView, dpr: float) -> QImage:
    """The widget's pixels at ``dpr`` device pixels per logical pixel."""
    size = widget.size()
    pixmap = QPixmap(QSize(round(size.width() * dpr), round(size.height() * dpr)))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(QColor("#808080"))
    widget.render(pixmap)
    return pixmap.toImage()


def assert_whole_modules(image: QImage, bitmap: QrBitmap, module: int) -> None:
    """Every device pixel of the code is pure black or white and matches its module."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    # find the top-left finder pattern: the first dark pixel, row by row
    corner = None
    for y in range(gray.height()):
        for x in range(gray.width()):
            if gray.pixelColor(x, y).value() < 128:
                corner = (x, y)
                break
        if corner:
            break
    assert corner is not None
    left, top = corner[0] - QUIET_ZONE * module, corner[1] - QUIET_ZONE * module
    side = bitmap.side
    for row in range(side):
        for col in range(side):
            want = bitmap.pixels[row * side + col]
            for dy in (0, module - 1):  # the module's corners: no blur, no bleed
                for dx in (0, module - 1):
                    got = gray.pixelColor(left + col * module + dx, top + row * module + dy)
                    assert got.value() == want, (row, col, dx, dy)


def test_the_bitmap_is_the_one_pillow_would_draw() -> None:
    """Made from the module matrix (no Pillow image), it must still be qrcode's drawing."""
    from plexlogin.qr import make_qr

    text = "https://app.plex.tv/auth#?clientID=x&code=3patfx1a78ukcbr7x0n9bl26t"
    image = make_qr(text).make_image(fill_color="black", back_color="white").get_image()
    grey = image.convert("L")
    bitmap = encode_qr(text)
    assert (bitmap.side, bitmap.side) == grey.size
    assert bitmap.pixels == grey.tobytes()


def test_the_encoder_keeps_the_quiet_zone() -> None:
    bitmap = encode_qr(URL)
    side = bitmap.side
    assert side >= 21 + 2 * QUIET_ZONE
    for i in range(side):
        for j in range(QUIET_ZONE):
            assert bitmap.pixels[j * side + i] == 255  # top rows
            assert bitmap.pixels[i * side + j] == 255  # left columns
    assert set(bitmap.pixels) == {0, 255}


@pytest.mark.parametrize("dpr", [1.0, 1.5, 2.0, 3.0])
def test_whole_device_pixels_per_module_at_any_ratio(qtbot: QtBot, dpr: float) -> None:
    view = QrView()
    qtbot.addWidget(view)
    bitmap = encode_qr(URL)
    view.set_bitmap(bitmap)

    image = render(view, dpr)

    module = view.module_pixels(dpr)
    assert module == int(QrView.SIDE * dpr) // bitmap.side
    assert module >= 4 * dpr - 1  # big enough for a phone across a desk
    assert decode_qr(image) == [URL]
    assert_whole_modules(image, bitmap, module)


def test_dark_on_light_even_in_a_dark_theme(qtbot: QtBot) -> None:
    import zxingcpp
    from PIL import Image

    view = QrView()
    qtbot.addWidget(view)
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        dark.setColor(role, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    view.setPalette(dark)
    view.set_bitmap(encode_qr(URL))

    image = render(view, 1.0).convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(image.constBits())  # type: ignore[arg-type]
    picture = Image.frombytes(
        "L", (image.width(), image.height()), data, "raw", "L", image.bytesPerLine()
    )
    # no inverted-image rescue: phone cameras expect dark modules on light
    found = zxingcpp.read_barcodes(picture, try_invert=False)
    assert [result.text for result in found] == [URL]


def test_an_expired_code_is_veiled_so_nobody_scans_it(qtbot: QtBot) -> None:
    view = QrView()
    qtbot.addWidget(view)
    view.set_bitmap(encode_qr(URL))
    view.set_stale(True)
    assert decode_qr(render(view, 1.0)) == []
