"""SIGINT and SIGTERM, handled in one place for every front-end.

A setup wizard ends plexlogin with SIGTERM (or a person with Ctrl-C) and expects exit 3
within a second, with the --json line. Python's default for SIGTERM is to die on the spot,
and only the main thread may install handlers; these helpers cover both, for the command
line, the terminal and the window alike.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any

_Handler = Callable[[int, FrameType | None], Any] | int | None

#: the signals that mean "cancel the sign-in"
CANCEL_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def cancel_on_signals(on_signal: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``on_signal`` instead of raising; the old handlers come back.

    ``on_signal`` runs in the main thread between two bytecodes: it should only set a flag
    or post work, never do it. Outside the main thread (a test calling a front-end from
    another thread) nothing is installed.
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal()

    previous = {number: signal.signal(number, handler) for number in CANCEL_SIGNALS}
    try:
        yield
    finally:
        _restore(previous)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Until a front-end takes the signals over, SIGTERM interrupts like Ctrl-C does.

    A wizard may send SIGTERM while plexlogin is still starting up; it must become a
    KeyboardInterrupt (cancel, exit 3), not Python's default of dying with no --json line.
    An embedding program's own SIGTERM handler is left alone.
    """
    if not _in_main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {number: signal.getsignal(number) for number in CANCEL_SIGNALS}
    if previous[signal.SIGTERM] is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        _restore(previous)


def ignore_cancel_signals() -> None:
    """The run has its outcome: a late SIGINT/SIGTERM must not change the exit code now."""
    if _in_main_thread():
        for number in CANCEL_SIGNALS:
            signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def wakeup_socket() -> Iterator[socket.socket]:
    """A socket that becomes readable when a signal arrives, for an event loop in C++.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++ code: a
    handler could wait forever. ``signal.set_wakeup_fd`` makes the C-level handler write
    the signal's number to this socket; watching it wakes the loop, and the Python handler
    (installed with :func:`cancel_on_signals`) then runs. Main thread only.
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        yield reader
    finally:
        signal.set_wakeup_fd(previous_fd)
        reader.close()
        writer.close()


def _restore(previous: Mapping[signal.Signals, _Handler]) -> None:
    for number, handler in previous.items():
        if handler is not None:  # None: set outside Python, cannot be put back
            signal.signal(number, handler)
