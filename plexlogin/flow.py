"""The sign-in state machine: PINs, deadlines, polling, renewal, backoff. No Qt here.

One sign-in holds two PINs: a 4-character one for plex.tv/link and a strong one whose
auth URL the QR code carries. Either getting a token finishes the sign-in. The clock, the
interruptible wait and the randomness are injected, so tests run hours of sign-in in
milliseconds, and a front-end (window, terminal, tests) only listens to events.
"""

from __future__ import annotations

import random as _random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

from plexlogin.errors import (
    Cancelled,
    KeyringError,
    PinExpired,
    PlexError,
    PlexLoginError,
    RateLimited,
    ServerError,
    SignInTimeout,
    TokenExpired,
    TokenRejected,
    UnexpectedAnswer,
)
from plexlogin.events import (
    Account,
    Approved,
    CodesReady,
    Event,
    Failed,
    Recovered,
    Renewing,
    Stored,
    StoreFailed,
    Trouble,
    Verified,
)
from plexlogin.i18n import _
from plexlogin.models import Pin, PlexUser
from plexlogin.plex import PlexClient
from plexlogin.secret import Token

if TYPE_CHECKING:
    from datetime import datetime as _datetime

    from plexlogin.devicekey import DeviceProof

#: Plex asks for at most one poll per second per PIN
POLL_INTERVAL = 1.0
#: how long a 429 without Retry-After pauses every request
DEFAULT_RATE_LIMIT_PAUSE = 30.0
#: first and longest pause after a failed request
BACKOFF_START = 2.0
BACKOFF_CAP = 30.0
#: codes that die sooner than this after being shown (vanished, born expired, rejected)
#: were cut short; twice in a row and new ones are made only after a backoff
SHORT_LIVED = 10.0
#: the next codes are made this long before the shown ones expire and swapped in at
#: their deadline, so "Getting a new code…" never shows while plex.tv answers; at most
#: a tenth of the codes' life, as the next codes' life starts when they are made
RENEW_AHEAD = 10.0


@dataclass(frozen=True)
class SignIn:
    """A finished sign-in: the verified account and its token."""

    user: PlexUser
    token: Token = field(repr=False)
    #: when a Plex JWT (JWT sign-in) expires; None for a legacy token
    expires_at: _datetime | None = None


# --- injected seams --------------------------------------------------------------------


class Waiter(Protocol):
    """What the flow waits on: ``threading.Event`` semantics (True once set)."""

    def wait(self, timeout: float | None = None) -> bool: ...

    def set(self) -> None: ...

    def is_set(self) -> bool: ...


class TokenSink(Protocol):
    """Where a verified token goes (:class:`plexlogin.tokens.TokenStore`)."""

    service: str

    def save(self, username: str, token: Token) -> None: ...

    def lasting(self) -> bool: ...


_T = TypeVar("_T")


class _Failure:
    """Sentinel for "this attempt failed, Trouble was reported, try again later"."""


_FAILED = _Failure()


@dataclass
class _Active:
    pin: Pin
    deadline: float
    next_poll: float


# --- the flow --------------------------------------------------------------------------


