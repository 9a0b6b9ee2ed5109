"""Text from plex.tv is data: :func:`for_terminal` makes it safe to print.

A username, a title or an error message from the server may hold ANSI/OSC escape
sequences (which recolour, retitle or even rewrite a terminal, or make a link say one thing
and open another), other control characters (a carriage return that hides the start of a
line) or bidirectional overrides (U+202E shows "txt.exe" as "exe.txt"). None of them may
reach a terminal raw; each is shown as a visible escape such as ``\\x1b`` or ``\\u202e``.

The real value stays where it is data (the ``--json`` line, which escapes it anyway, and
the ``username`` a wizard reads). The one other user is the default keyring username, which
tools like ``secret-tool`` and the desktop's Passwords app print as they find it: it is the
made-safe name, and the ``--json`` line reports exactly that name, so a wizard finds it.
"""

from __future__ import annotations

import re
from typing import Final

#: bidirectional embeddings, overrides, isolates and marks: they reorder what follows
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: control characters (C0, DEL, C1), line/paragraph separators and the bidi formatting
_UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI)) + "]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every control and bidi formatting character shown as an escape.

    Printable text of any script, emoji and zero-width joiners are left alone.
    """
    return _UNSAFE.sub(_visible, text)
