"""The connections to plex.tv, opened while the front-end starts, for the first requests.

A sign-in starts with two requests at once (the two PINs), each on a connection of its
own, and on a real network each new connection costs a TCP round trip and a TLS
handshake before the request goes out. Nothing about them depends on ``requests``, so
:func:`open_ahead` opens them on a daemon thread as soon as the command line is read,
while the window builds and paints (the connect and the handshake run in C, without the
GIL, on the other core), and the HTTP client takes them when it makes those requests
(:func:`take`, through :mod:`plexlogin.adopting`) instead of opening its own.

It only does what requests would do itself, or nothing: HTTPS only; no proxy in the
environment (requests would connect to the proxy); the same trust (the CA bundle the
environment names, else certifi's) and the host name checked; TLS 1.2 or later, HTTP/1.1.
Any failure leaves nothing behind, and requests then connects (and reports the error in
its words) as usual. Connections nobody took are closed after :data:`KEEP_FOR` seconds.

Standard library and certifi only, imported in the thread: this module loads before the
first paint.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

#: where requests and curl look for a CA bundle, in requests' order (read by
#: :func:`named_ca_bundle`, here and in plex.py). SSL_CERT_FILE is OpenSSL's own; requests
#: alone ignores it, and it is what corporate set-ups with a TLS-inspecting gateway
#: usually export.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
#: proxies requests would use for an https:// URL: with one set, requests connects to it
PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
#: one connection per request a sign-in makes at once (the short and the strong PIN)
CONNECTIONS = 2
#: how long a connect and handshake may take (the client's own connect timeout)
CONNECT_TIMEOUT = 5.0
#: a connection not taken by then is closed (a server drops idle ones after a while)
KEEP_FOR = 20.0


class _Opening:
    """The connections being opened to one host and port, and those ready to take."""

    def __init__(self, pending: int) -> None:
        self.pending = pending
        self.trust: str | None = None  # the CA bundle the connections were verified with
        self.ready: list[tuple[float, ssl.SSLSocket]] = []
        self.changed = threading.Condition()

    def add(self, connection: ssl.SSLSocket | None) -> None:
        with self.changed:
            self.pending -= 1
            if connection is not None:
                self.ready.append((time.monotonic(), connection))
            self.changed.notify_all()

    def busy(self) -> bool:
        """Whether connections are still being opened or wait to be taken."""
        with self.changed:
            return bool(self.pending or self.ready)

    def take(self, wait: float) -> ssl.SSLSocket | None:
        """A ready, unused, still open connection; waits ``wait`` s for one being opened."""
        with self.changed:
            self.changed.wait_for(lambda: self.ready or not self.pending, timeout=wait)
            while self.ready:
                opened, connection = self.ready.pop(0)
                if time.monotonic() - opened < KEEP_FOR and _still_open(connection):
                    return connection
                _close(connection)
            return None

    def close_all(self) -> None:
        with self.changed:
            for _, connection in self.ready:
                _close(connection)
            self.ready.clear()


_lock = threading.Lock()
_opening: dict[tuple[str, int], _Opening] = {}


def open_ahead(url: str, count: int = CONNECTIONS) -> bool:
    """Start opening ``count`` connections to ``url``'s host (returns at once).

    Returns whether it did: not for http:// URLs, nor with a proxy in the environment,
    nor when connections to that host are already being opened or waiting.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or _proxied():
        return False
    host, port = parts.hostname, parts.port or 443
    opening = _Opening(count)
    with _lock:
        if _opening.get((host, port), _Opening(0)).busy():
            return False
        _opening[host, port] = opening
    threading.Thread(
        target=_open, args=(host, port, opening), name="plexlogin-preconnect", daemon=True
    ).start()
    return True


def take(
    host: str, port: int, trust: str | None, wait: float = CONNECT_TIMEOUT
) -> ssl.SSLSocket | None:
    """A connection opened ahead to ``host``:``port``, verified with the CA bundle
    ``trust`` (a file or folder) and unused, or None.

    Waits (at most ``wait`` seconds) for one still being opened: it is further along
    than a new one would be.
    """
    with _lock:
        opening = _opening.get((host, port))
    if opening is None or trust is None:
        return None
    connection = opening.take(wait)
    if connection is not None and opening.trust != trust:
        _close(connection)  # verified against another bundle than the caller's: not good
        return None
    return connection


def discard() -> None:
    """Close every connection opened ahead and not taken, and forget them."""
    with _lock:
        openings = list(_opening.values())
        _opening.clear()
    for opening in openings:
        opening.close_all()


def _proxied() -> bool:
    return any(os.environ.get(name) for name in PROXY_VARIABLES)


def _open(host: str, port: int, opening: _Opening) -> None:
    try:
        opening.trust = _trust()
        context = _context(opening.trust)
    except Exception:  # no certifi, an unreadable bundle: requests will say so
        context = None
    helpers = [
        threading.Thread(target=lambda: opening.add(_connect(context, host, port)), daemon=True)
        for _ in range(opening.pending)
    ]
    for helper in helpers:
        helper.start()
    for helper in helpers:
        helper.join()
    time.sleep(KEEP_FOR)
    opening.close_all()
    with _lock:
        if _opening.get((host, port)) is opening:
            del _opening[host, port]


def named_ca_bundle() -> tuple[str, str] | None:
    """The first of :data:`CA_BUNDLE_VARIABLES` that is set, and the bundle it names."""
    for name in CA_BUNDLE_VARIABLES:
        path = os.environ.get(name)
        if path:
            return name, path
    return None


def _trust() -> str:
    """The CA bundle requests would verify with: the environment's, else certifi's."""
    named = named_ca_bundle()
    if named is not None:
        return named[1]
    import certifi  # requests' own default

    return certifi.where()


def _context(bundle: str) -> ssl.SSLContext:
    """The trust and protocol requests (urllib3) would use for an https:// URL."""
    import ssl

    if os.path.isdir(bundle):
        context = ssl.create_default_context(capath=bundle)
    else:
        context = ssl.create_default_context(cafile=bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


def _connect(context: ssl.SSLContext | None, host: str, port: int) -> ssl.SSLSocket | None:
    if context is None:
        return None
    try:
        raw = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    except OSError:
        return None
    try:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as urllib3 does
        return context.wrap_socket(raw, server_hostname=host)
    except (OSError, ValueError):  # ssl.SSLError is an OSError: a bad certificate too
        _close(raw)
        return None


def _still_open(connection: ssl.SSLSocket) -> bool:
    """Whether the server neither closed the connection nor said anything on it.

    A read that would block is the answer wanted. (``select`` cannot tell: a TLS 1.3
    server sends its session tickets right after the handshake, which are not data.)
    """
    import ssl

    try:
        connection.setblocking(False)
        connection.recv(1)  # b"" when closed; a byte is something unasked for
    except (ssl.SSLWantReadError, BlockingIOError):
        connection.settimeout(CONNECT_TIMEOUT)
        return True
    except (OSError, ValueError):
        pass
    return False


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.close()