class SignInFlow:
    """Runs one sign-in from first code to verified token; ``cancel()`` works from any thread."""

    def __init__(
        self,
        client: PlexClient,
        on_event: Callable[[Event], None] = lambda event: None,
        *,
        timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        waiter: Waiter | None = None,
        random: Callable[[], float] = _random.random,
        poll_interval: float = POLL_INTERVAL,
        device: DeviceProof | None = None,
    ) -> None:
        self.client = client
        #: JWT sign-in: PINs carry the device's key, polls prove it, tokens are checked
        self.device = device
        self._emit = on_event
        self._clock = clock
        self._wall_clock = wall_clock
        self._waiter: Waiter = waiter if waiter is not None else threading.Event()
        self._random = random
        self._poll_interval = poll_interval
        self._give_up_at = None if timeout is None else clock() + timeout
        self._pause_until = 0.0
        self._failures = 0
        self._in_trouble = False
        self._last_error: PlexLoginError | None = None
        self._shown_codes = False

    @property
    def clock(self) -> Callable[[], float]:
        """The clock deadlines are measured in."""
        return self._clock

    def cancel(self) -> None:
        """Stop the sign-in as soon as possible (any thread); run() raises Cancelled."""
        self._waiter.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self._waiter.is_set()

    # -- the whole sign-in --

    def run(self) -> SignIn:
        """Show codes, renew them as they expire, poll, and verify the token.

        Raises Cancelled, SignInTimeout, or (when the timeout ran out before any code
        could be shown) the last plex.tv error.
        """
        try:
            return self._run()
        except PlexLoginError as error:
            self._emit(Failed(error))
            raise

    def save(self, result: SignIn, store: TokenSink, username: str) -> None:
        """Store the token; on failure report StoreFailed and re-raise (``result`` keeps it)."""
        try:
            store.save(username, result.token)
        except KeyringError as error:
            self._emit(StoreFailed(error))
            raise
        self._emit(Stored(store.service, username, lasting=store.lasting()))

    def _run(self) -> SignIn:
        renewed = False
        cut_short = 0  # generations of codes in a row that died at once
        upcoming: list[_Active] | None = None  # codes made ahead, shown at the swap
        while True:
            if cut_short >= 2:
                # A server that drops every PIN at once (404 for fresh PINs, expiresAt in
                # the past, every token rejected) must not get new ones in a tight loop.
                backoff = min(BACKOFF_CAP, BACKOFF_START * 2 ** (cut_short - 2))
                error = UnexpectedAnswer("plex.tv keeps ending the sign-in codes at once.")
                self._trouble("plex.tv keeps ending the sign-in codes", backoff, error)
            pins = upcoming if upcoming is not None else self._create_pins()
            shown_at = self._show(pins, renewed)
            renewed = True
            approval, upcoming = self._poll_until_approved(pins, shown_at)
            if approval is not None:
                result = self._verified(*approval)
                if result is not None:
                    return result
                upcoming = None  # after a rejected token, start afresh
            elif upcoming is None:
                self._emit(Renewing(_("The code expired. Getting a new one…")))
            cut_short = cut_short + 1 if self._clock() - shown_at < SHORT_LIVED else 0

    def _verified(self, token: Token, via_qr: bool) -> SignIn | None:
        """Check an approved token; None (and Renewing) when plex.tv rejects it."""
        self._emit(Approved(via_qr))
        try:
            expires_at = self._check_jwt(token)
            user = self._verify(token)
        except TokenRejected:
            self._emit(Renewing(_("plex.tv rejected the sign-in. Getting a new code…")))
            return None
        self._emit(Verified(account_of(user)))
        return SignIn(user, token, expires_at)

    # -- stages --

    def _create_pins(self) -> list[_Active]:
        """Both PINs, retried with backoff until plex.tv makes them."""
        made = self._create_both()
        for strong in (False, True):
            while strong not in made:
                pin = self._attempt(self._new_pin, strong)
                if not isinstance(pin, _Failure):
                    made[strong] = self._activate(pin)
        return [made[False], made[True]]

    def _create_both(self) -> dict[bool, _Active]:
        """One try at both PINs at once: the strong one in a helper thread, so the code
        shows one round trip after the first request rather than two. A PIN that failed
        is left out (and reported, each failure as one step of the backoff)."""
        self._wait_until(self._pause_until)
        strong = _Caught()
        helper = threading.Thread(
            target=strong.run,
            args=(self._new_pin, True),
            name="plexlogin-pin",
            daemon=True,
        )
        helper.start()
        short = _Caught()
        short.run(self._new_pin, False)
        helper.join()
        made: dict[bool, _Active] = {}
        # successes first, so a Recovered never follows this round's Trouble
        for kind, caught in sorted([(False, short), (True, strong)], key=lambda c: c[1].failed):
            pin = self._outcome(caught.get)
            if not isinstance(pin, _Failure):
                made[kind] = self._activate(pin)
        return made

    def _activate(self, pin: Pin) -> _Active:
        now = self._clock()
        return _Active(pin, now + pin.seconds_left(), now)

    def _show(self, pins: list[_Active], renewed: bool) -> float:
        """Emit CodesReady for ``pins`` (short, strong); returns when they were shown."""
        short, strong_pin = pins
        deadline = min(short.deadline, strong_pin.deadline)
        now = self._clock()
        lifetime = deadline - now
        self._shown_codes = True
        self._emit(
            CodesReady(
                code=short.pin.code,
                auth_url=self.client.auth_url(strong_pin.pin.code),
                deadline=deadline,
                lifetime=lifetime,
                expires_at=self._wall_clock() + timedelta(seconds=lifetime),
                renewed=renewed,
            )
        )
        return now

    def _poll_until_approved(
        self, pins: list[_Active], shown_at: float
    ) -> tuple[tuple[Token, bool] | None, list[_Active] | None]:
        """Poll each PIN at most once per interval until one carries a token or they
        expire; also makes the next codes ahead of the deadline (one try).

        The shown codes are polled up to their deadline, the next ones only once shown:
        the person may be typing the old code until the swap, and nobody can type a code
        they have not seen. Codes cut short (shown less than SHORT_LIVED) get no
        successor ahead of time, so the backoff for vanishing codes still applies.
        """
        deadline = min(active.deadline for active in pins)
        lead = min(RENEW_AHEAD, (deadline - shown_at) / 10)
        renew_at = max(deadline - lead, shown_at + SHORT_LIVED)
        upcoming: list[_Active] | None = None
        tried_ahead = renew_at >= deadline
        while True:
            active = min(pins, key=lambda a: a.next_poll)
            wake = min(max(active.next_poll, self._pause_until), deadline)
            self._wait_until(wake if tried_ahead else min(wake, max(renew_at, self._pause_until)))
            if self._clock() >= deadline:
                return None, upcoming
            if self._pause_until > self._clock():
                continue  # a 429 arrived for another request meanwhile
            if not tried_ahead and self._clock() >= renew_at:
                tried_ahead = True
                upcoming = self._create_ahead()
                continue
            approval = self._poll_pin(active)
            if approval is not None:
                return (None, upcoming) if isinstance(approval, PinExpired) else (approval, None)

    def _create_ahead(self) -> list[_Active] | None:
        """The next codes, or None when plex.tv did not make both (renewed at the deadline)."""
        made = self._create_both()
        return [made[False], made[True]] if len(made) == 2 else None

    def _poll_pin(self, active: _Active) -> tuple[Token, bool] | PinExpired | None:
        """Poll one PIN: its token, PinExpired when it is gone, None for "not yet"."""
        # counted from the start of the request, so slow answers never speed us up
        active.next_poll = self._clock() + self._poll_interval
        try:
            pin = self._attempt(self._poll, active.pin.id)
        except PinExpired as gone:
            return gone
        if isinstance(pin, _Failure) or pin.auth_token is None:
            return None
        return pin.auth_token, active.pin.strong

    def _new_pin(self, strong: bool) -> Pin:
        if self.device is None:
            return self.client.create_pin(strong)
        return self.client.create_pin(strong, jwk=self.device.jwk)

    def _poll(self, pin_id: int) -> Pin:
        if self.device is None:
            return self.client.poll_pin(pin_id)
        try:
            return self.client.poll_pin(pin_id, device_jwt=self.device.current())
        except TokenExpired:
            # the device JWT died on the way (a slow answer, a clock ahead of ours): one
            # more poll over a fresh nonce, at once, rather than a backoff
            self.device.forget()
            return self.client.poll_pin(pin_id, device_jwt=self.device.current())

    def _check_jwt(self, token: Token) -> _datetime | None:
        """JWT sign-in: the Plex JWT must check out before anything trusts it.

        Signed by one of plex.tv's keys, for our client, bound to our key; a token that is
        not is TokenRejected (new codes), so a misbehaving server never gets one stored.
        """
        if self.device is None:
            return None
        while True:
            keys = self._attempt(self.client.auth_keys)
            if not isinstance(keys, _Failure):
                break
        try:
            return self.device.check(token, keys).expires_at
        except UnexpectedAnswer as refused:
            raise TokenRejected(str(refused)) from None

    def _verify(self, token: Token) -> PlexUser:
        while True:
            user = self._attempt(self.client.get_user, token)
            if not isinstance(user, _Failure):
                return user

    # -- one request, with pauses and trouble reporting --

    def _attempt(self, call: Callable[..., _T], *args: object) -> _T | _Failure:
        """Make one request after any pause; PinExpired and TokenRejected pass through."""
        self._wait_until(self._pause_until)
        return self._outcome(call, *args)

    def _outcome(self, call: Callable[..., _T], *args: object) -> _T | _Failure:
        """Make one request now, reporting trouble or recovery."""
        try:
            result = call(*args)
        except (PinExpired, TokenRejected):
            self._recovered()
            raise
        except RateLimited as error:
            pause = DEFAULT_RATE_LIMIT_PAUSE if error.retry_after is None else error.retry_after
            self._trouble("plex.tv is busy", max(pause, self._poll_interval), error)
            return _FAILED
        except PlexError as error:
            self._failures += 1
            backoff = min(BACKOFF_CAP, BACKOFF_START * 2 ** (self._failures - 1))
            # jitter in [0.5, 1.0] x backoff keeps many clients from retrying in lockstep
            self._trouble(_trouble_phrase(error), backoff * (0.5 + self._random() / 2), error)
            return _FAILED
        self._recovered()
        return result

    def _trouble(self, message: str, pause: float, error: PlexLoginError) -> None:
        self._last_error = error
        self._in_trouble = True
        self._pause_until = self._clock() + pause
        self._emit(Trouble(message, self._pause_until, error))

    def _recovered(self) -> None:
        self._failures = 0
        if self._in_trouble:
            self._in_trouble = False
            self._emit(Recovered())

    def _wait_until(self, when: float) -> None:
        """Sleep until ``when`` (flow clock); Cancelled/SignInTimeout end the wait at once."""
        while True:
            if self._waiter.is_set():
                raise Cancelled()
            now = self._clock()
            if self._give_up_at is not None and now >= self._give_up_at:
                raise self._timeout_error()
            remaining = when - now
            if remaining <= 0:
                return
            if self._give_up_at is not None:
                remaining = min(remaining, self._give_up_at - now)
            if self._waiter.wait(remaining):
                raise Cancelled()

    def timeout_error(self) -> PlexLoginError:
        """What run() raises when ``timeout`` runs out, for a front-end that has to end the
        run itself because a request to plex.tv is stuck past the deadline."""
        return self._timeout_error()

    def _timeout_error(self) -> PlexLoginError:
        if not self._shown_codes and self._last_error is not None:
            # the person never saw a code: this is "plex.tv unreachable", not "too slow"
            reason = _trouble_phrase(self._last_error)
            # TRANSLATORS: {reason} is a short phrase such as "Can't reach plex.tv"
            gave_up = PlexError(_("Gave up: {reason}.").format(reason=reason))
            gave_up.kind = self._last_error.kind
            return gave_up
        return SignInTimeout()


class _Caught:
    """What a call made on a helper thread returned or raised, to judge on the flow's."""

    def __init__(self) -> None:
        self._result: Pin | None = None
        self._error: BaseException | None = None

    def run(self, call: Callable[[bool], Pin], strong: bool) -> None:
        try:
            self._result = call(strong)
        except BaseException as error:  # handed over to get()
            self._error = error

    @property
    def failed(self) -> bool:
        return self._error is not None

    def get(self) -> Pin:
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def account_of(user: PlexUser) -> Account:
    """What a front-end shows of ``user`` (no requests-made model crosses to it)."""
    return Account(user.username, user.display_name, user.title, user.thumb, user.uuid)


def _trouble_phrase(error: PlexLoginError) -> str:
    """A short phrase for the status line."""
    if isinstance(error, RateLimited):
        return _("plex.tv is busy")
    if isinstance(error, ServerError):
        return _("plex.tv is having problems")
    if isinstance(error, UnexpectedAnswer):
        return _("plex.tv sent an unexpected answer")
    return _("Can't reach plex.tv")
