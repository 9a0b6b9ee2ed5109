"""Encode the sign-in URL as a QR bitmap with ``qrcode``. No Qt here.

This runs in the worker thread. The bitmap is made straight from qrcode's module matrix:
going through a Pillow image cost ~15 ms and several MB just to import Pillow.
The result has exactly one byte per module, so the window can scale it by a whole number
of device pixels with no smoothing: every module stays a sharp square at any size or
device pixel ratio, which is what keeps the code scannable from a screen.
"""

from __future__ import annotations

from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.qr import make_qr


def encode_qr(text: str) -> QrBitmap:
    """``text`` as a QR code, with the quiet zone, one byte per module."""
    matrix = make_qr(text).get_matrix()
    # 0 for a dark module, 255 for a light one: the 8-bit grey rows QImage takes
    return QrBitmap(len(matrix), bytes(0 if dark else 255 for row in matrix for dark in row))
