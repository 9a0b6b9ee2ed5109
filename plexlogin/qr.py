"""QR codes encoded locally (nothing is fetched from plex.tv), one setting for every front-end.

The window turns the module matrix into a bitmap with one pixel per module; the terminal
draws the module grid with half-block characters. Both include the quiet zone.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

#: modules of light margin around the code; the QR standard asks for 4
QUIET_ZONE = 4

#: qrcode's styled drawers drawn with Pillow, which its package imports at ``import qrcode``
PIL_DRAWERS = "qrcode.image.styles.moduledrawers.pil"

_import_lock = threading.Lock()


def import_qrcode() -> Any:
    """The ``qrcode`` package (untyped: Any), loaded without Pillow.

    ``import qrcode`` imports its Pillow module drawers (a backwards-compatible re-export
    in ``qrcode.image.styles.moduledrawers``, inside ``try/except ImportError``), and with
    them Pillow: about 4 MB of memory and 15 ms for pictures plexlogin never makes, since
    both front-ends only read the module matrix. Marking that one module missing while
    qrcode loads makes the package skip it; the mark is taken off right after, so code
    that asks for the drawers later still gets them. If a qrcode release ever needs the
    module, the import is made again the ordinary way.
    """
    with _import_lock:
        if "qrcode.main" not in sys.modules and PIL_DRAWERS not in sys.modules:
            sys.modules[PIL_DRAWERS] = None  # type: ignore[assignment]  # "not installed"
            try:
                import qrcode.main
            except ImportError:
                pass  # imported unguarded after all: the ordinary import below
            finally:
                del sys.modules[PIL_DRAWERS]
        import qrcode
        import qrcode.constants

        return qrcode


def make_qr(text: str) -> Any:
    """A ``qrcode.QRCode`` for ``text``: error correction M (survives glare and dust)."""
    qrcode = import_qrcode()  # imported here: the window loads it in its worker thread
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE
    )
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_matrix(text: str) -> list[list[bool]]:
    """Rows of modules (True = dark) for ``text``, quiet zone included."""
    return [list(row) for row in make_qr(text).get_matrix()]
