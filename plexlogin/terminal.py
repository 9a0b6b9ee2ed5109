"""The text front-end (``plexlogin --terminal``): code, QR in Unicode blocks, one status line.

It never imports PySide6. The flow runs in a worker thread so that SIGTERM/SIGINT end the
run within a second even while a request to plex.tv is in flight.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from plexlogin.errors import Cancelled, ExitCode, KeyringError, PlexLoginError
from plexlogin.login import LoginSession, LoginSettings, Outcome

log = logging.getLogger(__name__)

#: how long a cancelled run waits for the worker to wind down before exiting anyway: it
#: must leave room within the one second a wizard's SIGTERM is promised (exit 3 within 1 s)
CANCEL_GRACE = 0.5

_RESET = "\x1b[0m"
_BLACK_ON_WHITE = "\x1b[30;47m"


def render_qr(matrix: list[list[bool]], *, ansi: bool) -> str:
    """Draw a QR grid with half blocks: two module rows per text line.

    With ``ansi`` the code is drawn black on white whatever the terminal's colours,
    which phones need to scan it; without, dark modules are blocks and light ones
    spaces (for logs and light-background terminals).
    """
    upper, lower, both = "\u2580", "\u2584", "\u2588"
    lines = []
    for top_index in range(0, len(matrix), 2):
        top = matrix[top_index]
        bottom = matrix[top_index + 1] if top_index + 1 < len(matrix) else [False] * len(top)
        chars = []
        for t, b in zip(top, bottom, strict=True):
            if t and b:
                chars.append(both)
            elif t:
                chars.append(upper)
            elif b:
                chars.append(lower)
            else:
                chars.append(" ")
        line = "".join(chars)
        lines.append(f"{_BLACK_ON_WHITE}{line}{_RESET}" if ansi else line)
    return "\n".join(lines)


def format_remaining(seconds: float) -> str:
    """``14:32`` for 872 s; never negative."""
    whole = max(0, int(seconds + 0.999))  # 0.2 s left still reads 0:01, not 0:00
    return f"{whole // 60}:{whole % 60:02d}"


class TerminalView:
    """Turns flow events into text on ``out``; the status line updates in place on a TTY."""

    def __init__(self, out: TextIO, *, link_url: str, demo_url: str | None = None) -> None:
        self.out = out
        self.link_url = link_url
        self.demo_url = demo_url
        self.tty = out.isatty()
        self._lock = threading.Lock()
        self._deadline: float | None = None
        self._trouble: object | None = None
        self._status_shown = False
        self._last_line = ""

    def handle(self, event: object) -> None:
        """Called from the worker thread for each flow event."""
        from plexlogin import flow

        with self._lock:
            if isinstance(event, flow.CodesReady):
                self._deadline = event.deadline
                self._trouble = None
                self._show_codes(event)
            elif isinstance(event, flow.Renewing):
                self._line(event.reason)
            elif isinstance(event, flow.Trouble):
                self._trouble = event
                self._status(event.describe(time.monotonic()), force_line=True)
            elif isinstance(event, flow.Recovered):
                self._trouble = None
                self._status("Connected to plex.tv again.", force_line=True)
            elif isinstance(event, flow.Approved):
                self._deadline = None
                self._line("Approved. Checking with plex.tv…")
            elif isinstance(event, flow.Verified):
                self._line(f"Signed in as {event.user.username}.")
            elif isinstance(event, flow.Stored):
                where = f"service {event.service}, account {event.username}"
                self._line(f"Token saved in the keyring ({where}).")
            elif isinstance(event, flow.StoreFailed):
                self._line(f"Could not save the token: {event.error}")

    def tick(self) -> None:
        """Refresh the countdown (about once a second, TTY only)."""
        if not self.tty:
            return
        with self._lock:
            if self._trouble is not None:
                from plexlogin.flow import Trouble

                assert isinstance(self._trouble, Trouble)
                self._status(self._trouble.describe(time.monotonic()))
            elif self._deadline is not None:
                left = format_remaining(self._deadline - time.monotonic())
                self._status(f"Waiting for approval… code expires in {left}")

    def finish(self) -> None:
        """End the in-place status line."""
        with self._lock:
            self._end_status()

    # -- drawing --

    def _show_codes(self, event: object) -> None:
        from plexlogin.flow import CodesReady
        from plexlogin.qr import qr_matrix

        assert isinstance(event, CodesReady)
        self._end_status()
        heading = "New code" if event.renewed else "Sign in to Plex"
        spaced = " ".join(event.code)
        expires = event.expires_at.strftime("%H:%M")
        text = [
            "",
            f"{heading}: go to {self.link_url} and enter",
            "",
            f"    {spaced}",
            "",
            "or scan this QR code with your phone:",
            "",
            render_qr(qr_matrix(event.auth_url), ansi=self.tty),
            "",
            f"(The code expires at {expires}. Press Ctrl-C to cancel.)",
        ]
        if self.demo_url:
            text.append(f"Demo: approve at {self.demo_url} or wait a few seconds.")
        self.out.write("\n".join(text) + "\n")
        self.out.flush()

    def say(self, text: str) -> None:
        """Print a line of its own."""
        with self._lock:
            self._line(text)

    def _line(self, text: str) -> None:
        self._end_status()
        self.out.write(text + "\n")
        self.out.flush()

    def _status(self, text: str, *, force_line: bool = False) -> None:
        if not self.tty:
            if force_line and text != self._last_line:
                self._last_line = text
                self.out.write(text + "\n")
                self.out.flush()
            return
        self.out.write("\r\x1b[2K" + text)
        self.out.flush()
        self._status_shown = True

    def _end_status(self) -> None:
        if self._status_shown:
            self.out.write("\n")
            self._status_shown = False


@contextmanager
def _cancel_on_signals(on_signal: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM call ``on_signal`` instead of raising (restored afterwards)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_terminal(settings: LoginSettings, out: TextIO, *, demo_url: str | None = None) -> Outcome:
    """Run one sign-in in text mode and say how it ended."""
    cancel = threading.Event()
    wake = threading.Event()  # a signal arrived, or the worker finished

    def on_signal() -> None:
        cancel.set()
        wake.set()

    # The handlers go in first: a wizard's SIGTERM while requests and keyring are still
    # being imported must cancel (exit 3), not kill the process with the default action.
    with _cancel_on_signals(on_signal):
        view = TerminalView(out, link_url=settings.link_url, demo_url=demo_url)
        view.say("Getting a sign-in code from plex.tv…")
        session = LoginSession(settings, view.handle)
        try:
            return _drive(session, view, cancel, wake)
        finally:
            view.finish()
            session.close()


def _drive(
    session: LoginSession, view: TerminalView, cancel: threading.Event, wake: threading.Event
) -> Outcome:
    """Run the sign-in in a worker thread until it ends or ``cancel`` is set."""
    result: list[Outcome] = []
    storing = threading.Event()
    done = threading.Event()

    def work() -> None:
        try:
            signin = session.run()
            storing.set()
            try:
                keyring_username = session.store_token(signin)
            except KeyringError as error:
                result.append(Outcome.from_error(error, signin.user.username))
                return
            result.append(Outcome.signed_in(signin.user.username, keyring_username))
        except PlexLoginError as error:
            result.append(Outcome.from_error(error))
        except Exception as error:  # never a traceback for the person; details with -v
            log.debug("unexpected failure", exc_info=True)
            result.append(Outcome.from_error(PlexLoginError(f"Unexpected problem: {error}")))
        finally:
            done.set()
            wake.set()

    if cancel.is_set():  # a signal arrived while starting up
        return Outcome.from_error(Cancelled())
    # The flow checks --timeout between requests; a request that plex.tv trickles out a
    # byte at a time never lets it, so the run's own deadline is kept here as well.
    timeout = session.settings.timeout
    deadline = None if timeout is None else time.monotonic() + timeout + CANCEL_GRACE
    timed_out = False
    worker = threading.Thread(target=work, name="plexlogin-signin", daemon=True)
    worker.start()
    while True:
        pause = 1.0 if view.tty else 0.5
        if deadline is not None and not storing.is_set():  # the keyring has its own limit
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            pause = min(pause, left)
        if wake.wait(pause):
            break
        view.tick()
    if not done.is_set():
        session.cancel()
        # waits end at once; a keyring write in progress gets the grace period to finish
        done.wait(CANCEL_GRACE)
    if result and not (timed_out and result[0].exit_code == ExitCode.CANCELLED):
        return result[0]
    if timed_out:
        return Outcome.from_error(session.flow.timeout_error())
    if storing.is_set():
        # the write may still land after we exit: say so rather than claim nothing happened
        return Outcome.from_error(Cancelled.while_saving())
    return Outcome.from_error(Cancelled())
