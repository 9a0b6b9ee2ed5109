"""Start-up timestamps for the benchmarks: when the window first paints, when codes show.

The start-up benchmark (and outside tools) set ``PLEXLOGIN_PAINT_MARK`` to a file and read
``<mark> <monotonic ns>`` lines from it; without the variable nothing is written.
"""

from __future__ import annotations

import os
import time

#: env var naming a file where start-up timestamps go (read by the start-up benchmark)
PAINT_MARK_ENV = "PLEXLOGIN_PAINT_MARK"
_marked: set[str] = set()


def paint_mark(what: str) -> None:
    """Append ``<what> <monotonic ns>`` to $PLEXLOGIN_PAINT_MARK, once per ``what``."""
    path = os.environ.get(PAINT_MARK_ENV)
    if path and what not in _marked:
        _marked.add(what)
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(f"{what} {time.monotonic_ns()}\n")
