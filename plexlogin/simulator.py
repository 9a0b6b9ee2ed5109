"""A local stand-in for plex.tv's PIN sign-in API, for tests and ``plexlogin --demo``.

plex.tv is never reachable from the tests or the offline demo, so this module answers
the three calls plexlogin makes (create a PIN, poll it, check a token) the way Plex
documents them, plus what a person needs to play the other side: a small web page that
approves a PIN (``/``), a stand-in for ``plex.tv/link`` (``/link``) and one for
``app.plex.tv/auth`` (``/auth``).

Tests steer it in-process (:meth:`Simulator.approve`, :meth:`Simulator.add_fault`, ...)
or, when they drive plexlogin as a subprocess, over HTTP with JSON bodies:

- ``POST /_sim/approve {"id"?, "code"?, "username"?}`` -> ``{"token", "id"}`` (404: none pending)
- ``POST /_sim/expire {"id"?}``, ``POST /_sim/revoke {"token"}``, ``POST /_sim/clear``
- ``POST /_sim/fault {"endpoint", "status"?, "retry_after"?, "delay"?, "drop"?, "body"?,
  "content_type"?, "headers"?, "body_size"?, "times"?}`` (same meaning as :meth:`add_fault`)
- ``GET /_sim/state`` -> ``{"pins": [...], "requests": [...]}``

Run it by hand with ``python -m plexlogin.simulator --help``.

Every token it issues starts with ``SIMULATED-``: it never sees or makes a real one.
Standard library only, so that the demo and the tests need nothing else.
"""

from __future__ import annotations

import argparse
import email.utils
import html
import json
import logging
import math
import secrets
import signal
import socket
import string
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any, Final, Literal, cast
from urllib.parse import parse_qs, quote, urlsplit

__all__ = ["TOKEN_PREFIX", "RequestRecord", "SimPin", "Simulator", "main"]

logger = logging.getLogger(__name__)

TOKEN_PREFIX: Final = "SIMULATED-"
"""Every token the simulator issues starts with this, so a fake one is never mistaken for real."""

Endpoint = Literal["create", "poll", "user", "other"]
FaultEndpoint = Literal["create", "poll", "user", "any"]
_FAULT_ENDPOINTS: Final = frozenset({"create", "poll", "user", "any"})

_JSON: Final = "application/json; charset=utf-8"
_XML: Final = "application/xml; charset=utf-8"
_HTML: Final = "text/html; charset=utf-8"

_SHORT_CODE_ALPHABET: Final = string.ascii_uppercase + string.digits
_STRONG_CODE_ALPHABET: Final = string.ascii_lowercase + string.digits
_TOKEN_ALPHABET: Final = string.ascii_letters + string.digits
_SHORT_CODE_LENGTH: Final = 4
_STRONG_CODE_LENGTH: Final = 25

# Request bodies are tiny (a form field, a small JSON object); anything bigger is a bug
# or an attack and is refused before it is read into memory.
_MAX_REQUEST_BODY: Final = 1024 * 1024
# Short enough that stop() is prompt, long enough not to spin.
_SERVE_POLL_INTERVAL: Final = 0.05
# A keep-alive connection that stays silent this long is closed, so no thread lives forever.
_IDLE_CONNECTION_TIMEOUT: Final = 60.0
# How long stop() waits for in-flight handlers to notice that the server is going away.
_STOP_GRACE: Final = 1.0

_ERROR_CLIENT_ID_MISSING: Final = {
    "code": 1000,
    "message": "X-Plex-Client-Identifier is missing",
    "status": 400,
}
_ERROR_PIN_NOT_FOUND: Final = {"code": 1020, "message": "Code not found or expired", "status": 404}
# plex.tv's documented 401 carries no "status" member; keep it exactly so.
_ERROR_NOT_AUTHENTICATED: Final = {"code": 1001, "message": "User could not be authenticated"}
# Not documented by Plex: the simulator's own answer for paths it does not know.
_ERROR_NOT_FOUND: Final = {"code": 404, "message": "Not found", "status": 404}

# A plausible, fixed geolocation: plex.tv reports where the request came from.
_LOCATION: Final[Mapping[str, object]] = {
    "code": "US",
    "european_union_member": False,
    "continent_code": "NA",
    "country": "United States",
    "city": "Springfield",
    "time_zone": "America/Chicago",
    "postal_code": "62701",
    "in_privacy_restricted_country": False,
    "subdivisions": "Illinois",
    "coordinates": "39.8017, -89.6436",
}


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


# --- internal state -------------------------------------------------------------------


@dataclass
class _Pin:
    id: int
    code: str
    strong: bool
    client_id: str
    product: str
    created: float  # server clock, seconds since the epoch
    lifetime: float
    token: str | None = None

    @property
    def expires(self) -> float:
        return self.created + self.lifetime

    def seconds_left(self, now: float) -> float:
        # Computed from the age rather than `expires - now` so that a fresh PIN reports
        # exactly its lifetime (900, not 900.0000001 rounded up to 901).
        return self.lifetime - (now - self.created)


@dataclass
class _User:
    id: int
    uuid: str
    username: str
    joined: int


