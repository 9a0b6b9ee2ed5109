"""QR codes encoded locally (nothing is fetched from plex.tv), one setting for every front-end.

The window turns the code into a Pillow bitmap with one pixel per module; the terminal
draws the module grid with half-block characters. Both include the quiet zone.
"""

from __future__ import annotations

from typing import Any

#: modules of light margin around the code; the QR standard asks for 4
QUIET_ZONE = 4


def make_qr(text: str) -> Any:
    """A ``qrcode.QRCode`` for ``text``: error correction M (survives glare and dust)."""
    import qrcode  # imported here: the window loads it in its worker thread
    import qrcode.constants

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE
    )
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_matrix(text: str) -> list[list[bool]]:
    """Rows of modules (True = dark) for ``text``, quiet zone included."""
    return [list(row) for row in make_qr(text).get_matrix()]
