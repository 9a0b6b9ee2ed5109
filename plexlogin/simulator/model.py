"""The simulator's state: PINs, users, tokens, faults, the request log and the server clock.

No HTTP here: the routes ask this model questions through its public methods and turn the
answers into plex.tv's JSON or XML. Every method takes the one lock itself, so callers
never see half-made state.
"""

from __future__ import annotations

import math
import secrets
import string
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from plexlogin.simulator.accounts import (
    TOKEN_PREFIX,
    Grant,
    Member,
    Membership,
    Refused,
    User,
)
from plexlogin.simulator.profiles import Home, HomeProfile

if TYPE_CHECKING:
    from plexlogin.simulator.devices import DeviceAuthority


_API: Final = ("create", "poll", "user", "home_users", "switch")
_JWT_API: Final = ("nonce", "auth_keys", "auth_token", "auth_jwk")
Endpoint = Literal[
    "create", "poll", "user", "home_users", "switch",
    "nonce", "auth_keys", "auth_token", "auth_jwk", "other",
]  # fmt: skip
FaultEndpoint = Literal[
    "create", "poll", "user", "home_users", "switch",
    "nonce", "auth_keys", "auth_token", "auth_jwk", "any",
]  # fmt: skip
FAULT_ENDPOINTS: Final = frozenset({*_API, *_JWT_API, "any"})
NonHomeAnswer = Literal["single", "not_found"]

_SHORT_CODE_ALPHABET: Final = string.ascii_uppercase + string.digits
_STRONG_CODE_ALPHABET: Final = string.ascii_lowercase + string.digits
_TOKEN_ALPHABET: Final = string.ascii_letters + string.digits
# A fault's body is held in memory and sent whole: one control request must not be able to
# blow the simulator up (800 MB were seen). Above the client's own 1 MiB answer cap, so
# oversize answers stay testable.
MAX_FAULT_BODY: Final = 4 * 1024 * 1024
# RFC 9110 token characters: what a header name may be made of.
_TOKEN_CHARS: Final = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
_SHORT_CODE_LENGTH: Final = 4
_STRONG_CODE_LENGTH: Final = 25


# --- public records -------------------------------------------------------------------


@dataclass(frozen=True)
class SimPin:
    """A snapshot of one live PIN, as :meth:`Simulator.pins` reports it.

    ``created_at`` and ``expires_at`` are timezone-aware UTC datetimes in the *server*
    clock (which includes the simulator's ``clock_offset``).
    """

    id: int
    code: str
    strong: bool
    client_id: str
    product: str
    created_at: datetime
    expires_at: datetime
    approved: bool
    token: str | None


@dataclass(frozen=True)
class RequestRecord:
    """One API request the simulator answered (or dropped), for tests to inspect.

    ``at`` is ``time.monotonic()`` when the request arrived. ``status`` is the status
    line that was sent, or 0 when the connection was dropped without an answer.
    ``path`` has no query string; ``query`` and ``headers`` hold what the client sent
    (any ``X-Plex-Token`` that is not a simulator token is redacted).
    Control (``/_sim/...``) and web-page requests are not recorded.
    """

    at: float
    method: str
    path: str
    endpoint: Endpoint
    pin_id: int | None
    status: int
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Pin:
    """A PIN as the model keeps it; the model hands out copies, never this object itself."""

    id: int
    code: str
    strong: bool
    client_id: str
    product: str
    created: float  # server clock, seconds since the epoch
    lifetime: float
    token: str | None = None
    jwk: dict[str, Any] | None = None  # JWT sign-in: the device's public key
    # plex.tv writes some timestamps with milliseconds and some without; a client must
    # read both, so every other PIN gets them.
    millis: bool = False

    @property
    def expires(self) -> float:
        """When the PIN stops answering, on the server clock."""
        return self.created + self.lifetime

    def seconds_left(self, now: float) -> float:
        """Seconds until expiry at server time ``now``.

        Computed from the age rather than ``expires - now``, which loses precision.
        """
        return self.lifetime - (now - self.created)

    def snapshot(self) -> SimPin:
        """The public, frozen view of this PIN."""
        return SimPin(
            id=self.id,
            code=self.code,
            strong=self.strong,
            client_id=self.client_id,
            product=self.product,
            created_at=datetime.fromtimestamp(self.created, timezone.utc),
            expires_at=datetime.fromtimestamp(self.expires, timezone.utc),
            approved=self.token is not None,
            token=self.token,
        )


