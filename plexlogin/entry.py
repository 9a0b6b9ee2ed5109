"""The console scripts' entry point: SIGTERM is handled before anything slow is imported.

A setup wizard may end plexlogin with SIGTERM the moment it started it, and it reads the
exit code and the ``--json`` line. Python's default for SIGTERM is to die on the spot, so the
handler goes in first, here, before :mod:`plexlogin.cli` and what it imports load (tens of
milliseconds). What remains is the interpreter's own start-up (before any of our code runs),
where the default action still applies; docs/reliability.md gives the numbers.

It is also where the console scripts end: :func:`console` leaves without Python's own
teardown once the command is done (see there).

This module imports only the standard library's ``signal``, ``os``, ``sys`` and ``time``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType
from typing import NoReturn

#: env var naming a file for start-up timestamps (the same one the window marks its
#: first paint in): "sigterm-handled <monotonic ns>" says from when SIGTERM cancels
MARK_ENV = "PLEXLOGIN_PAINT_MARK"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Take SIGTERM over, then run the command line; returns the exit code."""
    args = sys.argv[1:]
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # an embedder's handler stays
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        _mark("sigterm-handled")
        from plexlogin.cli import main as run
    except KeyboardInterrupt:
        return cancelled_while_starting(args)
    except RuntimeError as error:
        if not interrupted(error):
            raise
        return cancelled_while_starting(args)
    return run()


def console() -> NoReturn:
    """The ``plexlogin`` command: :func:`main`, then out at once with its exit code.

    By the time :func:`main` returns, everything the command owed is done: the token is
    in the keyring (the write returned), the JSON line and the messages are written.
    Python's own teardown after that (a full garbage collection over every object,
    three times, and every module cleared) took 100-110 ms measured after a sign-in:
    time a setup wizard spends waiting for the exit code and nothing else. So the
    output is flushed and the process ends here. Only the command does this; a program
    that calls :func:`main` or :mod:`plexlogin.api` goes on as usual.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a closed stream
            pass
    logging = sys.modules.get("logging")
    if logging is not None:  # its handlers' last words, as at a normal exit
        logging.shutdown()
    os._exit(code)


def interrupted(error: BaseException) -> bool:
    """Whether ``error`` is a Ctrl-C or SIGTERM in disguise.

    A KeyboardInterrupt raised while Python creates a class (a signal landing during an
    import) reaches us wrapped in a RuntimeError, its cause the interrupt itself.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__
    return False


def cancelled_while_starting(args: list[str]) -> int:
    """Ctrl-C or SIGTERM before a command got anywhere: say so (and the JSON line); 3."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)  # the outcome is decided now
    from plexlogin import i18n
    from plexlogin.errors import Cancelled, ExitCode
    from plexlogin.report import Report

    i18n.choose(i18n.lang_argument(args))  # perhaps not chosen yet: said in the person's words

    print(f"plexlogin: {Cancelled()}", file=sys.stderr)
    if "--json" in args:
        Report(status="cancelled", error=str(Cancelled())).write()
    return int(ExitCode.CANCELLED)


def _mark(what: str) -> None:
    path = os.environ.get(MARK_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(f"{what} {time.monotonic_ns()}\n")
