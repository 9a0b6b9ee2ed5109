"""plexlogin.terminal's drawing: the QR code in half blocks and the countdown text.

(The view's event handling is tested through ``plexlogin --terminal`` in test_cli.)
"""

from __future__ import annotations

import pytest

from plexlogin.qr import qr_matrix
from plexlogin.terminal import format_remaining, render_qr
from tests.helpers.qr_decode import decode_qr_picture, matrix_picture

#: each half-block character and the (top, bottom) modules it draws dark
HALF_BLOCKS = {" ": (False, False), "\u2580": (True, False), "\u2584": (False, True)}
HALF_BLOCKS["\u2588"] = (True, True)
BLACK_ON_WHITE, RESET = "\x1b[30;47m", "\x1b[0m"


def read_back(text: str) -> list[list[bool]]:
    """The module rows a block drawing shows: two rows per line of text."""
    rows: list[list[bool]] = []
    for line in text.split("\n"):
        pairs = [HALF_BLOCKS[char] for char in line]
        rows.append([top for top, _ in pairs])
        rows.append([bottom for _, bottom in pairs])
    return rows


def strip_colours(text: str) -> str:
    """The drawing without its colour codes; fails unless each line is wrapped in them."""
    lines = text.split("\n")
    assert all(line.startswith(BLACK_ON_WHITE) and line.endswith(RESET) for line in lines)
    return "\n".join(line[len(BLACK_ON_WHITE) : -len(RESET)] for line in lines)


def test_the_blocks_show_exactly_the_matrix() -> None:
    matrix = [
        [True, False, True],
        [True, True, False],
        [False, True, False],
        [False, False, False],
    ]
    text = render_qr(matrix, ansi=False)
    assert text == "\u2588\u2584\u2580\n \u2580 "
    assert read_back(text) == matrix


def test_an_odd_last_row_is_drawn_over_a_light_one() -> None:
    matrix = [[True, False], [False, True], [True, True]]
    text = render_qr(matrix, ansi=False)
    assert text.count("\n") == 1
    assert read_back(text) == [*matrix, [False, False]]


@pytest.mark.parametrize("ansi", [False, True])
def test_a_real_code_drawn_in_blocks_still_scans(ansi: bool) -> None:
    url = "https://app.plex.tv/auth#?clientID=5b0c1f3e&code=q4p8x2m9z7k3&context%5Bdevice%5D"
    matrix = qr_matrix(url)
    text = render_qr(matrix, ansi=ansi)
    blocks = strip_colours(text) if ansi else text
    shown = read_back(blocks)[: len(matrix)]
    assert shown == matrix
    assert decode_qr_picture(matrix_picture(shown)) == [url]


def test_ansi_paints_black_on_white_whatever_the_terminal_colours() -> None:
    """Phones need dark modules on light: a dark terminal would otherwise invert the code."""
    text = render_qr([[True, False], [False, True]], ansi=True)
    assert strip_colours(text) == "\u2580\u2584"
    assert render_qr([[True, False], [False, True]], ansi=False) == "\u2580\u2584"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (872, "14:32"),
        (900, "15:00"),
        (60, "1:00"),
        (59.5, "1:00"),  # rounds up: a countdown never shows less than is left
        (59, "0:59"),
        (0.2, "0:01"),  # still time left: not 0:00 yet
        (0, "0:00"),
        (-3, "0:00"),  # never negative
        (3600, "60:00"),
    ],
)
def test_format_remaining(seconds: float, shown: str) -> None:
    assert format_remaining(seconds) == shown