@dataclass
class Fault:
    """How to answer the next requests to one endpoint differently (see ``add_fault``)."""

    endpoint: FaultEndpoint
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body_size: int | None = None
    remaining: int = 1  # -1: until clear_faults()

    def matches(self, endpoint: Endpoint) -> bool:
        """Whether a request to ``endpoint`` meets this fault."""
        return self.endpoint in ("any", endpoint)

    @property
    def canned(self) -> bool:
        """Whether this fault replaces the answer (rather than only delaying or decorating it)."""
        return self.status is not None or self.body is not None or self.body_size is not None

    def check(self) -> None:
        """Raise ``ValueError`` for arguments that make no sense."""
        fault_endpoint(self.endpoint)
        if self.remaining == 0 or self.remaining < -1:
            raise ValueError("times must be positive, or -1 for 'until clear_faults()'")
        if self.delay < 0 or not math.isfinite(self.delay):
            raise ValueError("delay must be a non-negative number of seconds")
        if self.body_size is not None and self.body_size < 0:
            raise ValueError("body_size must not be negative")
        if self.status is not None and not 100 <= self.status <= 999:
            raise ValueError("status must be a three-digit HTTP status")
        if max(len(self.body or b""), self.body_size or 0) > MAX_FAULT_BODY:
            raise ValueError(f"a fault body must not exceed {MAX_FAULT_BODY} bytes")
        values = {"Retry-After": self.retry_after, "Content-Type": self.content_type}
        for name, value in [*values.items(), *self.headers.items()]:
            _check_header(name, value)


def _check_header(name: str, value: str | None) -> None:
    # A CR or LF would let a fault write headers (or a whole answer) of its own.
    if not name or not set(name) <= _TOKEN_CHARS:
        raise ValueError(f"{name!r} is not a valid header name")
    if value is None:
        return
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in value):
        raise ValueError(f"the value of header {name!r} has control characters")
    if any(ord(c) > 255 for c in value):  # http.server writes headers as Latin-1
        raise ValueError(f"the value of header {name!r} is not Latin-1")


@dataclass(frozen=True)
class Settings:
    """What a simulator run is configured with (see :class:`Simulator`)."""

    pin_lifetime: float = 900.0
    strong_pin_lifetime: float = 1800.0
    auto_approve_after: float | None = None
    username: str = "demo-user"
    clock_offset: float = 0.0
    home: Home | None = None
    non_home_answer: NonHomeAnswer = "single"
    pin_error_status: int = 403
    jwt_lifetime: float = 7 * 86_400.0

    def check(self) -> None:
        """Raise ``ValueError`` for a configuration that makes no sense."""
        if self.pin_lifetime <= 0 or self.strong_pin_lifetime <= 0:
            raise ValueError("PIN lifetimes must be positive")
        if self.auto_approve_after is not None and self.auto_approve_after < 0:
            raise ValueError("auto_approve_after must not be negative")
        if not self.username:
            raise ValueError("username must not be empty")
        if self.home is not None:
            self.home.check()
        if self.non_home_answer not in ("single", "not_found"):
            raise ValueError("non_home_answer must be 'single' or 'not_found'")
        if self.jwt_lifetime <= 0:
            raise ValueError("jwt_lifetime must be positive")
        if self.pin_error_status not in (401, 403):
            raise ValueError("plex.tv answers a wrong profile PIN with 401 or 403")


# --- the model --------------------------------------------------------------------------


