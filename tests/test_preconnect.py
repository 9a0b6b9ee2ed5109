"""The connections to plex.tv opened while the front-end starts, taken by the first requests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plexlogin import preconnect
from plexlogin.adopting import AdoptingAdapter
from plexlogin.errors import NetworkError
from plexlogin.plex import Identity, PlexClient, make_session
from plexlogin.simulator import Simulator
from tests.helpers.tls_front import TlsFront
from tests.test_plex_network import CLIENT_ID, PROXY_VARIABLES, tls_front

__all__ = ["tls_front"]  # a fixture, used by name


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    preconnect.discard()
    yield
    preconnect.discard()


def _both_pins(url: str) -> None:
    """Two PINs at once, each on a connection of its own, as the flow makes them."""
    errors: list[Exception] = []

    def strong(client: PlexClient) -> None:
        try:
            client.create_pin(strong=True)
        except Exception as error:  # re-raised below, in the test's thread
            errors.append(error)

    with PlexClient(Identity(CLIENT_ID), url, timeout=(3.0, 5.0)) as client:
        helper = threading.Thread(target=strong, args=(client,))
        helper.start()
        try:
            pin = client.create_pin()
        finally:
            helper.join()
        if errors:
            raise errors[0]
        client.poll_pin(pin.id)  # keep-alive: on one of the same connections


def test_the_first_requests_take_the_connections_opened_ahead(
    simulator: Simulator, tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_front.ca_file))
    assert preconnect.open_ahead(tls_front.url)
    _both_pins(tls_front.url)
    # two opened ahead, none more: without adopting them the client would open two more
    assert simulator.connections_accepted == 2
    assert len([r for r in simulator.requests if r.endpoint == "create"]) == 2


def test_without_connections_opened_ahead_the_client_opens_its_own(
    simulator: Simulator, tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_front.ca_file))
    _both_pins(tls_front.url)
    assert simulator.connections_accepted == 2


def test_a_connection_verified_with_another_bundle_is_never_used(
    simulator: Simulator, tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened trusting the test CA, but the client trusts only certifi's: refused."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_front.ca_file))
    assert preconnect.open_ahead(tls_front.url)
    host, port = "127.0.0.1", int(tls_front.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 5
    while simulator.connections_accepted < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(NetworkError):
        _both_pins(tls_front.url)
    assert preconnect.take(host, port, str(tls_front.ca_file), wait=0) is None  # closed, not kept


def test_an_untrusted_server_leaves_nothing_to_take(tls_front: TlsFront) -> None:
    """Without the test CA the handshake fails: the client connects (and fails) itself."""
    assert preconnect.open_ahead(tls_front.url)
    import certifi

    port = int(tls_front.url.rsplit(":", 1)[1])
    assert preconnect.take("127.0.0.1", port, certifi.where(), wait=5) is None
    with pytest.raises(NetworkError):
        _both_pins(tls_front.url)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_nothing_is_opened_ahead_through_a_proxy(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests would connect to the proxy, not to plex.tv."""
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    assert not preconnect.open_ahead("https://plex.tv")


def test_nothing_is_opened_ahead_for_plain_http(simulator: Simulator) -> None:
    assert not preconnect.open_ahead(simulator.url)
    assert simulator.connections_accepted == 0


def test_a_connection_the_server_closed_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server drops idle connections: a request must never be sent into one."""
    with socket.create_server(("127.0.0.1", 0)) as closing:  # hangs up on everyone
        threading.Thread(target=_hang_up, args=(closing,), daemon=True).start()
        upstream = f"http://127.0.0.1:{closing.getsockname()[1]}"
        with TlsFront(upstream, tmp_path) as front:
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(front.ca_file))
            assert preconnect.open_ahead(front.url, count=1)
            port = int(front.url.rsplit(":", 1)[1])
            time.sleep(0.5)  # handshake done, then the front relays the hang-up
            assert preconnect.take("127.0.0.1", port, str(front.ca_file), wait=5) is None


def _hang_up(server: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while True:
            connection, _ = server.accept()
            connection.close()


def test_taking_waits_for_a_connection_being_opened(
    simulator: Simulator, tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_front.ca_file))
    assert preconnect.open_ahead(tls_front.url, count=1)
    port = int(tls_front.url.rsplit(":", 1)[1])
    taken = preconnect.take("127.0.0.1", port, str(tls_front.ca_file), wait=5)
    assert taken is not None
    taken.close()


def test_a_connection_checking_another_name_never_adopts(
    simulator: Simulator, tls_front: TlsFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool told to check a name of its own (server_hostname) connects by itself."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_front.ca_file))
    assert preconnect.open_ahead(tls_front.url, count=1)
    adapter = AdoptingAdapter()
    adapter.init_poolmanager(10, 10, server_hostname="127.0.0.1")
    session = make_session()
    session.mount("https://", adapter)
    with PlexClient(Identity(CLIENT_ID), tls_front.url, session=session) as client:
        client.create_pin()
    assert simulator.connections_accepted == 2  # the one opened ahead, and its own
