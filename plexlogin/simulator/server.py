"""The HTTP layer: :class:`Simulator` (lifecycle and Python API) and the request handler.

The handler reads a request, finds its route in :data:`~.routes.ROUTES`, and for plex.tv's
API applies the queued faults and logs the request. It reaches the state only through
:class:`~.model.Model`'s public methods.
"""

from __future__ import annotations

import email.utils
import logging
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import unquote_plus, urlsplit

from plexlogin.secret import redact_profile_pins
from plexlogin.simulator import guard, routes
from plexlogin.simulator.accounts import is_simulated_token
from plexlogin.simulator.answers import (
    JSON,
    Answer,
    canned_answer,
    json_answer,
    json_bytes,
    method_not_allowed,
)
from plexlogin.simulator.model import (
    Endpoint,
    Fault,
    Model,
    NonHomeAnswer,
    RequestRecord,
    Settings,
    SimPin,
    fault_endpoint,
)
from plexlogin.simulator.profiles import Home
from plexlogin.simulator.request import Request

logger = logging.getLogger("plexlogin.simulator")
redact_profile_pins(logger)  # the access log's request lines may carry ?pin=

# Request bodies are tiny (a form field, a small JSON object); anything bigger is a bug
# or an attack and is refused before it is read into memory.
_MAX_REQUEST_BODY: Final = 1024 * 1024
# Short enough that stop() is prompt, long enough not to spin.
_SERVE_POLL_INTERVAL: Final = 0.05
# A keep-alive connection that stays silent this long is closed, so no thread lives forever.
_IDLE_CONNECTION_TIMEOUT: Final = 60.0
# How long stop() waits for in-flight handlers to notice that the server is going away.
_STOP_GRACE: Final = 1.0


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
        username: str | None = None,
        clock_offset: float = 0.0,
        home: Home | None = None,
        non_home_answer: NonHomeAnswer = "single",
        pin_error_status: int = 403,
        jwt_lifetime: float = 7 * 86_400.0,
    ) -> None:
        """Configure the simulator; nothing is bound until :meth:`start`.

        ``auto_approve_after``: approve a pending PIN by itself this many seconds after
        it was created (for the demo). ``username``: who approves when nobody says
        otherwise (default: the Home's admin, else ``demo-user``). ``clock_offset``: the
        server clock runs this many seconds ahead of ``time.time()``, to simulate a client
        whose clock is off.

        ``home``: the approving account is a Plex Home with these profiles (``DEMO_HOME``
        is the demo's); None: it is not a Home, and ``/api/v2/home/users`` answers like
        plex.tv for such an account: with the account alone (``non_home_answer="single"``)
        or 404 (``"not_found"``). ``pin_error_status``: 403 (default) or 401 for a wrong
        profile PIN, the two statuses plex.tv is reported to send with its code 1041.
        ``jwt_lifetime``: seconds a Plex JWT lives (plex.tv: seven days).
        """
        if username is None:
            username = home.admin.username if home is not None else None
        self.model = Model(
            Settings(
                pin_lifetime=pin_lifetime,
                strong_pin_lifetime=strong_pin_lifetime,
                auto_approve_after=auto_approve_after,
                username=username or "demo-user",
                clock_offset=clock_offset,
                home=home,
                non_home_answer=non_home_answer,
                pin_error_status=pin_error_status,
                jwt_lifetime=jwt_lifetime,
            )
        )
        self._address = (host, port)
        self.control_secret = secrets.token_urlsafe(18)
        """This run's secret; the controls and the approval pages need it (see guard.py)."""
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._connections: set[socket.socket] = set()
        self._accepted = 0
        self.stopping = threading.Event()
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
            server = _SimServer(self._address, self)
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
        self.stopping.set()
        server.shutdown()
        server.server_close()
        self._hang_up_all()
        if self._thread is not None:
            self._thread.join(_STOP_GRACE)

    def _hang_up_all(self) -> None:
        # A connection that registers after this snapshot sees `stopping` and hangs up
        # by itself (see connection_opened).
        with self._lock:
            connections = list(self._connections)
        # Idle keep-alive connections block their handler thread in a read; shutting the
        # socket down wakes it up so that it closes the socket itself.
        for connection in connections:
            _shut(connection)
        deadline = time.monotonic() + _STOP_GRACE
        with self._idle:
            while self._connections:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._idle.wait(remaining)

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

    @property
    def control_url(self) -> str:
        """The base URL that carries this run's secret, e.g. ``http://127.0.0.1:5000/s/...``.

        The controls (``/_sim/...``), the pages and plex.tv's API all answer below it: a
        client given it as its plex.tv URL shows link and auth URLs a person can open.
        """
        return f"{self.url}{guard.SECRET_PREFIX}{self.control_secret}"

    @property
    def approval_url(self) -> str:
        """The page to show a person: the waiting devices, each with an Approve button."""
        return self.control_url + "/"

    @property
    def hosts(self) -> frozenset[str]:
        """The ``Host`` values that name this simulator."""
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        return guard.allowed_hosts(host, int(port))

    # --- connections (called by the handler threads) -------------------------------------

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now."""
        with self._lock:
            return len(self._connections)

    @property
    def connections_accepted(self) -> int:
        """How many client connections were opened since the start (keep-alive keeps it low)."""
        with self._lock:
            return self._accepted

    def connection_opened(self, connection: socket.socket) -> bool:
        """Track a new connection; False (and hung up) when the simulator is stopping."""
        with self._lock:
            self._accepted += 1
            self._connections.add(connection)
            if self.stopping.is_set():
                # Accepted just before stop(): serve nothing, so no thread lingers on.
                _shut(connection)
                return False
        return True

    def connection_closed(self, connection: socket.socket) -> None:
        """Forget a connection, waking up a stop() that waits for the last one."""
        with self._idle:
            self._connections.discard(connection)
            self._idle.notify_all()

    # --- inspection --------------------------------------------------------------------

    def pins(self) -> list[SimPin]:
        """A snapshot of the live PINs, oldest first (expired ones are already gone)."""
        return self.model.pins()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request so far, in order of arrival.

        A request appears once it is answered or dropped (a delayed one after its delay).
        """
        return self.model.requests()

    # --- the other side of the sign-in -------------------------------------------------

    def approve(
        self, pin_id: int | None = None, *, code: str | None = None, username: str | None = None
    ) -> str:
        """Sign a pending PIN in, as the person would in the browser; returns the token.

        Chooses by ``pin_id`` or ``code`` (case-insensitive), or the oldest pending PIN
        when both are None. Raises ``KeyError`` when no pending PIN matches.
        """
        token = self.model.approve(pin_id, code, username).token
        assert token is not None
        return token

    def expire(self, pin_id: int | None = None) -> None:
        """Forget one PIN (or all when ``pin_id`` is None): its polls answer 404/1020.

        An unknown id is not an error: the PIN may already have expired by itself.
        """
        self.model.expire(pin_id)

    def revoke(self, token: str) -> None:
        """Make ``/api/v2/user`` answer 401 for ``token`` from now on."""
        self.model.revoke(token)

    def advance_clock(self, seconds: float) -> None:
        """Move the server clock ahead: PINs, nonces and Plex JWTs age without a wait."""
        self.model.advance_clock(seconds)

    def revoke_device_key(self, kid: str) -> None:
        """Unregister a JWT device key: renewals with it get 422, its Plex JWTs 401.

        ``KeyError`` when no key with that id was registered.
        """
        if not self.model.devices.revoke(kid):
            raise KeyError(kid)

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

        ``endpoint`` is ``"create"``, ``"poll"``, ``"user"``, ``"home_users"``,
        ``"switch"``, ``"nonce"``, ``"auth_keys"``, ``"auth_token"``, ``"auth_jwk"`` or
        ``"any"`` (every API request). Faults are used in the order they
        were added.

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
        self.model.add_fault(
            Fault(
                endpoint=fault_endpoint(endpoint),
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
        )

    def clear_faults(self) -> None:
        """Forget every fault that has not been used up."""
        self.model.clear_faults()

    def take_fault(self, endpoint: Endpoint) -> Fault | None:
        """The fault a request to ``endpoint`` meets now (the handler's hook; tests watch it)."""
        return self.model.take_fault(endpoint)


def _shut(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone


# --- HTTP plumbing --------------------------------------------------------------------


class _BadRequest(Exception):
    """The request cannot be read; answered with 400 and a closed connection."""


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
        if not self.sim.connection_opened(self.connection):
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client is gone; nothing to flush to
        finally:
            self.sim.connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: no access log on stderr. Available with logging at DEBUG level.
        logger.debug("simulator: " + format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header follows the server clock so clients can measure the skew.
        now = self.sim.model.now() if timestamp is None else timestamp
        return email.utils.formatdate(now, usegmt=True)

    # -- dispatch --

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        arrived = time.monotonic()
        try:
            self._serve(arrived)
        except _BadRequest as exc:
            self.close_connection = True
            self._send(Answer(400, json_bytes({"error": str(exc)}), JSON))
        except OSError:
            self.close_connection = True  # the client hung up
        except Exception:
            # A bug here must cost one request, not the server.
            logger.exception("simulator: internal error for %s %s", self.command, self.path)
            self.close_connection = True
            try:
                self._send(json_answer(500, {"error": "internal simulator error"}))
            except OSError:
                pass

    def _serve(self, arrived: float) -> None:
        split = urlsplit(self.path)
        body = self._read_body()
        sim = self.sim
        unlocked = guard.split_secret(split.path.rstrip("/") or "/", sim.control_secret)
        if unlocked is None:
            self._send(json_answer(403, {"error": "wrong simulator secret"}))
            return
        path, trusted = unlocked
        base = sim.control_url.removeprefix(sim.url) if trusted else ""
        request = Request(
            method=self.command,
            path=path,
            query=split.query,
            headers=self.headers,
            body=body,
            model=sim.model,
            base_url=sim.url + base,
            base=base,
            trusted=trusted,
        )
        found = routes.resolve(request.method, request.path)
        if isinstance(found, frozenset):
            self._send(method_not_allowed(", ".join(sorted(found))))
            return
        route, request.params = found
        if route.kind == "api":
            self._api(arrived, route, request)
        else:
            refused = guard.refusal(route, request, sim.hosts)
            self._send(refused or _guarded(route, request))

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

    def _send(self, answer: Answer, *, cut_short: bool = False) -> None:
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

    def _api(self, arrived: float, route: routes.Route, request: Request) -> None:
        fault = self.sim.take_fault(route.endpoint)
        hang_up = fault is not None and (
            (fault.delay > 0 and self.sim.stopping.wait(fault.delay))  # stopping: give up
            or (fault.drop and not fault.canned)  # hang up without a word
        )
        if hang_up:
            self._record(arrived, route, request, 0, request.pin_id)
            self.close_connection = True
            return
        answer = canned_answer(fault) if fault is not None and fault.canned else None
        if answer is None:
            answer = route.handler(request)
        if fault is not None:
            _decorate(answer, fault)
        pin_id = answer.pin_id if answer.pin_id is not None else request.pin_id
        # Recorded before the answer goes out, so a client that has its answer always
        # finds the request in the log.
        self._record(arrived, route, request, answer.status, pin_id)
        self._send(answer, cut_short=fault is not None and fault.drop)

    def _record(
        self,
        arrived: float,
        route: routes.Route,
        request: Request,
        status: int,
        pin_id: int | None,
    ) -> None:
        self.sim.model.record(
            RequestRecord(
                at=arrived,
                method=request.method,
                path=request.path,
                endpoint=route.endpoint,
                pin_id=pin_id,
                status=status,
                query=_redact_query(request.query),
                headers=_redact_headers(self.headers.items()),
            )
        )


def _guarded(route: routes.Route, request: Request) -> Answer:
    """Run a control or page handler; a malformed control request is a 400."""
    try:
        return route.handler(request)
    except (routes.ControlError, ValueError) as exc:
        return json_answer(400, {"error": str(exc)})


def _decorate(answer: Answer, fault: Fault) -> None:
    if fault.content_type is not None:
        answer.content_type = fault.content_type
    if fault.retry_after is not None:
        answer.headers["Retry-After"] = fault.retry_after
    answer.headers.update(fault.headers)


def _redact_headers(items: Any) -> dict[str, str]:
    # Only simulator tokens may sit in the log: a real one sent here by mistake must not.
    headers: dict[str, str] = {}
    for name, value in items:
        if name.lower() == "x-plex-token" and not is_simulated_token(value):
            value = "<redacted>"
        headers[name] = value
    return headers


def _redact_query(query: str) -> str:
    # A profile PIN is a household secret, fake or not: it never reaches the log.
    if "x-plex-token" not in query.lower() and "pin" not in query.lower():
        return query
    parts = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        key = unquote_plus(name).lower()  # "p%69n" is "pin" too
        secret = key == "pin" or (key == "x-plex-token" and not is_simulated_token(value))
        parts.append(f"{name}=<redacted>" if secret else part)
    return "&".join(parts)
