"""A keyring that is locked when the token arrives must not cost the person their sign-in.

The real program (``plexlogin login --terminal --json``) signs in against the simulator
while the test keyring answers "locked" to every write; the test unlocks it some seconds
after the approval. The token must wait in memory and land in the keyring (exit 0), also
behind an HTTPS proxy with a private CA and with a device name in Japanese; when
``--timeout`` runs out first, the run ends with exit 1 and says the keyring stayed locked.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from plexlogin.simulator import Simulator
from tests.helpers.socket_keyring import KeyringServer
from tests.test_plex_identity import sent
from tests.test_plex_network import PROXY_VARIABLES, ForwardProxy, TlsFront, proxy, tls_front

from .harness import (
    SERVICE,
    Child,
    Result,
    approve_when_shown,
    finish,
    interrupt,
    wait_for,
)

__all__ = ["proxy", "tls_front"]  # fixtures, used by name

#: how long the keyring stays locked after the approval
LOCKED_FOR = 8.0
WAITING = "The system keyring is locked. Unlock your keyring; waiting…"


def _locked_then_unlocked(
    child: Child, sim: Simulator, keyring: KeyringServer, *extra: str, **kw: object
) -> tuple[Result, str, float]:
    """Sign in with every keyring write refused as locked until LOCKED_FOR s after approval."""
    keyring.add_fault("set", "locked", times=-1)
    process = child.login(*extra, **kw)  # type: ignore[arg-type]
    token = approve_when_shown(sim, username="jane", timeout=20)
    approved = time.monotonic()
    wait_for(lambda: keyring.ops("set"), "the first (refused) write")
    unlock = threading.Timer(LOCKED_FOR, keyring.clear_faults)
    unlock.start()
    try:
        result = finish(process, timeout=LOCKED_FOR + 30)
    finally:
        unlock.cancel()
    return result, token, time.monotonic() - approved


def _stored_after_the_wait(result: Result, keyring: KeyringServer, token: str, took: float) -> None:
    result.assert_clean()
    assert result.returncode == 0, result.stderr
    data = result.json
    assert data["status"] == "signed_in" and data["error"] is None
    assert data["username"] == "jane" and data["keyring_username"] == "jane"
    assert keyring.get(SERVICE, "jane") == token
    assert result.stderr.count(WAITING) == 1, result.stderr
    assert "Token saved in the system keyring" in result.stderr
    refused = [op for op in keyring.ops("set") if op.fault == "locked"]
    assert len(refused) >= 3, "the write was tried again while the keyring stayed locked"
    assert took >= LOCKED_FOR
    assert took < LOCKED_FOR + 5, "the token landed soon after the keyring opened"


@pytest.mark.slow
def test_a_keyring_locked_for_seconds_after_approval_gets_the_token(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    result, token, took = _locked_then_unlocked(child, simulator, keyring_srv)
    _stored_after_the_wait(result, keyring_srv, token, took)


@pytest.mark.slow
def test_the_same_behind_an_https_proxy(
    child: Child,
    simulator: Simulator,
    keyring_srv: KeyringServer,
    proxy: ForwardProxy,
    tls_front: TlsFront,
) -> None:
    env = child.env()
    for name in PROXY_VARIABLES:
        env.pop(name, None)
    env.update(HTTPS_PROXY=proxy.url, SSL_CERT_FILE=str(tls_front.ca_file))
    result, token, took = _locked_then_unlocked(
        child, simulator, keyring_srv, url=tls_front.url, env=env
    )
    _stored_after_the_wait(result, keyring_srv, token, took)
    host = tls_front.url.removeprefix("https://")
    assert proxy.seen and {(s.method, s.target) for s in proxy.seen} == {("CONNECT", host)}


@pytest.mark.slow
def test_the_same_with_a_japanese_device_name(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    result, token, took = _locked_then_unlocked(
        child, simulator, keyring_srv, "--device-name", "居間のテレビ"
    )
    _stored_after_the_wait(result, keyring_srv, token, took)
    names = {sent(record, "X-Plex-Device-Name") for record in simulator.requests}
    assert names == {"居間のテレビ"}, "every request carried the name intact"


@pytest.mark.slow
def test_a_keyring_that_stays_locked_until_the_timeout_fails_and_says_so(
    child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    keyring_srv.add_fault("set", "locked", times=-1)
    process = child.login("--timeout", "6")
    approve_when_shown(simulator, username="jane", timeout=5)
    result = finish(process, timeout=20)
    result.assert_clean()
    assert result.returncode == 1, result.stderr
    data = result.json
    assert data["status"] == "error" and data["username"] == "jane"
    assert "stayed locked" in str(data["error"])
    assert keyring_srv.get(SERVICE, "jane") is None
    assert result.stderr.count(WAITING) == 1


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("keyring_is", ["locked", "hanging"])
def test_cancel_during_the_keyring_write_reports_the_account(
    keyring_is: str, number: int, child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    if keyring_is == "locked":  # waiting between tries
        keyring_srv.add_fault("set", "locked", times=-1)
    else:  # inside a write that does not answer
        keyring_srv.add_fault("set", "hang")
    process = child.login()
    approve_when_shown(simulator, username="jane")
    if keyring_is == "locked":
        wait_for(lambda: len(keyring_srv.ops("set")) >= 2, "a second try at the locked keyring")
    else:
        assert keyring_srv.started_hanging.wait(15)
    result = interrupt(process, number)
    result.assert_clean()
    assert result.returncode == 3, result.stderr
    assert result.elapsed < 1.5, "a wizard's SIGTERM ends the wait at once"
    data = result.json
    assert data["status"] == "cancelled" and "being saved" in str(data["error"])
    assert data["username"] == "jane", "the account is known: 'Signed in as jane' was shown"
    assert "Signed in as jane." in result.stderr
    assert (WAITING in result.stderr) == (keyring_is == "locked")
    assert keyring_srv.get(SERVICE, "jane") is None