class Model:
    """plex.tv's side of the sign-in, in memory. Thread-safe: every method takes the lock."""

    def __init__(self, settings: Settings) -> None:
        """Start empty, with the given lifetimes, demo approval, username and clock offset."""
        settings.check()
        self.settings = settings
        # One lock for all state: requests are tiny, contention is irrelevant, and a
        # single lock cannot deadlock against itself.
        self._lock = threading.Lock()
        self._advanced = 0.0  # advance_clock()
        self._pins: dict[int, Pin] = {}  # insertion order is creation order
        # Real PIN ids are large and not sequential from 1; a random start catches
        # clients that assume small ids or ids that survive a restart.
        self._next_pin_id = 1_000_000_000 + secrets.randbelow(900_000_000)
        self._pins_made = 0
        self._tokens: dict[str, Grant] = {}
        self._revoked: set[str] = set()
        self._users: dict[str, User] = {}  # uuid -> account
        self._by_username: dict[str, str] = {}  # username -> uuid
        self._home_id = 100_000 + secrets.randbelow(900_000)
        self._members = tuple(
            Member(profile, self._new_user(profile.username, profile.title, profile))
            for profile in (settings.home.profiles if settings.home else ())
        )
        self._faults: list[Fault] = []
        self._log: list[RequestRecord] = []
        self._devices: DeviceAuthority | None = None
        self._devices_lock = threading.Lock()

    @property
    def username(self) -> str:
        """Who a PIN is signed in as when nobody says otherwise."""
        return self.settings.username

    def now(self) -> float:
        """The server clock: the real time plus the configured offset."""
        return time.time() + self.settings.clock_offset + self._advanced

    def advance_clock(self, seconds: float) -> None:
        """Move the server clock ahead: PINs, nonces and JWTs age without a wait."""
        if seconds < 0 or not math.isfinite(seconds):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._advanced += seconds

    @property
    def devices(self) -> DeviceAuthority:
        """JWT sign-in's nonces and keys; PyJWT is loaded the first time they are needed."""
        with self._devices_lock:
            if self._devices is None:
                from plexlogin.simulator.devices import DeviceAuthority

                self._devices = DeviceAuthority(self.now, self.settings.jwt_lifetime)
            return self._devices

    # --- PINs ---------------------------------------------------------------------------

    def create_pin(
        self, *, strong: bool, client_id: str, product: str, jwk: dict[str, Any] | None = None
    ) -> Pin:
        """Make a new PIN with a code unique among the live ones; returns a copy.

        With ``jwk`` it is a JWT sign-in: approving it registers the key and issues a Plex JWT.
        """
        with self._lock:
            self._tick()
            pin = self._new_pin(strong=strong, client_id=client_id, product=product)
            pin.jwk = jwk
            return replace(pin)

    def find_pin(self, pin_id: int | None, client_id: str) -> Pin | None:
        """A copy of the live PIN ``pin_id`` if ``client_id`` made it, else None.

        plex.tv does not tell "someone else's PIN" from "no such PIN".
        """
        with self._lock:
            self._tick()
            pin = self._pins.get(pin_id) if pin_id is not None else None
            if pin is None or pin.client_id != client_id:
                return None
            return replace(pin)

    def pins(self) -> list[SimPin]:
        """A snapshot of the live PINs, oldest first (expired ones are already gone)."""
        with self._lock:
            self._tick()
            return [pin.snapshot() for pin in self._pins.values()]

    def pending(self) -> list[Pin]:
        """Copies of the PINs nobody has approved yet, oldest first."""
        with self._lock:
            self._tick()
            return [replace(pin) for pin in self._pins.values() if pin.token is None]

    def approve(
        self,
        pin_id: int | None = None,
        code: str | None = None,
        username: str | None = None,
        *,
        allow_strong: bool = True,
    ) -> SimPin:
        """Sign the matching pending PIN in; ``KeyError`` if there is none.

        Chooses by ``pin_id`` or ``code`` (case-insensitive), or the oldest pending PIN
        when both are None. ``allow_strong=False`` is plex.tv/link: only short codes.
        """
        with self._lock:
            self._tick()
            pin = self._find_pending(pin_id, code, allow_strong=allow_strong)
            self._approve(pin, username or self.settings.username)
            return pin.snapshot()

    def expire(self, pin_id: int | None = None) -> None:
        """Forget one PIN (or all when ``pin_id`` is None); an unknown id is not an error."""
        with self._lock:
            if pin_id is None:
                self._pins.clear()
            else:
                self._pins.pop(pin_id, None)

    # --- tokens -------------------------------------------------------------------------

    def revoke(self, token: str) -> None:
        """Make the token's user lookups fail from now on."""
        with self._lock:
            self._revoked.add(token)

    def authenticate(self, token: str | None) -> tuple[User, Grant]:
        """The account ``token`` signs in and what it was issued for.

        :class:`Refused`: 401 for an unknown or revoked token, 498 for an expired Plex JWT.
        """
        with self._lock:
            if token is None or token in self._revoked:
                raise Refused(401)
            grant = self._tokens.get(token)
        if grant is None:
            if token.count(".") != 2:  # not even shaped like a JWT
                raise Refused(401)
            jwt_grant = self.devices.grant_of(token)
            grant = Grant(jwt_grant.uuid, jwt_grant.client_id, jwt_grant.kid)
        with self._lock:
            user = self._users.get(grant.uuid)
        if user is None:
            raise Refused(401)
        return user, grant

    # --- JWT device keys ----------------------------------------------------------------

    def renew(self, device_jwt: str | None, client_id: str | None) -> str:
        """A new Plex JWT for the registered key that ``device_jwt`` proves (or Refused).

        A legacy token that registered the key stops working now, as on plex.tv.
        """
        record = self.devices.renewal(device_jwt, client_id)
        with self._lock:
            user = self._users[record.uuid]
            if record.legacy_token is not None:
                self._revoked.add(record.legacy_token)
        return self.devices.issue(user, record.client_id, record.jwk["kid"])

    def register_key(self, token: str | None, jwk: dict[str, Any], client_id: str) -> None:
        """Register ``jwk`` for ``token``'s account on ``client_id`` (Refused: 401, 422)."""
        user, grant = self.authenticate(token)
        legacy = token if grant.kid is None else None
        self.devices.register(jwk, client_id or grant.client_id, user.uuid, legacy)

    # --- Plex Home ----------------------------------------------------------------------

    def membership(self, user: User) -> Membership:
        """``user``'s Home (no members when the account is not in one)."""
        settings = self.settings
        if settings.home is None or not any(m.user.uuid == user.uuid for m in self._members):
            return Membership(self._home_id + 1, user.title, ())
        return Membership(self._home_id, settings.home.name, self._members)

    def switch(
        self, token: str | None, uuid: str, pin: str | None, client_id: str
    ) -> tuple[User, str]:
        """Sign Home profile ``uuid`` in for ``token``'s account: its account and a new token.

        :class:`Refused` for a bad ``token``. ``KeyError``: no such profile in the account's
        Home. ``PermissionError``: the profile is protected and ``pin`` is not its PIN. A
        Plex JWT gets a Plex JWT bound to the same device key, a legacy token a legacy one.
        """
        user, grant = self.authenticate(token)
        member = next((m for m in self.membership(user).members if m.user.uuid == uuid), None)
        if member is None:
            raise KeyError(uuid)
        wanted = member.profile.pin
        if wanted is not None and not (
            pin and secrets.compare_digest(pin.encode(), wanted.encode())
        ):
            raise PermissionError("a valid PIN is required")
        if grant.kid is not None:
            return member.user, self.devices.issue(member.user, client_id, grant.kid)
        with self._lock:
            return member.user, self._issue(member.user, client_id)

    # --- faults -------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Queue ``fault`` after the others (checked first: ``ValueError`` if it is bad)."""
        fault.check()
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Forget every fault that has not been used up."""
        with self._lock:
            self._faults.clear()

    def take_fault(self, endpoint: Endpoint) -> Fault | None:
        """The first fault a request to ``endpoint`` meets, counting it as used once."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # --- the request log ----------------------------------------------------------------

    def record(self, record: RequestRecord) -> None:
        """Add an answered (or dropped) API request to the log."""
        with self._lock:
            # Keep arrival order even when a delayed request is answered after later ones.
            index = len(self._log)
            while index > 0 and self._log[index - 1].at > record.at:
                index -= 1
            self._log.insert(index, record)

    def requests(self) -> list[RequestRecord]:
        """Every API request so far, in order of arrival."""
        with self._lock:
            return list(self._log)

    # --- internals (callers hold the lock) ----------------------------------------------

    def _tick(self) -> None:
        """Let time pass: approve overdue PINs in demo mode, then forget expired ones."""
        now = self.now()
        after = self.settings.auto_approve_after
        if after is not None:
            for pin in self._pins.values():
                alive = pin.seconds_left(now) > 0
                if pin.token is None and alive and now - pin.created >= after:
                    self._approve(pin, self.settings.username)
        for pin in [p for p in self._pins.values() if p.seconds_left(now) <= 0]:
            del self._pins[pin.id]

    def _find_pending(self, pin_id: int | None, code: str | None, *, allow_strong: bool) -> Pin:
        wanted = code.strip().casefold() if code is not None else None
        for pin in self._pins.values():  # oldest first
            if pin.token is not None or (pin.strong and not allow_strong):
                continue
            if pin_id is not None and pin.id != pin_id:
                continue
            if wanted is not None and pin.code.casefold() != wanted:
                continue
            return pin
        raise KeyError("no such pending PIN")

    def _approve(self, pin: Pin, username: str) -> None:
        user = self._user(username)
        if pin.jwk is None:
            pin.token = self._issue(user, pin.client_id)
            return
        self.devices.register(pin.jwk, pin.client_id, user.uuid)
        pin.token = self.devices.issue(user, pin.client_id, pin.jwk["kid"])

    def _issue(self, user: User, client_id: str) -> str:
        token = TOKEN_PREFIX + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))
        self._tokens[token] = Grant(user.uuid, client_id)
        return token

    def _user(self, username: str) -> User:
        uuid = self._by_username.get(username.casefold())
        return self._users[uuid] if uuid is not None else self._new_user(username, username)

    def _new_user(
        self, username: str | None, title: str, profile: HomeProfile | None = None
    ) -> User:
        user = User(
            id=10_000_000 + secrets.randbelow(90_000_000),
            uuid=secrets.token_hex(8),
            username=username,
            joined=int(self.now()) - 400 * 86_400,
            title=title,
            restriction_profile=profile.restriction_profile if profile else None,
        )
        self._users[user.uuid] = user
        if username is not None:
            self._by_username[username.casefold()] = user.uuid
        return user

    def _new_pin(self, *, strong: bool, client_id: str, product: str) -> Pin:
        live_codes = {pin.code for pin in self._pins.values()}
        alphabet, length = (
            (_STRONG_CODE_ALPHABET, _STRONG_CODE_LENGTH)
            if strong
            else (_SHORT_CODE_ALPHABET, _SHORT_CODE_LENGTH)
        )
        while True:
            code = "".join(secrets.choice(alphabet) for _ in range(length))
            if code not in live_codes:
                break
        settings = self.settings
        pin = Pin(
            id=self._next_pin_id,
            code=code,
            strong=strong,
            client_id=client_id,
            product=product,
            created=self.now(),
            lifetime=settings.strong_pin_lifetime if strong else settings.pin_lifetime,
            millis=self._pins_made % 2 == 1,
        )
        self._pins_made += 1
        self._next_pin_id += 1 + secrets.randbelow(50)  # other people's PINs in between
        self._pins[pin.id] = pin
        return pin


def fault_endpoint(name: str) -> FaultEndpoint:
    """``name`` as a fault endpoint, or ``ValueError``."""
    if name not in FAULT_ENDPOINTS:
        raise ValueError(f"endpoint must be one of {sorted(FAULT_ENDPOINTS)}, not {name!r}")
    return cast(FaultEndpoint, name)
