"""One ``plexlogin login``, shared by every front-end: settings in, outcome out.

The end of a sign-in (run, verify, store, and the exit code it earns: a --timeout that
ran out, a cancel while the keyring was being written) is decided here and nowhere else.

This module imports nothing slow at import time: the window paints first and only then
loads ``requests`` and ``keyring`` (through :class:`LoginSession`) in its worker thread.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plexlogin import PLEX_URL
from plexlogin.errors import (
    Cancelled,
    ExitCode,
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    PlexLoginError,
    SignInTimeout,
)
from plexlogin.i18n import N_, _
from plexlogin.text import for_terminal

if TYPE_CHECKING:
    from plexlogin.devicekey import DeviceProof
    from plexlogin.events import Event, Profile
    from plexlogin.flow import SignIn, SignInFlow, Waiter
    from plexlogin.home import ProfileChooser
    from plexlogin.plex import PlexClient
    from plexlogin.secret import Token
    from plexlogin.tokens import TokenStore

log = logging.getLogger(__name__)


#: how a sign-in gets its token: a long-lived legacy token, or a device key and Plex JWTs
AUTH_KINDS = ("legacy", "jwt")


class Status(str, enum.Enum):
    """The ``status`` of the ``--json`` line."""

    SIGNED_IN = "signed_in"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class LoginSettings:
    """What the command line decided for this sign-in."""

    plex_url: str
    client_id: str
    product: str
    device_name: str | None
    keyring_service: str
    keyring_username: str | None
    timeout: float | None = None
    demo: bool = False
    stay_open: bool = False
    #: the full-screen 10-foot layout driven by a remote control (--tv, PLEXLOGIN_TV=1)
    tv: bool = False
    verbose: bool = False
    #: remember service/username in the config file (not for --demo)
    remember: bool = True
    #: "legacy" (the PIN gives a long-lived token) or "jwt" (a device key in the keyring,
    #: seven-day Plex JWTs the device renews by itself); see docs/jwt.md
    auth: str = "legacy"
    #: sign in as this Plex Home profile (title or username, any case) without asking
    profile: str | None = None
    #: that profile's PIN (a household secret: never shown, logged or stored)
    profile_pin: str | None = field(default=None, repr=False)
    #: offer the Home's profiles to choose from (False: keep the approving account)
    profile_picker: bool = True

    @property
    def link_url(self) -> str:
        """Where the person types the 4-character code."""
        if self.plex_url.rstrip("/") == PLEX_URL:
            return "https://plex.tv/link"
        return self.plex_url.rstrip("/") + "/link"


@dataclass(frozen=True)
class Outcome:
    """How a sign-in ended: the exit code and the ``--json`` line."""

    status: Status
    exit_code: ExitCode
    username: str | None = None
    keyring_username: str | None = None
    error: str | None = None
    error_kind: str | None = None
    #: when the stored Plex JWT expires (ISO 8601, UTC); None for a legacy token
    expires_at: str | None = None
    #: the error itself, for the Python API to raise (the --json line uses its text)
    failure: PlexLoginError | None = field(default=None, repr=False, compare=False)
    #: the Plex Home profile's title when the sign-in switched to one
    profile: str | None = None

    @classmethod
    def signed_in(
        cls,
        username: str | None,
        keyring_username: str,
        *,
        expires_at: str | None = None,
        profile: str | None = None,
    ) -> Outcome:
        """The token was verified and stored."""
        return cls(
            Status.SIGNED_IN,
            ExitCode.OK,
            username,
            keyring_username,
            expires_at=expires_at,
            profile=profile,
        )

    @classmethod
    def from_error(cls, error: PlexLoginError, username: str | None = None) -> Outcome:
        """The sign-in ended with ``error``."""
        status = {
            ExitCode.CANCELLED: Status.CANCELLED,
            ExitCode.TIMEOUT: Status.TIMEOUT,
        }.get(error.exit_code, Status.ERROR)
        return cls(status, error.exit_code, username, None, str(error), error.kind, failure=error)

    def as_json(self, settings: LoginSettings) -> dict[str, object]:
        """The ``--json`` object: never the token."""
        from plexlogin.report import Report

        report = Report()
        report.learned(settings)
        report.ended(self)
        return report.as_json()


#: a front-end's own deadline comes this much after the flow's: the flow's own ending (with
#: its better reason) wins whenever a request lets it, the front-end only when one hangs
HANG_GRACE = 0.5

#: the first pause before writing to a locked keyring again, and the longest: the person
#: unlocks at any moment, and the token should land within a couple of seconds of it
KEYRING_FIRST_PAUSE = 0.5
KEYRING_LONGEST_PAUSE = 2.0

#: how a locked keyring ends a sign-in when --timeout runs out (exit 1: nothing is stored)
STAYED_LOCKED = N_(
    "The system keyring stayed locked until the time ran out, so the token was not saved. "
    "Unlock it (for example in your desktop's Passwords and Keys app) and sign in again."
)


#: seconds after the first codes before the keyring is looked for (they are on screen by
#: then; nobody approves that fast)
WARM_UP_DELAY = 0.3


@dataclass
class _Parts:
    """What a sign-in needs from ``requests``, built on first use."""

    client: PlexClient
    flow: SignInFlow
    #: JWT sign-in: the device key's proof (the key stays in memory until it is stored)
    device: DeviceProof | None = None


class LoginSession:
    """One sign-in, start to end: run, verify, store, and how it ended, decided here once.

    Front-ends only choose how to wait and what to show: :meth:`sign_in` blocks (call it
    in a worker thread), the events tell the story as it goes, and :meth:`give_up` or
    :meth:`time_out` (any thread) say how the run ended when the front-end stops waiting.
    Building a session is cheap: ``requests`` and ``keyring`` load when it first needs
    them, in the thread that signs in, so the window paints first.
    """

    def __init__(
        self,
        settings: LoginSettings,
        on_event: Callable[[Event], None] = lambda event: None,
        *,
        clock: Callable[[], float] | None = None,
        waiter: Waiter | None = None,
        wall_clock: Callable[[], float] = time.time,
        chooser: ProfileChooser | None = None,
    ) -> None:
        self.settings = settings
        self._wall_clock = wall_clock  # what JWTs are dated by (tests move it with the flow's)
        self._on_event = on_event
        self._chooser = chooser  # asks the person which Home profile (None: nobody to ask)
        self._profile: Profile | None = None  # the Home profile switched to, if any
        self._clock = clock or time.monotonic
        self._waiter: Waiter = waiter if waiter is not None else threading.Event()
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()
        self._ended = threading.Event()  # set while no sign_in()/store_again() runs
        self._ended.set()
        self._parts: _Parts | None = None
        self._token_store: TokenStore | None = None
        self._deadline = None if settings.timeout is None else self._clock() + settings.timeout
        self._warmed = False
        self._warm_up: threading.Timer | None = None
        self._verified: SignIn | None = None  # the token waits here until the keyring has it
        self._storing = False
        self._outcome: Outcome | None = None  # how sign_in() or store_again() ended
        self._final: Outcome | None = None  # what give_up()/time_out() decided: it stands

    # -- the parts --

    def _built(self) -> _Parts:
        # a lock of its own: the imports take a while, and the front-end's questions
        # (give_up, time_out from the UI thread) must never wait for them
        with self._build_lock:
            if self._parts is None:
                parts = self._build()
                with self._lock:
                    self._parts = parts
            return self._parts

    def _build(self) -> _Parts:
        from plexlogin.flow import SignInFlow
        from plexlogin.plex import Identity, PlexClient

        settings = self.settings
        named = {"device_name": settings.device_name} if settings.device_name else {}
        identity = Identity(client_id=settings.client_id, product=settings.product, **named)
        client = PlexClient(identity, settings.plex_url)
        device = self._device_proof(client) if settings.auth == "jwt" else None
        flow = SignInFlow(
            client,
            self._relay,
            timeout=settings.timeout,
            waiter=self._waiter,
            clock=self._clock,
            device=device,
        )
        return _Parts(client, flow, device)

    def _device_proof(self, client: PlexClient) -> DeviceProof:
        """The device key for this sign-in: the entry's own when it has one for this client.

        The keyring username is often known only after the sign-in (the account's name):
        then a new key is made, kept in memory, and stored with the token.
        """
        from plexlogin.devicekey import DeviceProof, reusable_key
        from plexlogin.jwtauth import DeviceKey

        settings = self.settings
        key = reusable_key(settings.keyring_service, settings.keyring_username, settings.client_id)
        return DeviceProof(client, key or DeviceKey.generate(), now=self._wall_clock)

    @property
    def client(self) -> PlexClient:
        """The plex.tv client (built on first use)."""
        return self._built().client

    @property
    def store(self) -> TokenStore:
        """The keyring entry's store, built on first use: ``keyring`` and its Secret
        Service stack load once the codes show (the warm-up) instead of before the first
        request to plex.tv."""
        with self._build_lock:
            if self._token_store is None:
                from plexlogin.tokens import TokenStore

                self._token_store = TokenStore(self.settings.keyring_service)
            return self._token_store

    @property
    def flow(self) -> SignInFlow:
        """The PIN flow (built on first use)."""
        return self._built().flow

    def _relay(self, event: Event) -> None:
        from plexlogin.events import CodesReady, Stored

        with self._lock:
            if self._final is not None:
                return  # the front-end stopped listening: never a word after that
            if isinstance(event, Stored) and self._verified is not None:
                # in the keyring now: whatever follows (noting where), the sign-in succeeded
                self._outcome = self._signed_in(self._verified, event.username)
                self._storing = False
        self._on_event(event)
        if not self._warmed and isinstance(event, CodesReady):
            # the person needs seconds to approve: find the keyring meanwhile, on a thread
            # of its own once the codes are painted (importing keyring takes the GIL for
            # tens of ms: not while the QR is drawn, nor in the flow's way)
            self._warmed = True
            self._warm_up = threading.Timer(WARM_UP_DELAY, lambda: self.store.warm_up())
            self._warm_up.daemon = True
            self._warm_up.start()

    # -- the whole sign-in (blocks: a worker thread's job) --

    def sign_in(self) -> Outcome:
        """Show codes, wait for approval, verify and store the token; how it ended.

        Never raises: every ending is an Outcome (and a Failed or StoreFailed event).
        """
        self._ended.clear()
        try:
            if self._waiter.is_set():
                raise Cancelled()
            signin = self.choose_profile(self.run())
        except PlexLoginError as error:  # reported Failed itself
            return self._ended_with(Outcome.from_error(error))
        except Exception as error:  # never a traceback for the person; details with -v
            return self._ended_with(self._unexpected(error))
        with self._lock:
            self._verified = signin
        return self._store()

    def store_again(self) -> Outcome:
        """ "Try again" after StoreFailed: the verified token is still in memory."""
        with self._lock:
            if self._verified is None or self._final is not None:
                return self.outcome()
        self._ended.clear()
        return self._store()

    def run(self) -> SignIn:
        """Only the flow: codes until approval and a verified token; raises PlexLoginError."""
        return self.flow.run()

    def choose_profile(self, signin: SignIn) -> SignIn:
        """The Plex Home stage: the sign-in to store (a profile's, or ``signin`` itself)."""
        from plexlogin.events import Failed
        from plexlogin.home import HomeStage, ProfileRequest

        settings = self.settings
        request = ProfileRequest(settings.profile, settings.profile_pin, settings.profile_picker)
        stage = HomeStage(self.client, request, self._chooser, self._relay)
        try:
            chosen, profile = stage.run(signin)
        except PlexLoginError as error:
            self._relay(Failed(error))
            raise
        with self._lock:
            self._profile = profile
        return chosen

    @property
    def _profile_title(self) -> str | None:
        return self._profile.title if self._profile is not None else None

    def store_token(self, result: SignIn) -> str:
        """Put the token in the keyring and remember where; returns the keyring username.

        A locked keyring is waited for (see :class:`_PatientStore`).
        """
        # plex.tv's name as the entry's name, made safe to print: keyring tools show it raw
        username = self.settings.keyring_username or for_terminal(result.user.account_name)
        device = self._built().device
        if device is not None:
            self._save_device_key(device, username)
        self.flow.save(result, _PatientStore(self), username)
        if self.settings.remember:
            jwt_client = self.settings.client_id if device is not None else None
            remember_account(
                self.settings.keyring_service, username, result.user.account_name, jwt_client
            )
        return username

    def _save_device_key(self, device: DeviceProof, username: str) -> None:
        """The key goes in first: a Plex JWT stored without it could never be renewed."""
        from plexlogin.devicekey import DeviceKeyStore
        from plexlogin.events import StoreFailed

        try:
            DeviceKeyStore(self.settings.keyring_service).save(username, device.key)
        except KeyringError as error:
            self._relay(StoreFailed(error))
            raise

    def _store(self) -> Outcome:
        with self._lock:
            signin = self._verified
            assert signin is not None
            self._storing = True
        try:
            keyring_username = self.store_token(signin)
        except (KeyringError, Cancelled) as error:  # the flow reported StoreFailed itself
            # (or, for a cancel while a locked keyring was waited for, nothing more to say)
            return self._ended_with(Outcome.from_error(error, signin.user.username))
        except Exception as error:
            from plexlogin.events import StoreFailed

            # TRANSLATORS: {error} is the keyring's own (English) words
            failure = KeyringError(_("The token could not be saved: {error}").format(error=error))
            self._relay(StoreFailed(failure))
            return self._ended_with(Outcome.from_error(failure, signin.user.username))
        with self._lock:
            self._verified = None  # the keyring has it now; drop the in-memory copy
        return self._ended_with(self._signed_in(signin, keyring_username))

    def _signed_in(self, signin: SignIn, keyring_username: str) -> Outcome:
        """The outcome of a token now in the keyring under ``keyring_username``."""
        expires = signin.expires_at.isoformat() if signin.expires_at else None
        return Outcome.signed_in(
            signin.user.username, keyring_username, expires_at=expires, profile=self._profile_title
        )

    def _unexpected(self, error: Exception) -> Outcome:
        from plexlogin.events import Failed

        log.debug("unexpected failure", exc_info=error)
        failure = PlexLoginError(_("Unexpected problem: {error}").format(error=error))
        self._relay(Failed(failure))
        return Outcome.from_error(failure)

    def _ended_with(self, outcome: Outcome) -> Outcome:
        with self._lock:
            self._storing = False
            self._outcome = outcome
        self._ended.set()
        return outcome

    # -- what a front-end asks (any thread) --

    @property
    def can_store_again(self) -> bool:
        """The keyring refused a verified token that is still held for "Try again"."""
        with self._lock:
            return self._verified is not None and not self._storing and self._final is None

    def cancel(self) -> None:
        """Stop at once (any thread), also the wait for a locked keyring; a keyring write
        in progress runs on."""
        self._waiter.set()

    def seconds_left(self) -> float | None:
        """How long a front-end waits before :meth:`time_out`: None without a deadline,
        or while the token is being saved (the session keeps --timeout itself then, and
        a keyring call has its own limit)."""
        with self._lock:
            if self._deadline is None or self._storing or self._final is not None:
                return None
            return self._deadline + HANG_GRACE - self._clock()

    def time_out(self) -> Outcome | None:
        """The wall-clock --timeout ran out: end the run (even a hung request) and say so.

        None when the run already ended or the token is being saved.
        """
        with self._lock:
            if self._final is not None or self._outcome is not None or self._storing:
                return None
            error = self._parts.flow.timeout_error() if self._parts else SignInTimeout()
            self._final = Outcome.from_error(error)
        self.cancel()
        return self._final

    def give_up(self, *, grace: float = 0.0) -> Outcome:
        """Stop waiting: cancel, give a run in progress ``grace`` seconds to end, and
        return how the sign-in ended (from then on, that stands)."""
        self.cancel()
        self._ended.wait(grace)
        with self._lock:
            if self._final is None:
                self._final = self.outcome()
            return self._final

    def outcome(self) -> Outcome:
        """How the sign-in stands now, were the front-end to stop waiting."""
        with self._lock:
            if self._final is not None:
                return self._final
            username = self._verified.user.username if self._verified else None
            if self._storing:
                # the keyring write had begun: it may still land after we exit
                return Outcome.from_error(Cancelled.while_saving(), username)
            if self._outcome is not None:
                return self._outcome
            return Outcome.from_error(Cancelled(), username)

    def close(self) -> None:
        """Release the HTTP connections; a keyring warm-up not yet begun is called off.

        (A sign-in over before the warm-up's moment must not leave a thread behind that
        looks the keyring up later, in a program that has moved on: a wizard's own.)
        """
        if self._warm_up is not None:
            self._warm_up.cancel()
        with self._lock:
            parts = self._parts
        if parts is not None:
            parts.client.close()


class _PatientStore:
    """The session's keyring, waiting while it is locked instead of losing the token.

    A locked keyring (or one whose call timed out, usually behind an unlock prompt) is
    told once as :class:`~plexlogin.events.WaitingForKeyring`, and the write is tried
    again with a growing pause until it lands, the sign-in is cancelled or ``--timeout``
    runs out. Without ``--timeout`` it waits until cancelled: the person can unlock at any
    moment, and a wizard that wants a limit passes one. On the Secret Service the first
    write asks the collection to unlock (keyring calls ``collection.unlock()``, which
    shows the desktop's prompt); later tries only write once the collection reports
    itself unlocked, so the person never gets a second prompt.
    """

    def __init__(self, session: LoginSession) -> None:
        self._session = session
        self.service = session.store.service

    def lasting(self) -> bool:
        """Whether the token outlives this process (see TokenStore.lasting)."""
        return self._session.store.lasting()

    def save(self, username: str, token: Token) -> None:
        """Write ``token``; raises KeyringLocked when the time is up, Cancelled on cancel."""
        session = self._session
        pause = KEYRING_FIRST_PAUSE
        told = False
        while True:
            try:
                session.store.save(username, token)
                return
            except (KeyringLocked, KeyringTimeout) as error:
                if not told:  # once: the person needs to hear it, not count the tries
                    from plexlogin.events import WaitingForKeyring

                    session._relay(WaitingForKeyring(error))
                    told = True
            while True:
                self._pause(pause)
                pause = min(pause * 2, KEYRING_LONGEST_PAUSE)
                if session.store.locked() is not True:
                    break

    def _pause(self, seconds: float) -> None:
        session = self._session
        if session._deadline is not None:
            left = session._deadline - session._clock()
            if left <= 0:
                raise KeyringLocked(_(STAYED_LOCKED))
            seconds = min(seconds, left)
        if session._waiter.wait(seconds):
            raise Cancelled.while_saving()


def remember_account(
    service: str, keyring_username: str, account: str, jwt_client_id: str | None = None
) -> None:
    """Note (non-secret) where the token went, so token/status/logout need no flags.

    ``jwt_client_id``: the token is a Plex JWT issued to that client identifier, which
    every renewal must speak as (a --client-id given at sign-in need not be repeated).
    """
    from plexlogin.config import load_config, save_config

    config, _warning = load_config()
    config.keyring_service = service
    config.keyring_username = keyring_username
    config.last_username = account
    config.auth = "jwt" if jwt_client_id else "legacy"
    config.jwt_client_id = jwt_client_id
    try:
        save_config(config)
    except PlexLoginError:
        pass  # the token is stored; only the convenience of flag-less commands is lost
