"""The networks people really have: a forward proxy, a TLS-inspecting gateway's own CA.

A tiny forward proxy (plain HTTP and CONNECT) and a TLS front for the simulator run on
loopback; the certificates come from a throwaway CA made for the test.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from plexlogin.errors import NetworkError, UsageError
from plexlogin.plex import CaBundleNotFound, Identity, PlexClient, make_session
from plexlogin.simulator import Simulator
from tests.helpers.tls_front import TlsFront, relay

CLIENT_ID = "9d1e0c55-2f4b-4d7e-8a61-3c2b1a0f9e8d"
PROXY_VARIABLES = [
    f"{name}{suffix}" for name in ("HTTP", "HTTPS", "ALL", "NO") for suffix in ("_PROXY", "_proxy")
] + ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NETRC"]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy or CA setting from the machine running the tests, and a HOME of our own."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


# --- a forward proxy ----------------------------------------------------------------------


@dataclass
class Seen:
    """One request the proxy handled: its request line and headers."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: ForwardProxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = dict(line.split(": ", 1) for line in header_lines)
        self.server.seen.append(Seen(method, target, headers))
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                relay(self.request, upstream, rest)
            return
        # plain HTTP: "GET http://host:port/path HTTP/1.1" goes on as "GET /path HTTP/1.1"
        url = requests.utils.urlparse(target)
        path = url.path + (f"?{url.query}" if url.query else "")
        hop_by_hop = ("connection", "proxy-connection")
        headers = {k: v for k, v in headers.items() if k.lower() not in hop_by_hop}
        headers["Connection"] = "close"
        forwarded = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        with socket.create_connection((url.hostname, url.port)) as upstream:
            relay(self.request, upstream, forwarded.encode("latin-1") + b"\r\n" + rest)


class ForwardProxy(socketserver.ThreadingTCPServer):
    """A forward proxy on loopback that records every request it carries."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[Seen] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    server = ForwardProxy()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


# --- a TLS front with a throwaway CA ------------------------------------------------------


@pytest.fixture
def tls_front(simulator: Simulator, tmp_path: Path) -> Iterator[TlsFront]:
    with TlsFront(simulator.url, tmp_path) as front:
        yield front


def _client(url: str) -> PlexClient:
    return PlexClient(Identity(CLIENT_ID), url, timeout=(3.0, 5.0))


# --- proxies --------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_requests_go_through_the_proxy(
    simulator: Simulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    with _client(simulator.url) as client:
        pin = client.create_pin()
        client.poll_pin(pin.id)
    assert [(s.method, s.target) for s in proxy.seen] == [
        ("POST", f"{simulator.url}/api/v2/pins?strong=false"),
        ("GET", f"{simulator.url}/api/v2/pins/{pin.id}"),
    ]
    assert len(simulator.requests) == 2


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
def test_no_proxy_is_honoured(
    simulator: Simulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    with _client(simulator.url) as client:
        client.create_pin()
    assert proxy.seen == []
    assert len(simulator.requests) == 1


def test_netrc_credentials_are_never_sent(
    simulator: Simulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login alice password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    # the check can fail: requests itself would send them
    with requests.Session() as plain:
        plain.get(simulator.url + "/api/v2/user", headers={"Accept": "application/json"})
    assert "Authorization" in simulator.requests[-1].headers
    with _client(simulator.url) as client:
        client.create_pin()
    with make_session() as session:
        session.get(simulator.url + "/api/v2/user", headers={"Accept": "application/json"})
    for record in simulator.requests[1:]:
        assert "Authorization" not in record.headers
    assert all("Authorization" not in seen.headers for seen in proxy.seen[1:])
    assert len(proxy.seen) == 3  # every request went through the proxy


def test_a_proxy_that_is_down_is_said_plainly(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    with _client(simulator.url) as client, pytest.raises(NetworkError, match="through the proxy"):
        client.create_pin()


def test_https_goes_through_the_proxy_with_connect(
    tls_front: TlsFront, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_front.ca_file))
    with _client(tls_front.url) as client:
        assert client.create_pin().code
    host = tls_front.url.removeprefix("https://")
    assert [(s.method, s.target) for s in proxy.seen] == [("CONNECT", host)]


# --- CA bundles -----------------------------------------------------------------------------


def test_an_untrusted_certificate_is_a_clear_error(tls_front: TlsFront) -> None:
    with _client(tls_front.url) as client, pytest.raises(NetworkError) as failed:
        client.create_pin()
    assert "certificate is not trusted" in str(failed.value)
    assert "SSL_CERT_FILE" in str(failed.value)


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_ca_bundle_from_the_environment_is_trusted(
    tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, str(tls_front.ca_file))
    with _client(tls_front.url) as client:
        pin = client.create_pin()
        assert client.poll_pin(pin.id).code == pin.code


def test_a_ca_bundle_that_does_not_exist_is_a_usage_error(
    tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with _client(tls_front.url) as client, pytest.raises(CaBundleNotFound) as missing:
        client.create_pin()
    assert isinstance(missing.value, UsageError)
    assert "SSL_CERT_FILE" in str(missing.value)
