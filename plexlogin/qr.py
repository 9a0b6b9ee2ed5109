"""QR codes as a grid of modules, encoded locally (nothing is fetched from plex.tv).

The window paints the grid with whole pixels per module; the terminal draws it with
half-block characters. Both need the same grid, including the quiet zone.
"""

from __future__ import annotations

#: modules of light margin around the code; the QR standard asks for 4
QUIET_ZONE = 4


def qr_matrix(text: str, *, border: int = QUIET_ZONE) -> list[list[bool]]:
    """Rows of modules (True = dark) for ``text``, quiet zone included."""
    import qrcode  # imported here: the window loads it in its worker thread
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]
