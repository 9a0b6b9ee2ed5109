"""for_terminal: server text never reaches a terminal with its escapes, in any language."""

from __future__ import annotations

import pytest

from plexlogin.text import for_terminal


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),  # ANSI colour
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # OSC: the window title
        ("\x1b]8;;https://evil\x1b\\plex.tv", "\\x1b]8;;https://evil\\x1b\\plex.tv"),  # link
        ("over\rwrite", "over\\x0dwrite"),
        ("two\nlines", "two\\x0alines"),
        ("c1\x9b31m", "c1\\x9b31m"),  # the one-byte CSI
        ("del\x7f", "del\\x7f"),
        ("txt\u202eexe.txt", "txt\\u202eexe.txt"),  # right-to-left override
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_escapes_and_controls_are_shown_not_obeyed(raw: str, shown: str) -> None:
    assert for_terminal(raw) == shown
    assert for_terminal(raw).isprintable()


@pytest.mark.parametrize(
    "text", ["jane", "居間のテレビ", "Küche", "שלום", "👩\u200d👩\u200d👧 Family", "a\\x1b b"]
)
def test_printable_text_of_any_script_is_left_alone(text: str) -> None:
    assert for_terminal(text) == text