@dataclass
class _Fault:
    endpoint: FaultEndpoint
    status: int | None
    retry_after: str | None
    delay: float
    drop: bool
    body: bytes | None
    content_type: str | None
    headers: dict[str, str]
    body_size: int | None
    remaining: int  # -1: until clear_faults()

    def matches(self, endpoint: Endpoint) -> bool:
        return self.endpoint in ("any", endpoint)

    @property
    def canned(self) -> bool:
        """Whether this fault replaces the answer (rather than only delaying or decorating it)."""
        return self.status is not None or self.body is not None or self.body_size is not None


@dataclass
class _Answer:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pin_id: int | None = None


class _BadRequest(Exception):
    """The request cannot be read; answered with 400 and a closed connection."""


# --- the simulator --------------------------------------------------------------------


class Simulator:
    """A plex.tv stand-in served over loopback HTTP from a daemon thread.

    Use it as a context manager (``with Simulator() as sim: ...``) or call
    :meth:`start` and :meth:`stop`. All methods are thread-safe.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        pin_lifetime: float = 900.0,
        strong_pin_lifetime: float = 1800.0,
        auto_approve_after: float | None = None,
        username: str = "demo-user",
        clock_offset: float = 0.0,
    ) -> None:
        """Configure the simulator; nothing is bound until :meth:`start`.

        ``auto_approve_after``: approve a pending PIN by itself this many seconds after
        it was created (for the demo). ``clock_offset``: the server clock runs this many
        seconds ahead of ``time.time()``, to simulate a client whose clock is off.
        """
        if pin_lifetime <= 0 or strong_pin_lifetime <= 0:
            raise ValueError("PIN lifetimes must be positive")
        if auto_approve_after is not None and auto_approve_after < 0:
            raise ValueError("auto_approve_after must not be negative")
        if not username:
            raise ValueError("username must not be empty")
        self._host = host
        self._port = port
        self._pin_lifetime = pin_lifetime
        self._strong_pin_lifetime = strong_pin_lifetime
        self._auto_approve_after = auto_approve_after
        self._username = username
        self._clock_offset = clock_offset

        # One lock for all state: requests are tiny, contention is irrelevant, and a
        # single lock cannot deadlock against itself.
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pins: dict[int, _Pin] = {}  # insertion order is creation order
        # Real PIN ids are large and not sequential from 1; a random start catches
        # clients that assume small ids or ids that survive a restart.
        self._next_pin_id = 1_000_000_000 + secrets.randbelow(900_000_000)
        self._tokens: dict[str, str] = {}  # token -> username
        self._revoked: set[str] = set()
        self._users: dict[str, _User] = {}
        self._faults: list[_Fault] = []
        self._log: list[RequestRecord] = []
        self._connections: set[socket.socket] = set()

        self._stopping = threading.Event()
        self._server: _SimServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> Simulator:
        """Bind the socket and serve in a daemon thread; returns ``self``."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped Simulator cannot be started again")
            if self._server is not None:
                return self
            server = _SimServer((self._host, self._port), self)
            self._server = server
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _SERVE_POLL_INTERVAL},
            name=f"plexlogin-simulator:{server.server_address[1]}",
            daemon=True,
        )
        self._thread = thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call more than once.

        Returns promptly even while a delayed answer is pending: such a request is
        dropped instead of answered.
        """
        with self._lock:
            server = self._server
            if self._stopped or server is None:
                self._stopped = True
                return
            self._stopped = True
        self._stopping.set()
        server.shutdown()
        server.server_close()
        # A connection that registers after this snapshot sees _stopping and hangs up
        # by itself (see _Handler.setup).
        with self._lock:
            connections = list(self._connections)
        # Idle keep-alive connections block their handler thread in a read; shutting the
        # socket down wakes it up so that it closes the socket itself.
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + _STOP_GRACE
        with self._idle:
            while self._connections:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._idle.wait(remaining)
        if self._thread is not None:
            self._thread.join(_STOP_GRACE)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        server = self._server
        if server is None:
            raise RuntimeError("the Simulator has not been started")
        host, port = server.server_address[:2]
        assert isinstance(host, str)
        if ":" in host:  # IPv6 literals need brackets in a URL
            host = f"[{host}]"
        return f"http://{host}:{port}"

    # --- inspection --------------------------------------------------------------------

    def pins(self) -> list[SimPin]:
        """A snapshot of the live PINs, oldest first (expired ones are already gone)."""
        with self._lock:
            self._tick()
            return [self._snapshot(pin) for pin in self._pins.values()]

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request so far, in order of arrival.

        A request appears once it is answered or dropped (a delayed one after its delay).
        """
        with self._lock:
            return list(self._log)

    # --- the other side of the sign-in -------------------------------------------------

    def approve(
        self, pin_id: int | None = None, *, code: str | None = None, username: str | None = None
    ) -> str:
        """Sign a pending PIN in, as the person would in the browser; returns the token.

        Chooses by ``pin_id`` or ``code`` (case-insensitive), or the oldest pending PIN
        when both are None. Raises ``KeyError`` when no pending PIN matches.
        """
        approved = self._approve_pending(pin_id, code, username, allow_strong=True)
        assert approved.token is not None
        return approved.token

    def expire(self, pin_id: int | None = None) -> None:
        """Forget one PIN (or all when ``pin_id`` is None): its polls answer 404/1020.

        An unknown id is not an error: the PIN may already have expired by itself.
        """
        with self._lock:
            if pin_id is None:
                self._pins.clear()
            else:
                self._pins.pop(pin_id, None)

    def revoke(self, token: str) -> None:
        """Make ``/api/v2/user`` answer 401 for ``token`` from now on."""
        with self._lock:
            self._revoked.add(token)

    # --- faults --------------------------------------------------------------------------

    def add_fault(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        retry_after: str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        body: bytes | str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        body_size: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests to ``endpoint`` differently (-1: until cleared).

        ``endpoint`` is ``"create"``, ``"poll"``, ``"user"`` or ``"any"`` (every API
        request). Faults are used in the order they were added.

        - ``status``, ``body``, ``body_size``: replace the answer (the request is not
          processed). ``status`` defaults to 200 and the body to empty; ``body_size`` makes
          a body of exactly that many bytes (``body`` repeated, or JSON padding).
        - ``delay``: wait that long first; with no replacement the normal answer follows.
        - ``drop``: close the connection. Alone: no answer at all (``requests`` raises
          ``ConnectionError``). With a replacement: the status line, the headers and half
          the body are sent, then the connection closes (``ChunkedEncodingError``).
        - ``retry_after``, ``headers``, ``content_type``: set on the answer, the normal
          one included (``retry_after`` goes out exactly as given).
        """
        if endpoint not in _FAULT_ENDPOINTS:
            raise ValueError(
                f"endpoint must be one of {sorted(_FAULT_ENDPOINTS)}, not {endpoint!r}"
            )
        if times == 0 or times < -1:
            raise ValueError("times must be positive, or -1 for 'until clear_faults()'")
        if delay < 0 or not math.isfinite(delay):
            raise ValueError("delay must be a non-negative number of seconds")
        if body_size is not None and body_size < 0:
            raise ValueError("body_size must not be negative")
        if status is not None and not 100 <= status <= 999:
            raise ValueError("status must be a three-digit HTTP status")
        fault = _Fault(
            endpoint=cast(FaultEndpoint, endpoint),  # checked against _FAULT_ENDPOINTS above
            status=status,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            body=body.encode() if isinstance(body, str) else body,
            content_type=content_type,
            headers=dict(headers or {}),
            body_size=body_size,
            remaining=times,
        )
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Forget every fault that has not been used up."""
        with self._lock:
            self._faults.clear()

    # --- internals (callers hold self._lock unless noted) -------------------------------

    def _now(self) -> float:
        """The server clock: the real time plus the configured offset (no lock needed)."""
        return time.time() + self._clock_offset

    def _tick(self) -> None:
        """Let time pass: approve overdue PINs in demo mode, then forget expired ones."""
        now = self._now()
        if self._auto_approve_after is not None:
            for pin in self._pins.values():
                alive = pin.seconds_left(now) > 0
                if pin.token is None and alive and now - pin.created >= self._auto_approve_after:
                    self._approve_locked(pin, self._username)
        for pin in [p for p in self._pins.values() if p.seconds_left(now) <= 0]:
            del self._pins[pin.id]

    def _snapshot(self, pin: _Pin) -> SimPin:
        return SimPin(
            id=pin.id,
            code=pin.code,
            strong=pin.strong,
            client_id=pin.client_id,
            product=pin.product,
            created_at=datetime.fromtimestamp(pin.created, timezone.utc),
            expires_at=datetime.fromtimestamp(pin.expires, timezone.utc),
            approved=pin.token is not None,
            token=pin.token,
        )

    def _find_pending(self, pin_id: int | None, code: str | None, *, allow_strong: bool) -> _Pin:
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

    def _approve_pending(
        self, pin_id: int | None, code: str | None, username: str | None, *, allow_strong: bool
    ) -> SimPin:
        """Approve the matching pending PIN (takes the lock); KeyError if there is none."""
        with self._lock:
            self._tick()
            pin = self._find_pending(pin_id, code, allow_strong=allow_strong)
            self._approve_locked(pin, username or self._username)
            return self._snapshot(pin)

    def _approve_locked(self, pin: _Pin, username: str) -> str:
        token = TOKEN_PREFIX + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))
        self._tokens[token] = username
        self._user(username)
        pin.token = token
        return token

    def _user(self, username: str) -> _User:
        user = self._users.get(username)
        if user is None:
            user = _User(
                id=10_000_000 + secrets.randbelow(90_000_000),
                uuid=secrets.token_hex(8),
                username=username,
                joined=int(self._now()) - 400 * 86_400,
            )
            self._users[username] = user
        return user

    def _new_pin(self, *, strong: bool, client_id: str, product: str) -> _Pin:
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
        pin = _Pin(
            id=self._next_pin_id,
            code=code,
            strong=strong,
            client_id=client_id,
            product=product,
            created=self._now(),
            lifetime=self._strong_pin_lifetime if strong else self._pin_lifetime,
        )
        self._next_pin_id += 1 + secrets.randbelow(50)  # other people's PINs in between
        self._pins[pin.id] = pin
        return pin

    def _pin_json(self, pin: _Pin, base_url: str) -> dict[str, object]:
        return {
            "id": pin.id,
            "code": pin.code,
            "product": pin.product,
            "trusted": False,
            "qr": f"{base_url}/api/v2/pins/qr/{pin.code}",
            "clientIdentifier": pin.client_id,
            "location": dict(_LOCATION),
            "expiresIn": max(0, math.ceil(pin.seconds_left(self._now()))),
            "createdAt": _iso(pin.created),
            "expiresAt": _iso(pin.expires),
            "authToken": pin.token,
            "newRegistration": None if pin.token is None else False,
        }

    def _user_json(self, user: _User, token: str) -> dict[str, object]:
        return {
            "id": user.id,
            "uuid": user.uuid,
            "username": user.username,
            "title": user.username,
            "friendlyName": user.username,
            "email": f"{user.username}@example.com",
            "thumb": f"https://plex.tv/users/{user.uuid}/avatar?c={user.joined}",
            "locale": "en",
            "confirmed": True,
            "joinedAt": user.joined,
            "emailOnlyAuth": False,
            "hasPassword": True,
            "protected": False,
            "authToken": token,
            "mailingListStatus": "unsubscribed",
            "mailingListActive": False,
            "scrobbleTypes": "",
            "country": "US",
            "subscription": {
                "active": False,
                "subscribedAt": None,
                "status": "Inactive",
                "paymentService": None,
                "plan": None,
                "features": [],
            },
            "subscriptionDescription": None,
            "restricted": False,
            "anonymous": None,
            "home": False,
            "guest": False,
            "homeSize": 1,
            "homeAdmin": False,
            "maxHomeSize": 15,
            "rememberExpiresAt": int(self._now()) + 14 * 86_400,
            "entitlements": [],
            "roles": [],
            "services": [],
            "experimentalFeatures": False,
            "twoFactorEnabled": False,
            "backupCodesCreated": False,
        }

    def _take_fault(self, endpoint: Endpoint) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            # Keep arrival order even when a delayed request is answered after later ones.
            index = len(self._log)
            while index > 0 and self._log[index - 1].at > record.at:
                index -= 1
            self._log.insert(index, record)

    def _state_json(self) -> dict[str, object]:
        with self._lock:
            self._tick()
            pins = [self._snapshot(pin) for pin in self._pins.values()]
            log = list(self._log)
        return {
            "pins": [
                {
                    "id": pin.id,
                    "code": pin.code,
                    "strong": pin.strong,
                    "client_id": pin.client_id,
                    "product": pin.product,
                    "created_at": pin.created_at.isoformat(),
                    "expires_at": pin.expires_at.isoformat(),
                    "approved": pin.approved,
                    "token": pin.token,
                }
                for pin in pins
            ],
            "requests": [
                {
                    "at": record.at,
                    "method": record.method,
                    "path": record.path,
                    "endpoint": record.endpoint,
                    "pin_id": record.pin_id,
                    "status": record.status,
                    "query": record.query,
                    "headers": dict(record.headers),
                }
                for record in log
            ],
        }

    # --- the API answers (called by the handler thread, without the lock) ---------------

    def _answer_create(self, ident: _Identity, strong: bool, base_url: str) -> _Answer:
        if not ident.client_id:
            return _error_answer(400, _ERROR_CLIENT_ID_MISSING, ident.wants_json)
        with self._lock:
            self._tick()
            pin = self._new_pin(strong=strong, client_id=ident.client_id, product=ident.product)
            data = self._pin_json(pin, base_url)
        answer = _data_answer(201, "pin", data, ident.wants_json)
        answer.pin_id = pin.id
        return answer

    def _answer_poll(self, ident: _Identity, pin_id: int | None, base_url: str) -> _Answer:
        if not ident.client_id:
            return _error_answer(400, _ERROR_CLIENT_ID_MISSING, ident.wants_json)
        with self._lock:
            self._tick()
            pin = self._pins.get(pin_id) if pin_id is not None else None
            # plex.tv does not tell "someone else's PIN" from "no such PIN".
            if pin is None or pin.client_id != ident.client_id:
                data = None
            else:
                data = self._pin_json(pin, base_url)
        if data is None:
            return _error_answer(404, _ERROR_PIN_NOT_FOUND, ident.wants_json)
        return _data_answer(200, "pin", data, ident.wants_json)

    def _answer_user(self, ident: _Identity) -> _Answer:
        token = ident.token
        with self._lock:
            username = self._tokens.get(token) if token else None
            if token is None or username is None or token in self._revoked:
                data = None
            else:
                data = self._user_json(self._user(username), token)
        if data is None:
            return _error_answer(401, _ERROR_NOT_AUTHENTICATED, ident.wants_json)
        return _data_answer(200, "user", data, ident.wants_json)


