"""The Python API for setup wizards: :func:`sign_in` and :func:`stored_token`.

A wizard with a screen of its own calls ``sign_in(ui="none", on_codes=...)`` and draws the
codes itself; plexlogin does the protocol, the renewal, the verification and the keyring.
``ui="terminal"`` and ``ui="window"`` run the command line's own front-ends, and the
command line signs in through :func:`run_sign_in` too, so the two cannot drift.

Threads: ``on_codes`` and ``on_event`` always run on the sign-in's own worker thread,
whatever ``ui`` is: never on the thread that called :func:`sign_in`, and never on Qt's GUI
thread. They must return quickly and must not touch widgets; a Qt program hands them to
its GUI thread with a queued signal (docs/integration.md shows how).

Importing this module is cheap: ``requests``, ``keyring``, ``qrcode`` and Qt load only
when a sign-in needs them, and ``ui="none"`` never loads Qt at all.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TextIO, get_args

from plexlogin import DEFAULT_PRODUCT, KEYRING_SERVICE, PLEX_URL, i18n
from plexlogin.errors import PlexLoginError, UsageError
from plexlogin.i18n import _
from plexlogin.login import AUTH_KINDS, LoginSession, LoginSettings, Outcome

if TYPE_CHECKING:
    from plexlogin.events import Event

UiMode = Literal["window", "terminal", "none"]
"""How :func:`sign_in` shows the codes: the normal window, text on stdout, or nothing."""


@dataclass(frozen=True)
class Codes:
    """One set of codes to show: the first ones, then each renewal.

    ``code`` is typed at ``link_url``; ``auth_url`` is what the QR code carries, and
    ``qr_matrix`` is that QR code as rows of modules (True = dark), quiet zone included,
    so any toolkit can draw it square by square. ``expires_at`` is an aware datetime.
    """

    code: str
    link_url: str
    auth_url: str
    qr_matrix: tuple[tuple[bool, ...], ...]
    expires_at: datetime
    renewed: bool


@dataclass(frozen=True)
class SignInResult:
    """A finished sign-in. Never the token: that stays in the keyring (see :func:`stored_token`).

    ``username`` is the Plex account's username (None for a managed Home profile, which
    has none); ``profile`` the Home profile switched to, if one was asked for.
    """

    username: str | None
    profile: str | None
    keyring_service: str
    keyring_username: str
    client_id: str


def sign_in(
    ui: UiMode = "window",
    on_codes: Callable[[Codes], object] | None = None,
    on_event: Callable[[Event], object] | None = None,
    plex_url: str | None = None,
    client_id: str | None = None,
    product: str | None = None,
    device_name: str | None = None,
    keyring_service: str = KEYRING_SERVICE,
    keyring_username: str | None = None,
    profile: str | None = None,
    profile_pin: str | None = None,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
    auth: str = "legacy",
    language: str | None = None,
) -> SignInResult:
    """Sign in to Plex and store the token in the keyring; blocks until done.

    ``on_codes`` gets every new :class:`Codes` (the first and each renewal);
    ``on_event`` every :mod:`plexlogin.events` event, in order. Both run on the sign-in's
    worker thread (see the module's docstring). ``plex_url`` defaults to env
    ``PLEXLOGIN_PLEX_URL``, else plex.tv; ``client_id`` to the one kept in plexlogin's
    config folder. ``timeout`` is in seconds; setting ``cancel`` ends the sign-in within a
    second. ``ui="window"`` uses the caller's QApplication if there is one (call it from
    the GUI thread then). ``ui="window"`` and ``ui="terminal"`` treat SIGINT and SIGTERM
    as a cancel while they run in the main thread, like the command line; ``ui="none"``
    leaves the caller's signal handlers alone. ``language`` (``"de"``, ``"pt_BR"``) is what
    the sentences for people speak (the window, errors' text); None means as gettext's
    variables say (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), an unknown one
    English. It is the process's language from then on, as with ``--lang``.

    Raises :class:`~plexlogin.errors.Cancelled`, :class:`~plexlogin.errors.SignInTimeout`,
    :class:`~plexlogin.errors.UsageError` for a bad argument, or another
    :class:`~plexlogin.errors.PlexLoginError` whose text is for people. An exception raised
    by a callback cancels the sign-in and is raised here.
    """
    _check_choices(ui, on_codes, on_event, cancel, timeout)
    _speak(language)
    settings = login_settings(
        plex_url=plex_url,
        client_id=client_id,
        product=product,
        device_name=device_name,
        keyring_service=keyring_service,
        keyring_username=keyring_username,
        profile=profile,
        profile_pin=profile_pin,
        timeout=timeout,
        auth=auth,
    )
    if ui == "window":
        reason = no_window_reason()
        if reason is not None:
            # TRANSLATORS: {reason} says why, e.g. "no display found"; ui='none' is code
            message = _("The window cannot open: {reason}. Use ui='none' instead.")
            raise PlexLoginError(message.format(reason=reason))
    listener = _Listener(settings, on_codes, on_event)
    outcome = run_sign_in(
        settings, ui, on_event=listener, cancel=listener.stop_asked(cancel), out=sys.stdout
    )
    listener.raise_failure()
    if outcome.failure is not None:
        raise outcome.failure
    assert outcome.keyring_username is not None  # signed in: the token has its entry
    return SignInResult(
        username=outcome.username,
        profile=outcome.profile,
        keyring_service=settings.keyring_service,
        keyring_username=outcome.keyring_username,
        client_id=settings.client_id,
    )


def stored_token(service: str = KEYRING_SERVICE, username: str | None = None) -> str | None:
    """The token stored under ``service``/``username``, or None when there is none.

    ``username`` None means the entry of the last sign-in into ``service``. Raises a
    :class:`~plexlogin.errors.KeyringError` when the keyring is locked or unavailable.
    Keep the token in memory only: never on a command line, never in a file.
    """
    from plexlogin.config import load_config
    from plexlogin.tokens import TokenStore

    if username is None:
        config, _warning = load_config()
        if config.keyring_service != service or not config.keyring_username:
            return None
        username = config.keyring_username
    token = TokenStore(service).load(username)
    return None if token is None else token.reveal()


# --- the one way in, for this API and the command line --------------------------------


def run_sign_in(
    settings: LoginSettings,
    ui: UiMode,
    *,
    on_event: Callable[[Event], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    out: TextIO | None = None,
    demo_url: str | None = None,
) -> Outcome:
    """Run one sign-in with the front-end ``ui`` and return how it ended (never raises
    for the sign-in's own endings: they are in the Outcome).

    ``out`` is where ``ui="terminal"`` draws; ``cancel`` is asked a few times a second.
    """
    _open_connections_ahead(settings)
    if ui == "window":
        from plexlogin.gui import run_window

        return run_window(settings, on_event=on_event, cancel=cancel)
    if ui == "terminal":
        from plexlogin.terminal import run_terminal

        return run_terminal(
            settings, out or sys.stdout, demo_url=demo_url, on_event=on_event, cancel=cancel
        )
    return _run_headless(settings, on_event, cancel)


def _open_connections_ahead(settings: LoginSettings) -> None:
    """Open the first PIN requests' connections while the front-end starts (a thread).

    A JWT sign-in asks clients.plex.tv for its PINs, so it has nothing to gain here.
    """
    if settings.auth != "jwt":
        from plexlogin.preconnect import open_ahead

        open_ahead(settings.plex_url)


def _run_headless(
    settings: LoginSettings,
    on_event: Callable[[Event], None] | None,
    cancel: Callable[[], bool] | None,
) -> Outcome:
    # no signal handlers: a library leaves the calling program's own alone
    from plexlogin.terminal import wait_until_ended

    session = LoginSession(settings, on_event or (lambda event: None))
    try:
        return wait_until_ended(session, threading.Event(), cancel=cancel)
    except BaseException:  # Ctrl-C in the caller: the worker thread must stop too
        session.cancel()
        raise
    finally:
        session.close()


def no_window_reason() -> str | None:
    """Why a window cannot open here, or None (Qt would abort rather than say so)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return _("no display found")
    try:
        import PySide6  # noqa: F401
    except ImportError:
        return _("the window needs PySide6, which is not installed")
    return None


# --- arguments -------------------------------------------------------------------------


def login_settings(
    *,
    plex_url: str | None,
    client_id: str | None,
    product: str | None,
    device_name: str | None,
    keyring_service: str,
    keyring_username: str | None,
    profile: str | None,
    profile_pin: str | None,
    timeout: float | None,
    auth: str = "legacy",
) -> LoginSettings:
    """Check the API's arguments and fill in the defaults, as the command line does."""
    from plexlogin.cli import check_plex_url

    names = {
        "client_id": client_id,
        "product": product,
        "device_name": device_name,
        "keyring_service": keyring_service,
        "keyring_username": keyring_username,
        "profile": profile,
    }
    for name, value in names.items():
        if value is not None:
            _check_name(name, value)
    _check_profile(profile, profile_pin)
    if auth not in AUTH_KINDS:
        raise UsageError(f"auth must be one of {', '.join(AUTH_KINDS)}, not {auth!r}")
    url = check_plex_url(plex_url or os.environ.get("PLEXLOGIN_PLEX_URL") or PLEX_URL)
    return LoginSettings(
        plex_url=url,
        client_id=client_id or _configured_client_id(),
        product=product or DEFAULT_PRODUCT,
        device_name=device_name,
        keyring_service=keyring_service,
        keyring_username=keyring_username,
        timeout=None if timeout is None else float(timeout),
        profile=profile,
        profile_pin=profile_pin,
        auth=auth,
    )


def _check_profile(profile: str | None, profile_pin: str | None) -> None:
    if profile_pin is not None and profile is None:
        raise UsageError("profile_pin needs a profile to unlock")


def _check_name(name: str, value: object, limit: int = 128) -> None:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > limit
        or not value.isprintable()
    ):
        raise UsageError(f"{name} must be 1 to {limit} printable characters, not {value!r}")


def _check_choices(
    ui: object,
    on_codes: object,
    on_event: object,
    cancel: object,
    timeout: object,
) -> None:
    if ui not in get_args(UiMode):
        raise UsageError(f"ui must be 'window', 'terminal' or 'none', not {ui!r}")
    for name, callback in (("on_codes", on_codes), ("on_event", on_event)):
        if callback is not None and not callable(callback):
            raise UsageError(f"{name} must be callable, not {callback!r}")
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise UsageError(f"cancel must be a threading.Event, not {cancel!r}")
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")


def _speak(language: object) -> None:
    """Make ``language`` (None: gettext's variables) the one people's sentences speak."""
    if language is not None and not isinstance(language, str):
        raise UsageError(f"language must be a language code such as 'de', not {language!r}")
    i18n.choose(language)


def _configured_client_id() -> str:
    from plexlogin.config import load_config

    config, _warning = load_config()
    return config.client_id


# --- the caller's callbacks --------------------------------------------------------------


class _Listener:
    """Hands events (and codes, made from CodesReady) to the caller's callbacks.

    A callback that raises stops the sign-in: its exception is what :func:`sign_in` raises.
    """

    def __init__(
        self,
        settings: LoginSettings,
        on_codes: Callable[[Codes], object] | None,
        on_event: Callable[[Event], object] | None,
    ) -> None:
        self._link_url = settings.link_url
        self._on_codes = on_codes
        self._on_event = on_event
        self._failure: BaseException | None = None
        self._failed = threading.Event()

    def __call__(self, event: Event) -> None:
        from plexlogin.events import CodesReady

        if self._failed.is_set():
            return
        try:
            if self._on_codes is not None and isinstance(event, CodesReady):
                self._on_codes(self._codes(event))
            if self._on_event is not None:
                self._on_event(event)
        except Exception as error:
            self._failure = error
            self._failed.set()

    def _codes(self, event: Event) -> Codes:
        from plexlogin.events import CodesReady
        from plexlogin.qr import qr_matrix

        assert isinstance(event, CodesReady)
        return Codes(
            code=event.code,
            link_url=self._link_url,
            auth_url=event.auth_url,
            qr_matrix=tuple(tuple(row) for row in qr_matrix(event.auth_url)),
            expires_at=event.expires_at.astimezone(),  # naive local time becomes aware
            renewed=event.renewed,
        )

    def stop_asked(self, cancel: threading.Event | None) -> Callable[[], bool]:
        """Whether to stop: the caller set ``cancel``, or a callback raised."""
        return lambda: self._failed.is_set() or (cancel is not None and cancel.is_set())

    def raise_failure(self) -> None:
        """Raise what a callback raised, if one did."""
        if self._failure is not None:
            raise self._failure
