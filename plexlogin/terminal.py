"""The text front-end (``plexlogin --terminal``): code, QR in Unicode blocks, one status line.

It never imports PySide6. The flow runs in a worker thread so that SIGTERM/SIGINT end the
run within a second even while a request to plex.tv is in flight.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from plexlogin import events
from plexlogin.events import Event
from plexlogin.home import DEMO_HOME_NOTE
from plexlogin.i18n import _, format_clock, format_number
from plexlogin.login import LoginSession, LoginSettings, Outcome
from plexlogin.signals import cancel_on_signals
from plexlogin.text import for_terminal

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
        self._trouble: events.Trouble | None = None
        self._status_shown = False
        self._last_line = ""

    def handle(self, event: Event) -> None:
        """Called from the sign-in's thread for each event."""
        with self._lock:
            self._handlers[type(event)](event)

    @property
    def _handlers(self) -> dict[type, Callable[[Any], None]]:
        return {
            events.CodesReady: self._show_codes,
            events.Renewing: lambda event: self._line(event.reason),
            events.Trouble: self._show_trouble,
            events.Recovered: self._recovered,
            events.Approved: self._approved,
            events.Verified: self._verified,
            events.ProfilesOffered: lambda event: None,  # the chooser shows them itself
            events.ProfileSwitched: lambda event: self._signed_in_as(event.profile.title),
            events.Stored: self._stored,
            events.WaitingForKeyring: lambda event: self._line(_(event.message)),
            events.StoreFailed: lambda event: self._line(
                # TRANSLATORS: {error} is a whole sentence saying what went wrong
                _("Could not save the token: {error}").format(error=event.error)
            ),
            events.Failed: lambda event: None,  # the command line prints how the run ended
        }

    def _show_trouble(self, event: events.Trouble) -> None:
        self._trouble = event
        self._status(event.describe(time.monotonic()), force_line=True)

    def _recovered(self, event: events.Recovered) -> None:
        self._trouble = None
        self._status(_("Connected to plex.tv again."), force_line=True)

    def _verified(self, event: events.Verified) -> None:
        account = event.account
        self._signed_in_as(account.username or account.display_name)

    def _signed_in_as(self, name: str) -> None:
        # TRANSLATORS: {name} is a Plex account's username or a Home profile's title
        self._line(_("Signed in as {name}.").format(name=for_terminal(name)))

    def _stored(self, event: events.Stored) -> None:
        if event.lasting:
            # TRANSLATORS: {service} and {username} are the keyring entry's names
            saved = _("Token saved in the system keyring (service {service}, account {username}).")
        else:
            # TRANSLATORS: --demo without a system keyring; {service} and {username} are the
            # names the entry would have
            saved = _(
                "Token saved in memory only, for this run (service {service}, account {username})."
            )
        self._line(saved.format(service=event.service, username=event.username))

    def _approved(self, event: events.Approved) -> None:
        self._deadline = None
        self._line(_("Approved. Checking with plex.tv…"))

    def tick(self) -> None:
        """Refresh the countdown (about once a second, TTY only)."""
        if not self.tty:
            return
        with self._lock:
            if self._trouble is not None:
                self._status(self._trouble.describe(time.monotonic()))
            elif self._deadline is not None:
                left = format_remaining(self._deadline - time.monotonic())
                # TRANSLATORS: {left} is a countdown such as 14:32 (minutes:seconds)
                self._status(_("Waiting for approval… code expires in {left}").format(left=left))

    def finish(self) -> None:
        """End the in-place status line."""
        with self._lock:
            self._end_status()

    # -- drawing --

    def _show_codes(self, event: events.CodesReady) -> None:
        from plexlogin.qr import qr_matrix

        self._deadline = event.deadline
        self._trouble = None
        self._end_status()
        if event.renewed:
            # TRANSLATORS: followed by the code on a line of its own; {url} is plex.tv/link
            heading = _("New code: go to {url} and enter this code:")
        else:
            # TRANSLATORS: followed by the code on a line of its own; {url} is plex.tv/link
            heading = _("Sign in to Plex: go to {url} and enter this code:")
        spaced = " ".join(for_terminal(event.code))
        # in the person's time zone, written as their language writes a time of day
        expires = format_clock(event.expires_at.astimezone())
        text = [
            "",
            heading.format(url=self.link_url),
            "",
            f"    {spaced}",
            "",
            _("Or scan this QR code with your phone:"),
            "",
            render_qr(qr_matrix(event.auth_url), ansi=self.tty),
            "",
            # TRANSLATORS: {time} is a time of day such as 14:05
            _("(The code expires at {time}. Press Ctrl-C to cancel.)").format(time=expires),
        ]
        if self.demo_url:
            text.append(
                _("Demo: approve at {url} or wait a few seconds.").format(url=self.demo_url)
            )
            text.append(_(DEMO_HOME_NOTE))
        self.out.write("\n".join(text) + "\n")
        self.out.flush()

    def say(self, text: str) -> None:
        """Print a line of its own."""
        with self._lock:
            self._line(text)

    def _line(self, text: str) -> None:
        # every line may quote plex.tv (a username, an error): never raw escapes
        text = for_terminal(text)
        self._end_status()
        self.out.write(text + "\n")
        self.out.flush()

    def _status(self, text: str, *, force_line: bool = False) -> None:
        text = for_terminal(text)
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


