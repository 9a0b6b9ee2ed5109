"""Read QR codes back from pixels with zxing-cpp, the decoder phone apps are built on."""

from __future__ import annotations

import zxingcpp
from PIL import Image

#: look for QR codes only: faster, and no false hits in other symbologies
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr_picture(picture: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in ``picture``."""
    return [result.text for result in read_qr(picture)]


def read_qr(picture: Image.Image) -> list[zxingcpp.Result]:
    """Every QR code zxing-cpp finds in ``picture``, with what it learnt (``ec_level``, ...)."""
    return list(zxingcpp.read_barcodes(picture, formats=QR_ONLY))


def matrix_picture(matrix: list[list[bool]], *, scale: int = 4) -> Image.Image:
    """A module grid (True = dark) drawn as pixels, ``scale`` pixels a module, as a screen would."""
    picture = Image.new("L", (len(matrix[0]) * scale, len(matrix) * scale), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                picture.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    return picture