# --- HTTP plumbing --------------------------------------------------------------------


@dataclass
class _Identity:
    """What the client said about itself, from headers or (as plex.tv also accepts) the query."""

    client_id: str
    product: str
    token: str | None
    wants_json: bool


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must never keep the process alive
    block_on_close = False

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.simulator = simulator
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a client that hangs up is not news.
        logger.debug("simulator: error while serving %s", client_address, exc_info=True)


_PAGES: Final = frozenset({"/", "/link", "/auth", "/approve", "/favicon.ico"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like plex.tv
    server_version = "plexlogin-simulator"
    timeout = _IDLE_CONNECTION_TIMEOUT
    # Headers and body go out in separate writes; with Nagle on, the body would wait
    # for the client's delayed ACK (about 40 ms per keep-alive request).
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    @property
    def sim(self) -> Simulator:
        server = self.server
        assert isinstance(server, _SimServer)
        return server.simulator

    # -- socketserver hooks --

    def setup(self) -> None:
        super().setup()
        with self.sim._lock:
            self.sim._connections.add(self.connection)
            if self.sim._stopping.is_set():
                # Accepted just before stop(): serve nothing, so no thread lingers on.
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already gone

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client is gone; nothing to flush to
        finally:
            with self.sim._idle:
                self.sim._connections.discard(self.connection)
                self.sim._idle.notify_all()

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: no access log on stderr. Available with logging at DEBUG level.
        logger.debug("simulator: " + format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header follows the server clock so clients can measure the skew.
        return email.utils.formatdate(
            self.sim._now() if timestamp is None else timestamp, usegmt=True
        )

    # -- dispatch --

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        arrived = time.monotonic()
        try:
            split = urlsplit(self.path)
            path = split.path.rstrip("/") or "/"
            query = split.query
            body = self._read_body()
            if path.startswith("/_sim/"):
                self._send(self._control(path, body))
            elif path in _PAGES:
                self._send(self._page(path, query, body))
            else:
                self._api(arrived, path, query, body)
        except _BadRequest as exc:
            self.close_connection = True
            self._send(_Answer(400, _json_bytes({"error": str(exc)}), _JSON))
        except OSError:
            self.close_connection = True  # the client hung up
        except Exception:
            # A bug here must cost one request, not the server.
            logger.exception("simulator: internal error for %s %s", self.command, self.path)
            self.close_connection = True
            try:
                self._send(_Answer(500, _json_bytes({"error": "internal simulator error"}), _JSON))
            except OSError:
                pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise _BadRequest("chunked request bodies are not supported")
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            raise _BadRequest("bad Content-Length") from None
        if length < 0 or length > _MAX_REQUEST_BODY:
            raise _BadRequest("request body too large")
        return self.rfile.read(length)

    def _send(self, answer: _Answer, *, cut_short: bool = False) -> None:
        """Write ``answer``; with ``cut_short``, only half its body and then hang up."""
        body = answer.body
        self.send_response(answer.status)
        if answer.content_type is not None:
            self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Plex-Protocol", "1.0")
        self.send_header("Cache-Control", "no-cache")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection or cut_short:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[: len(body) // 2] if cut_short else body)
        self.wfile.flush()
        if cut_short:
            self.close_connection = True

    # -- the plex.tv API --

    def _api(self, arrived: float, path: str, query: str, body: bytes) -> None:
        sim = self.sim
        endpoint, pin_id = _classify(self.command, path)
        fault = sim._take_fault(endpoint)

        def record(status: int, pin: int | None) -> None:
            # Recorded before the answer goes out, so a client that has its answer
            # always finds the request in the log.
            sim._record(
                RequestRecord(
                    at=arrived,
                    method=self.command,
                    path=path,
                    endpoint=endpoint,
                    pin_id=pin,
                    status=status,
                    query=_redact_query(query),
                    headers=_redact_headers(self.headers.items()),
                )
            )

        if fault is not None and fault.delay > 0 and sim._stopping.wait(fault.delay):
            record(0, pin_id)  # the server is stopping: give up on the answer
            self.close_connection = True
            return
        if fault is not None and fault.drop and not fault.canned:
            record(0, pin_id)
            self.close_connection = True  # hang up without a word
            return

        if fault is not None and fault.canned:
            answer = _canned_answer(fault)
        else:
            answer = self._normal_answer(endpoint, pin_id, path, query, body)
        if fault is not None:
            if fault.content_type is not None:
                answer.content_type = fault.content_type
            if fault.retry_after is not None:
                answer.headers["Retry-After"] = fault.retry_after
            answer.headers.update(fault.headers)
        record(answer.status, answer.pin_id if answer.pin_id is not None else pin_id)
        self._send(answer, cut_short=fault is not None and fault.drop)

    def _normal_answer(
        self, endpoint: Endpoint, pin_id: int | None, path: str, query: str, body: bytes
    ) -> _Answer:
        sim = self.sim
        ident = self._identity(query)
        if endpoint == "create":
            # "strong" may come in the query or, from some clients, as a form body.
            form = parse_qs(body.decode("utf-8", "replace")) if body else {}
            return sim._answer_create(ident, _wants_strong(query, form), sim.url)
        if endpoint == "poll":
            return sim._answer_poll(ident, pin_id, sim.url)
        if endpoint == "user":
            return sim._answer_user(ident)
        qr_prefix = "/api/v2/pins/qr/"
        if self.command == "GET" and path.startswith(qr_prefix):
            # The real one is a PNG of the plex.tv/link URL; a person opening it here
            # lands on the stand-in link page instead (no QR encoder in the stdlib).
            code = path[len(qr_prefix) :]
            return _Answer(302, headers={"Location": f"/link?code={quote(code, safe='')}"})
        return _error_answer(404, _ERROR_NOT_FOUND, ident.wants_json)

    def _identity(self, query: str) -> _Identity:
        params = parse_qs(query)

        def value(name: str) -> str | None:
            header = self.headers.get(name)
            if header is not None:
                return header.strip()
            from_query = params.get(name)
            return from_query[0].strip() if from_query else None

        return _Identity(
            client_id=value("X-Plex-Client-Identifier") or "",
            product=value("X-Plex-Product") or "",
            token=value("X-Plex-Token") or None,
            wants_json="application/json" in self.headers.get("Accept", "").lower(),
        )

    # -- the control endpoints for tests that drive plexlogin as a subprocess --

    def _control(self, path: str, body: bytes) -> _Answer:
        sim = self.sim
        if path == "/_sim/state":
            if self.command not in ("GET", "HEAD"):
                return _method_not_allowed("GET")
            return _json_answer(200, sim._state_json())
        if self.command != "POST":
            return _method_not_allowed("POST")
        try:
            request = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json_answer(400, {"error": "the body is not JSON"})
        if not isinstance(request, dict):
            return _json_answer(400, {"error": "the body must be a JSON object"})
        try:
            if path == "/_sim/approve":
                pin_id = _optional(request, "id", int)
                code = _optional(request, "code", str)
                username = _optional(request, "username", str)
                try:
                    approved = sim._approve_pending(pin_id, code, username, allow_strong=True)
                except KeyError:
                    return _json_answer(404, {"error": "no such pending PIN"})
                return _json_answer(200, {"token": approved.token, "id": approved.id})
            if path == "/_sim/expire":
                sim.expire(_optional(request, "id", int))
                return _json_answer(200, {})
            if path == "/_sim/revoke":
                token = _optional(request, "token", str)
                if token is None:
                    return _json_answer(400, {"error": "'token' is required"})
                sim.revoke(token)
                return _json_answer(200, {})
            if path == "/_sim/fault":
                endpoint = _optional(request, "endpoint", str)
                if endpoint is None:
                    return _json_answer(400, {"error": "'endpoint' is required"})
                headers = _optional(request, "headers", dict)
                if headers is not None and not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
                ):
                    return _json_answer(400, {"error": "'headers' must map strings to strings"})
                times = _optional(request, "times", int)
                sim.add_fault(
                    endpoint,
                    status=_optional(request, "status", int),
                    retry_after=_optional(request, "retry_after", str),
                    delay=float(_optional(request, "delay", (int, float)) or 0.0),
                    drop=bool(_optional(request, "drop", bool)),
                    body=_optional(request, "body", str),
                    content_type=_optional(request, "content_type", str),
                    headers=headers,
                    body_size=_optional(request, "body_size", int),
                    times=1 if times is None else times,
                )
                return _json_answer(200, {})
            if path == "/_sim/clear":
                sim.clear_faults()
                return _json_answer(200, {})
        except (TypeError, ValueError) as exc:
            return _json_answer(400, {"error": str(exc)})
        return _json_answer(404, {"error": f"no control endpoint {path}"})

    # -- the web pages a person uses to play plex.tv's side --

    def _page(self, path: str, query: str, body: bytes) -> _Answer:
        if path == "/favicon.ico":
            return _Answer(204)
        if path == "/approve":
            if self.command != "POST":
                return _method_not_allowed("POST")
            return self._approve_form(body)
        if path == "/link" and self.command == "POST":
            return self._link_form(body)
        if self.command not in ("GET", "HEAD"):
            return _method_not_allowed("GET")
        params = parse_qs(query)
        if path == "/link":
            return _html_answer(200, self._link_page(params.get("code", [""])[0]))
        if path == "/auth":
            return _auth_page(self.sim._username)
        return _html_answer(200, self._home_page(params), refresh=True)

    def _approve_form(self, body: bytes) -> _Answer:
        raw_id = parse_qs(body.decode("utf-8", "replace")).get("id", [""])[0].strip()
        try:
            if not (raw_id.isascii() and raw_id.isdigit()):
                raise KeyError(raw_id)
            pin = self.sim._approve_pending(int(raw_id), None, None, allow_strong=True)
            location = f"/?approved={quote(pin.code, safe='')}"
        except KeyError:
            location = "/?missing=1"
        # 303: the browser follows with a GET, so a reload does not approve twice.
        return _Answer(303, headers={"Location": location})

    def _link_form(self, body: bytes) -> _Answer:
        code = parse_qs(body.decode("utf-8", "replace")).get("code", [""])[0].strip()
        sim = self.sim
        try:
            if not code:
                raise KeyError(code)
            # Like plex.tv/link: only the short codes can be typed in.
            pin = sim._approve_pending(None, code, None, allow_strong=False)
        except KeyError:
            return _html_answer(404, self._link_page(code, error="Code not found or expired."))
        content = (
            "<h1>Device linked</h1>"
            f"<p class=ok><b>{_esc(pin.product or 'The app')}</b> is now signed in as "
            f"<b>{_esc(sim._username)}</b>.</p>"
            "<p>You can close this page.</p>"
            '<p class=links><a href="/link">Link another device</a> · '
            '<a href="/">Waiting devices</a></p>'
        )
        return _html_answer(200, _page_html("Device linked", content))

    def _link_page(self, code: str, *, error: str | None = None) -> str:
        message = f"<p class=error role=alert>{_esc(error)}</p>" if error else ""
        content = (
            "<h1>Link a device</h1>"
            "<p>Enter the 4-character code shown on your device.</p>"
            f"{message}"
            '<form method=post action="/link" class=link>'
            '<input name=code aria-label="Code" maxlength=4 size=6 autocomplete=off '
            f'autocapitalize=characters spellcheck=false autofocus required value="{_esc(code)}">'
            "<button>Link</button></form>"
            f"<p class=muted>Signing in as <b>{_esc(self.sim._username)}</b> "
            "on a simulated plex.tv. "
            'Tokens are fake. <a href="/">Waiting devices</a></p>'
        )
        return _page_html("Link a device", content)

    def _home_page(self, params: dict[str, list[str]]) -> str:
        sim = self.sim
        now = sim._now()
        with sim._lock:
            sim._tick()
            pending = [
                (p.id, p.code, p.product, p.strong, p.seconds_left(now))
                for p in sim._pins.values()
                if p.token is None
            ]
        flash = ""
        if "approved" in params:
            flash = f"<p class=ok role=status>Approved {_esc(params['approved'][0])}.</p>"
        elif "missing" in params:
            flash = (
                "<p class=error role=alert>That PIN is no longer waiting (approved or expired).</p>"
            )
        if pending:
            rows = "".join(
                "<tr>"
                f"<td><code>{_esc(code)}</code></td>"
                f"<td>{_esc(product) or '<span class=muted>(no product)</span>'}</td>"
                f"<td>{'strong (QR / link)' if strong else 'short (typed)'}</td>"
                f"<td>{_mm_ss(left)}</td>"
                '<td><form method=post action="/approve">'
                f'<input type=hidden name=id value="{pin_id}"><button>Approve</button></form></td>'
                "</tr>"
                for pin_id, code, product, strong, left in pending
            )
            table = (
                "<table><thead><tr><th>Code</th><th>Product</th><th>Kind</th>"
                f"<th>Time left</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            table = (
                "<p class=muted>No device is waiting for sign-in. "
                "This page refreshes by itself.</p>"
            )
        content = (
            "<h1>Plex sign-in simulator</h1>"
            f"<p>Approve a device to sign it in as <b>{_esc(sim._username)}</b>. "
            "Nothing here talks to the real plex.tv; tokens are fake.</p>"
            f"{flash}{table}"
            '<p class=links><a href="/link">Type a code</a> · '
            '<a href="/_sim/state">State (JSON)</a></p>'
        )
        return _page_html("Plex sign-in simulator", content)


# --- helpers ----------------------------------------------------------------------------


def _classify(method: str, path: str) -> tuple[Endpoint, int | None]:
    if path == "/api/v2/pins" and method == "POST":
        return "create", None
    if path.startswith("/api/v2/pins/") and method in ("GET", "HEAD"):
        tail = path[len("/api/v2/pins/") :]
        if tail.isascii() and tail.isdigit():
            return "poll", int(tail)
        if "/" not in tail:
            return "poll", None  # "/api/v2/pins/abc": plex.tv says 404/1020
    if path == "/api/v2/user" and method in ("GET", "HEAD"):
        return "user", None
    return "other", None


def _wants_strong(query: str, form: Mapping[str, list[str]]) -> bool:
    values = parse_qs(query).get("strong", []) + list(form.get("strong", []))
    return any(v.strip().lower() in ("true", "1") for v in values)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mm_ss(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _json_bytes(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _json_answer(status: int, data: object) -> _Answer:
    return _Answer(status, _json_bytes(data), _JSON)


def _method_not_allowed(allowed: str) -> _Answer:
    answer = _json_answer(405, {"error": "method not allowed"})
    answer.headers["Allow"] = allowed
    return answer


def _data_answer(status: int, tag: str, data: Mapping[str, object], wants_json: bool) -> _Answer:
    if wants_json:
        return _json_answer(status, data)
    return _Answer(status, _xml_bytes(tag, data), _XML)


def _error_answer(status: int, error: Mapping[str, object], wants_json: bool) -> _Answer:
    if wants_json:
        return _json_answer(status, {"errors": [dict(error)]})
    root = ET.Element("errors")
    ET.SubElement(root, "error", {k: _xml_value(v) for k, v in error.items()})
    return _Answer(status, _xml_document(root), _XML)


def _xml_value(value: object) -> str:
    # plex.tv's XML writes booleans as 1/0 and leaves nulls empty.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _xml_element(tag: str, data: Mapping[str, object]) -> ET.Element:
    element = ET.Element(tag)
    for key, value in data.items():
        if isinstance(value, Mapping):
            element.append(_xml_element(key, value))
        elif not isinstance(value, list):
            element.set(key, _xml_value(value))
    return element


def _xml_document(root: ET.Element) -> bytes:
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + bytes(ET.tostring(root, encoding="utf-8", xml_declaration=False))


def _xml_bytes(tag: str, data: Mapping[str, object]) -> bytes:
    return _xml_document(_xml_element(tag, data))


def _canned_answer(fault: _Fault) -> _Answer:
    body = fault.body if fault.body is not None else b""
    if fault.body_size is not None:
        body = _sized_body(body, fault.body_size)
    content_type = fault.content_type
    if content_type is None and body:
        content_type = _JSON
    return _Answer(fault.status if fault.status is not None else 200, body, content_type)


def _sized_body(seed: bytes, size: int) -> bytes:
    if seed:
        return (seed * (size // len(seed) + 1))[:size]
    # Valid JSON when there is room for it, so a client that parses before checking
    # the size really does get a huge document.
    frame = b'{"padding":""}'
    if size < len(frame):
        return b" " * size
    return b'{"padding":"' + b"x" * (size - len(frame)) + b'"}'


def _optional(request: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = request.get(key)
    if value is None:
        return None
    # bool is an int in Python, but {"id": true} is a mistake, not PIN 1.
    if isinstance(value, bool) and kind is not bool:
        raise TypeError(f"{key!r} must not be a boolean")
    if not isinstance(value, kind):
        raise TypeError(f"{key!r} has the wrong type")
    return value


def _is_simulated(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX)


def _redact_headers(items: Any) -> dict[str, str]:
    # Only simulator tokens may sit in the log: a real one sent here by mistake must not.
    headers: dict[str, str] = {}
    for name, value in items:
        if name.lower() == "x-plex-token" and not _is_simulated(value):
            value = "<redacted>"
        headers[name] = value
    return headers


def _redact_query(query: str) -> str:
    if "x-plex-token" not in query.lower():
        return query
    parts = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name.lower() == "x-plex-token" and not _is_simulated(value):
            part = f"{name}=<redacted>"
        parts.append(part)
    return "&".join(parts)


# --- page templates ------------------------------------------------------------------------

_STYLE: Final = """
:root { color-scheme: light dark; --accent: #e5a00d; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #8884; }
td form { margin: 0; }
code, input[name=code] { font: 600 1.1rem ui-monospace, monospace; letter-spacing: .08em; }
button { font: inherit; padding: .35rem .9rem; border: 0; border-radius: .3rem;
         background: var(--accent); color: #1f1f1f; cursor: pointer; }
input[name=code] { text-transform: uppercase; padding: .3rem .5rem; margin-right: .5rem; }
.muted { opacity: .7; }
.ok { color: #2e7d32; } .error { color: #c62828; }
.links { margin-top: 2rem; font-size: .9rem; }
"""


def _page_html(title: str, content: str, *, script: str = "", nonce: str = "") -> str:
    script_tag = f'<script nonce="{nonce}">{script}</script>' if script else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{content}</main>{script_tag}</body></html>"
    )


def _html_answer(status: int, page: str, *, refresh: bool = False, nonce: str = "") -> _Answer:
    script_src = f"'nonce-{nonce}'" if nonce else "'none'"
    headers = {
        # Everything is inline and same-origin; nothing else may load or run.
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'unsafe-inline'; script-src {script_src}; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
    }
    if refresh:
        # Re-read the pending PINs every few seconds, and drop the one-off message.
        headers["Refresh"] = "3; url=/"
    return _Answer(status, page.encode(), _HTML, headers)


_AUTH_SCRIPT: Final = """
(() => {
  // The client passes everything in the fragment, as for app.plex.tv/auth#?clientID=...
  const params = new URLSearchParams(location.hash.replace(/^#\\??/, ""));
  const code = params.get("code");
  const product = params.get("context[device][product]") || "This app";
  const question = document.getElementById("question");
  const result = document.getElementById("result");
  const button = document.getElementById("approve");
  if (!code) {
    question.textContent = "This sign-in link has no code.";
    button.hidden = true;
    return;
  }
  document.getElementById("product").textContent = product;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch("/_sim/approve", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({code}),
      });
      if (response.ok) {
        result.className = "ok";
        result.textContent = product + " is signed in. You can close this tab.";
        const forward = params.get("forwardUrl");
        if (forward && /^https?:\\/\\//i.test(forward)) location.assign(forward);
      } else {
        result.className = "error";
        result.textContent = "This sign-in request has expired or was already approved.";
      }
    } catch (error) {
      result.className = "error";
      result.textContent = "The simulator did not answer.";
      button.disabled = false;
    }
  });
})();
"""


def _auth_page(username: str) -> _Answer:
    nonce = secrets.token_urlsafe(12)
    content = (
        "<h1>Sign in with Plex</h1>"
        "<p id=question>Allow <b id=product>this app</b> to sign in as "
        f"<b>{_esc(username)}</b>?</p>"
        "<p><button id=approve>Approve</button></p>"
        "<p id=result role=status></p>"
        '<p class="links muted">A simulated app.plex.tv: tokens are fake. '
        '<a href="/">Waiting devices</a></p>'
    )
    page = _page_html("Sign in with Plex", content, script=_AUTH_SCRIPT, nonce=nonce)
    return _html_answer(200, page, nonce=nonce)


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m plexlogin.simulator``: serve until SIGINT or SIGTERM; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m plexlogin.simulator",
        description="Serve a local stand-in for plex.tv's PIN sign-in (fake tokens only).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: 0, any free port)")
    parser.add_argument(
        "--auto-approve",
        type=float,
        metavar="SECONDS",
        help="approve each PIN by itself this many seconds after it was created",
    )
    parser.add_argument("--pin-lifetime", type=float, default=900.0, metavar="S")
    parser.add_argument("--strong-pin-lifetime", type=float, default=1800.0, metavar="S")
    parser.add_argument("--username", default="demo-user")
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="S",
        help="run the server clock S seconds ahead",
    )
    args = parser.parse_args(argv)

    try:
        simulator = Simulator(
            host=args.host,
            port=args.port,
            pin_lifetime=args.pin_lifetime,
            strong_pin_lifetime=args.strong_pin_lifetime,
            auto_approve_after=args.auto_approve,
            username=args.username,
            clock_offset=args.clock_offset,
        )
    except ValueError as exc:
        parser.error(str(exc))  # exits with status 2, like any other bad option

    stop_requested = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    # Handlers instead of KeyboardInterrupt/default SIGTERM: exit 0 with no traceback.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with simulator:
            print(f"plexlogin simulator listening on {simulator.url}", flush=True)
            # A timed wait, so a signal that lands between checks is noticed anyway.
            while not stop_requested.wait(0.2):
                pass
    except OSError as exc:  # typically: the port is taken
        print(f"plexlogin simulator: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
