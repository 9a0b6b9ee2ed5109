"""plexlogin.qr: the QR code every front-end shows, read back by a real decoder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from plexlogin.plex import Identity, PlexClient
from plexlogin.qr import QUIET_ZONE, qr_matrix
from tests.helpers.qr_decode import matrix_picture, read_qr

#: what the QR code carries in a real sign-in: the browser URL of a strong PIN
with PlexClient(Identity("5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19")) as _client:
    AUTH_URL = _client.auth_url("q4p8x2m9z7k3w6t1v5r0y2s8n")


@pytest.mark.parametrize("text", [AUTH_URL, "https://plex.tv/link", "x"])
def test_the_matrix_decodes_to_the_text(text: str) -> None:
    (result,) = read_qr(matrix_picture(qr_matrix(text)))
    assert result.text == text


def test_error_correction_is_m_so_glare_and_dust_do_not_stop_a_scan() -> None:
    (result,) = read_qr(matrix_picture(qr_matrix(AUTH_URL)))
    assert result.ec_level == "M"


def test_the_matrix_is_square_with_a_light_quiet_zone_all_round() -> None:
    matrix = qr_matrix(AUTH_URL)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    margin = [
        matrix[y][x]
        for y in range(size)
        for x in range(size)
        if min(x, y, size - 1 - x, size - 1 - y) < QUIET_ZONE
    ]
    assert QUIET_ZONE == 4  # what the QR standard asks for
    assert not any(margin)
    # the finder pattern starts right inside the margin: the zone is not wider than asked
    assert matrix[QUIET_ZONE][QUIET_ZONE] and matrix[-QUIET_ZONE - 1][QUIET_ZONE]


def test_the_quiet_zone_is_in_the_matrix_so_front_ends_add_none() -> None:
    matrix = qr_matrix("x")
    inner = [row[QUIET_ZONE:-QUIET_ZONE] for row in matrix[QUIET_ZONE:-QUIET_ZONE]]
    # version 1 is 21 modules wide; with the zone on both sides, 29
    assert (len(inner), len(matrix)) == (21, 21 + 2 * QUIET_ZONE)


def test_the_same_text_gives_the_same_code() -> None:
    assert qr_matrix(AUTH_URL) == qr_matrix(AUTH_URL)
    assert qr_matrix(AUTH_URL) != qr_matrix(AUTH_URL + "x")


def test_making_a_code_leaves_pillow_unloaded_and_its_drawers_importable() -> None:
    # a fresh interpreter: this one has Pillow loaded by the decoder above
    probe = (
        "import sys; from plexlogin.qr import PIL_DRAWERS, qr_matrix;"
        "matrix = qr_matrix('https://plex.tv/link');"
        "print(len(matrix), 'PIL' in sys.modules, PIL_DRAWERS in sys.modules);"
        "import qrcode.image.styles.moduledrawers.pil as drawers;"
        "print(drawers.SquareModuleDrawer.__name__, 'PIL' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["33 False False", "SquareModuleDrawer True"]


def test_the_matrix_is_the_one_qrcode_makes_when_imported_the_ordinary_way() -> None:
    import qrcode

    ordinary = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    ordinary.add_data(AUTH_URL)
    ordinary.make(fit=True)
    assert qr_matrix(AUTH_URL) == [list(row) for row in ordinary.get_matrix()]
