"""The networks people really have: a forward proxy, a TLS-inspecting gateway's own CA.

A tiny forward proxy (plain HTTP and CONNECT) and a TLS front for the simulator run on
loopback; the certificates come from a throwaway CA made for the test.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from plexlogin.errors import NetworkError, UsageError
from plexlogin.plex import CaBundleNotFound, Identity, PlexClient, make_session
from plexlogin.simulator import Simulator

Signer = ec.EllipticCurvePrivateKey
CLIENT_ID = "9d1e0c55-2f4b-4d7e-8a61-3c2b1a0f9e8d"
PROXY_VARIABLES = [
    f"{name}{suffix}"
    for name in ("HTTP", "HTTPS", "ALL", "NO")
    for suffix in ("_PROXY", "_proxy")
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


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _relay(client: socket.socket, upstream: socket.socket, first: bytes = b"") -> None:
    """Copy bytes both ways until either side closes."""
    if first:
        upstream.sendall(first)
    back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    back.start()
    _pump(client, upstream)
    back.join(5)


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
                _relay(self.request, upstream, rest)
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
            _relay(self.request, upstream, forwarded.encode("latin-1") + b"\r\n" + rest)


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


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None, signer: Signer
) -> x509.Certificate:
    """A CA certificate (no issuer: self-signed) or a server certificate for 127.0.0.1."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )
    if issuer is None:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (usage, True),
            # Python 3.13's strict X.509 checks want the CA's key identifier
            (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        ]
    else:
        loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        extensions = [
            (x509.SubjectAlternativeName([loopback]), False),
            (x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False),
        ]
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())


@dataclass
class TlsFront:
    """TLS on loopback, signed by a CA only ``ca_file`` knows, relaying to the simulator."""

    url: str
    ca_file: Path


@pytest.fixture
def tls_front(simulator: Simulator, tmp_path: Path) -> Iterator[TlsFront]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("plexlogin test CA", ca_key, None, ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("127.0.0.1", key, ca, ca_key)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain = tmp_path / "server.pem"
    chain.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    upstream_port = int(simulator.url.rsplit(":", 1)[1])

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            try:
                secure = context.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # the client did not trust us: exactly what some tests expect
            with secure, socket.create_connection(("127.0.0.1", upstream_port)) as upstream:
                _relay(secure, upstream)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield TlsFront(f"https://127.0.0.1:{server.server_address[1]}", tmp_path / "ca.pem")
    server.shutdown()
    server.server_close()


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
