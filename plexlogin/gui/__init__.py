"""The sign-in window (the only Qt code in plexlogin).

Importing this package is cheap and does not import PySide6: the command line imports it
to decide between window and terminal, and the Qt modules load only in :func:`run_window`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plexlogin.events import Event
    from plexlogin.login import LoginSettings, Outcome

__all__ = ["run_window"]


def run_window(
    settings: LoginSettings,
    *,
    on_event: Callable[[Event], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Open the sign-in window, run it until it closes, and return how the sign-in ended.

    Paints the window first and only then loads ``requests``, ``keyring`` and the flow in
    the worker thread. SIGINT and SIGTERM cancel (exit 3). The caller prints the
    ``--json`` line and exits with ``outcome.exit_code``. ``on_event`` also hears every
    event, in the sign-in's own thread (never the GUI thread); ``cancel`` is asked a few
    times a second whether to close the window.
    """
    # No cyclic garbage collection while Qt's modules load and the window is built: the
    # automatic passes walk every PySide6 type and enum made so far, again and again
    # (about a tenth of the CPU time to the first paint). The window's own loop then
    # collects on a timer (gui.app.collect_garbage_on_ui_thread) until it closes.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from plexlogin.gui.app import run_window as run

        return run(settings, on_event=on_event, cancel=cancel)
    finally:
        if was_enabled:
            gc.enable()
