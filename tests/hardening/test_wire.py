"""Answers no well-behaved HTTP server sends, byte for byte, from a raw socket server.

The simulator always speaks correct HTTP; a proxy, a captive portal or a broken plex.tv
edge need not. Whatever arrives on the wire, the client raises one of its own errors (or
returns a proper PIN), reads at most about 1 MiB, and the real program still ends when
its --timeout says so.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from plexlogin.errors import NetworkError, PlexError, RateLimited, UnexpectedAnswer
from plexlogin.models import Pin
from plexlogin.plex import MAX_RESPONSE_BYTES, Identity, PlexClient

from .harness import Child, Live

PIN = b'{"id": 7, "code": "ABCD", "expiresIn": 900, "authToken": null}'
Reply = Callable[[socket.socket], None]


class RawServer:
    """Answers every connection with ``reply(conn)``; counts the bytes it managed to send."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.sent = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                self.reply(conn)
            except OSError:
                pass  # the client hung up, as it should when it has had enough

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def raw() -> Iterator[Callable[[Reply], RawServer]]:
    servers: list[RawServer] = []

    def start(reply: Reply) -> RawServer:
        servers.append(RawServer(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client_for(server: RawServer) -> PlexClient:
    return PlexClient(
        Identity("0e3c9d62-9d5e-4d0c-8a0b-1f2e3d4c5b6a"), server.url, timeout=(2.0, 2.0)
    )


def answer(status: bytes, headers: list[bytes], body: bytes = b"") -> Reply:
    def reply(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers))
        conn.sendall(b"\r\n" + body)

    return reply


def test_content_length_in_non_ascii_digits(raw: Callable[[Reply], RawServer]) -> None:
    # "²" as latin-1: http.client and urllib3 shrug it off and read to the end
    server = raw(answer(b"200 OK", [b"Content-Length: \xb2", b"Connection: close"], PIN))
    with client_for(server) as client:
        try:
            assert isinstance(client.poll_pin(7), Pin)
        except PlexError:
            pass


def test_retry_after_in_non_ascii_digits(raw: Callable[[Reply], RawServer]) -> None:
    server = raw(answer(b"429 Too Many", [b"Retry-After: \xb2", b"Content-Length: 0"]))
    with client_for(server) as client, pytest.raises(RateLimited) as limited:
        client.create_pin()
    assert limited.value.retry_after is None  # unknown: the flow pauses its default 30 s


def test_a_body_without_length_is_cut_off_after_1_mib(raw: Callable[[Reply], RawServer]) -> None:
    def endless(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        while True:
            server.send(conn, b"x" * 65536)

    server = raw(endless)
    with client_for(server) as client, pytest.raises(UnexpectedAnswer):
        client.poll_pin(7)
    # it stopped reading: the socket buffers hold a little more, nowhere near 64 MiB
    time.sleep(0.2)
    assert server.sent < 8 * MAX_RESPONSE_BYTES


def test_a_gzip_bomb_is_refused_without_inflating_it(raw: Callable[[Reply], RawServer]) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    headers = [b"Content-Encoding: gzip", b"Content-Length: %d" % len(bomb), b"Connection: close"]
    server = raw(answer(b"200 OK", headers, bomb))
    import tracemalloc

    tracemalloc.start()
    try:
        with client_for(server) as client, pytest.raises(UnexpectedAnswer):
            client.poll_pin(7)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MAX_RESPONSE_BYTES


@pytest.mark.parametrize(
    "reply",
    [
        answer(b"200 OK", [b"X-Junk: %d" % i for i in range(500)], PIN),
        answer(b"200 OK", [b"X-Long: " + b"a" * 100_000], PIN),
        answer(b"abc", [], PIN),
        answer(b"200 OK", [b"Content-Length: 1000", b"Connection: close"], PIN),  # short
        answer(b"200 OK", [b"Transfer-Encoding: chunked", b"Connection: close"], b"zz\r\nxx"),
        lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n"),
        lambda conn: None,  # hangs up without a word
    ],
    ids=[
        "500 headers",
        "100 KB header",
        "garbage status line",
        "body shorter than its length",
        "broken chunked encoding",
        "not http at all",
        "empty answer",
    ],
)
def test_broken_http_is_a_network_error(reply: Reply, raw: Callable[[Reply], RawServer]) -> None:
    server = raw(reply)
    with client_for(server) as client, pytest.raises(NetworkError):
        client.poll_pin(7)


def trickle(conn: socket.socket) -> None:
    """A valid answer, one byte every 0.3 s: each read is quick, the whole is endless."""
    body = PIN + b" " * 10_000
    conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n")
    conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body))
    for byte in body:
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


@pytest.mark.slow
def test_timeout_ends_the_run_even_while_plex_trickles_an_answer(
    child: Child, raw: Callable[[Reply], RawServer]
) -> None:
    """--timeout is a promise about the process, not about the flow's next wait."""
    server = raw(trickle)
    live = Live(child.login("--timeout", "2", url=server.url))
    result = live.finish(timeout=20)
    result.assert_clean()
    assert result.returncode == 4, result.stderr
    assert result.json["status"] == "timeout"
    assert result.elapsed < 2 + 3  # the timeout, start-up, the grace period


@pytest.mark.slow
def test_cancel_ends_the_run_while_plex_trickles_an_answer(
    child: Child, raw: Callable[[Reply], RawServer]
) -> None:
    server = raw(trickle)
    live = Live(child.login(url=server.url))
    live.wait_for_stderr("Getting a sign-in code")
    time.sleep(0.5)  # the request is under way (nothing to observe: the server is dumb)
    result = live.signal()
    assert result.returncode == 3 and result.elapsed < 1.0
