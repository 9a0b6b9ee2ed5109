"""Encode the sign-in URL as a QR bitmap with ``qrcode`` and Pillow. No Qt here.

This runs in the worker thread (encoding takes tens of milliseconds and imports Pillow).
The result has exactly one byte per module, so the window can scale it by a whole number
of device pixels with no smoothing: every module stays a sharp square at any size or
device pixel ratio, which is what keeps the code scannable from a screen.
"""

from __future__ import annotations

from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.qr import make_qr


def encode_qr(text: str) -> QrBitmap:
    """``text`` as a QR code, with the quiet zone, one byte per module."""
    code = make_qr(text)
    # qrcode's default image factory is Pillow's: a 1-bit image, one pixel per module
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    width, height = image.size
    assert width == height
    return QrBitmap(width, image.tobytes())