def run_terminal(
    settings: LoginSettings,
    out: TextIO,
    *,
    demo_url: str | None = None,
    on_event: Callable[[Event], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Run one sign-in in text mode and say how it ended.

    ``on_event`` hears every event after the text is drawn (in the sign-in's thread);
    ``cancel`` is asked a few times a second whether to stop.
    """
    wake = threading.Event()  # a signal arrived, or the sign-in ended
    # The handlers go in first: a wizard's SIGTERM while requests and keyring are still
    # being imported must cancel (exit 3), not kill the process with the default action.
    with cancel_on_signals(wake.set):
        view = TerminalView(out, link_url=settings.link_url, demo_url=demo_url)
        view.say(_("Getting a sign-in code from plex.tv…"))

        def handle(event: Event) -> None:
            view.handle(event)
            if on_event is not None:
                on_event(event)

        # a Home's profiles are offered only to a person at a terminal, never to a pipe
        chooser = TerminalChooser(view) if stdin_is_tty() else None
        session = LoginSession(settings, handle, chooser=chooser)
        mode = _terminal_mode() if chooser is not None else None
        try:
            pause = 1.0 if view.tty else 0.5
            return wait_until_ended(session, wake, pause=pause, tick=view.tick, cancel=cancel)
        finally:
            view.finish()
            session.close()
            _restore_terminal_mode(mode)


#: how often a caller's ``cancel`` is asked: a set cancel ends the run within a second
CANCEL_POLL = 0.25


def wait_until_ended(
    session: LoginSession,
    wake: threading.Event,
    *,
    pause: float = 0.5,
    tick: Callable[[], None] = lambda: None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Sign in on a worker thread (so a signal ends the wait even while a request hangs),
    calling ``tick`` between waits, until it ends, ``wake`` is set, ``cancel`` says so or
    --timeout runs out."""

    def work() -> None:
        try:
            session.sign_in()
        finally:
            wake.set()

    if cancel is not None:
        pause = min(pause, CANCEL_POLL)
    if not wake.is_set():  # else a signal arrived while starting up
        threading.Thread(target=work, name="plexlogin-signin", daemon=True).start()
    while True:
        wait = pause
        left = session.seconds_left()
        if left is not None and left <= 0:
            ended = session.time_out()
            if ended is not None:
                return ended
        elif left is not None:
            wait = min(pause, left)
        if wake.wait(wait) or (cancel is not None and cancel()):
            # a run in progress (a keyring write) gets the grace period to finish
            return session.give_up(grace=CANCEL_GRACE)
        tick()


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def _terminal_mode() -> list[Any] | None:
    """The terminal's settings (echo among them), or None where there are none to keep."""
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError, ValueError):
        return None


def _restore_terminal_mode(mode: list[Any] | None) -> None:
    """Put the terminal back as it was: a Ctrl-C at the PIN prompt ends the run while
    getpass (in the sign-in's thread) has echo off, and would leave it off."""
    if mode is None:
        return
    try:
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, mode)
    except (ImportError, OSError, ValueError):
        pass


class TerminalChooser:
    """The Plex Home picker of the terminal: a numbered list, and a PIN prompt without echo.

    Called in the sign-in's thread; reads the person's answers from standard input (a TTY).
    """

    def __init__(self, view: TerminalView, read_line: Callable[[], str] | None = None) -> None:
        self._view = view
        self._read_line = read_line or sys.stdin.readline

    def choose(self, offer: events.ProfilesOffered) -> events.Profile | None:
        """The chosen profile; Enter alone (or end of input) keeps the signed-in one."""
        profiles = offer.profiles
        lines = ["", _("This account is a Plex Home. Who should this device sign in as?")]
        for number, profile in enumerate(profiles, start=1):
            lines.append(f"  {number}. {for_terminal(profile.title)}{_badges(profile, offer)}")
        for line in lines:  # one by one: say() shows a line break inside a line as \x0a
            self._view.say(line)
        while True:
            prompt = _("Number ({first}-{last}, Enter: {first}): ").format(
                first=format_number(1), last=format_number(len(profiles))
            )
            self._view.out.write(prompt)
            self._view.out.flush()
            answer = self._read_line()
            if not answer or not answer.strip():
                return None if not answer or profiles[0].uuid == offer.current else profiles[0]
            choice = answer.strip()
            if choice.isascii() and choice.isdigit() and 1 <= int(choice) <= len(profiles):
                return profiles[int(choice) - 1]
            self._view.say(
                _("Please type a number from {first} to {last}.").format(
                    first=format_number(1), last=format_number(len(profiles))
                )
            )

    def pin_for(self, profile: events.Profile, wrong: bool) -> str | None:
        """The PIN, typed without echo; Enter alone goes back to the list."""
        import getpass

        if wrong:
            self._view.say(_("The PIN was wrong. Try again."))
        # TRANSLATORS: {profile} is a Plex Home profile's title
        prompt = _("PIN for {profile} (Enter alone: back to the list): ").format(
            profile=for_terminal(profile.title)
        )
        try:
            pin = getpass.getpass(prompt, stream=self._view.out)
        except EOFError:
            return None
        return pin.strip() or None


def _badges(profile: events.Profile, offer: events.ProfilesOffered) -> str:
    marks = [
        mark
        for mark, present in (
            # TRANSLATORS: badges after a Plex Home profile's name in a list
            (_("admin"), profile.admin),
            (_("PIN"), profile.protected),
            (_("signed in"), profile.uuid == offer.current),
        )
        if present
    ]
    # TRANSLATORS: the separator between a profile's badges ("admin, PIN")
    separator = _(", ")
    return f" ({separator.join(marks)})" if marks else ""
