"""The sign-in window (the only Qt code in plexlogin).

Importing this package is cheap and does not import PySide6: the command line imports it
to decide between window and terminal, and the Qt modules load only in :func:`run_window`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plexlogin.login import LoginSettings, Outcome

__all__ = ["display_available", "run_window"]


def run_window(settings: LoginSettings) -> Outcome:
    """Open the sign-in window, run it until it closes, and return how the sign-in ended.

    Paints the window first and only then loads ``requests``, ``keyring`` and the flow in
    the worker thread. SIGINT and SIGTERM cancel (exit 3). The caller prints the
    ``--json`` line and exits with ``outcome.exit_code``.
    """
    from plexlogin.gui.app import run_window as run

    return run(settings)


def display_available() -> bool:
    """Whether Qt can open a window here without aborting.

    On Linux and the BSDs, Qt aborts (exit 134, with a misleading message about
    xcb-cursor0) when there is neither an X nor a Wayland display. An explicit
    ``QT_QPA_PLATFORM`` (offscreen, vnc, …) is trusted as is.
    """
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
