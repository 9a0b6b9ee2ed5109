"""The window, as a wizard runs it: a real ``plexlogin login`` process, offscreen Qt.

Only through subprocesses (the window's own tests live in tests/gui). The same promises as
the terminal: a signal at any stage ends the run within a second with exit 3 and nothing
on stderr but the one line (no Qt warning, no "QThread: Destroyed while thread is still
running"); faults are ridden out; the token never reaches stdout or stderr, even at -v.
"""

from __future__ import annotations

import signal

import pytest

from plexlogin.errors import Cancelled
from tests.helpers.socket_keyring import KeyringServer

from .harness import (
    SERVICE,
    Child,
    Live,
    WatchedSimulator,
    approve_when_shown,
    pending,
    wait_for,
)
from .test_wire import RawServer, trickle

pytestmark = [pytest.mark.gui, pytest.mark.slow]

CANCELLED = "plexlogin: Sign-in cancelled."


def cancel(live: Live, number: int = signal.SIGTERM, *, message: str = CANCELLED) -> None:
    result = live.signal(number)
    result.assert_clean()
    assert result.returncode == 3, result.stderr
    assert result.elapsed < 1.0, f"took {result.elapsed:.2f} s after the signal"
    assert result.json["status"] == "cancelled"
    assert result.stderr.splitlines() == [message]  # and nothing from Qt


def test_signal_while_starting_up(child: Child, keyring_srv: KeyringServer) -> None:
    keyring_srv.add_fault("get", "hang")  # --demo's keyring check, before the window opens
    live = Live(child.start("login", "--demo", "--json", window=True))
    assert keyring_srv.started_hanging.wait(15)
    cancel(live)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_creating_pins(number: int, child: Child, simulator: WatchedSimulator) -> None:
    simulator.add_fault("create", delay=30)
    live = child.live(window=True)
    assert simulator.fault_met["create"].wait(15)
    cancel(live, number)


def test_signal_while_waiting(child: Child, simulator: WatchedSimulator) -> None:
    live = child.live(window=True)
    wait_for(lambda: pending(simulator, strong=False) and pending(simulator, strong=True), "codes")
    cancel(live)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_poll_plex_holds_open(
    number: int, child: Child, simulator: WatchedSimulator
) -> None:
    simulator.add_fault("poll", delay=30, times=-1)
    live = child.live(window=True)
    assert simulator.fault_met["poll"].wait(15)
    cancel(live, number)


def test_signal_while_verifying(
    child: Child, simulator: WatchedSimulator, keyring_srv: KeyringServer
) -> None:
    simulator.add_fault("user", delay=30)
    live = child.live(window=True)
    approve_when_shown(simulator)
    assert simulator.fault_met["user"].wait(15)
    cancel(live)
    assert keyring_srv.ops("set") == []


def test_signal_during_a_keyring_write_that_hangs(
    child: Child, simulator: WatchedSimulator, keyring_srv: KeyringServer
) -> None:
    keyring_srv.add_fault("set", "hang")
    live = child.live("--keyring-username", "jane", window=True)
    approve_when_shown(simulator)
    assert keyring_srv.started_hanging.wait(15)
    # like the terminal: the write may still land after exit, so it does not say "nothing"
    cancel(live, message="plexlogin: " + str(Cancelled.while_saving()))
    assert keyring_srv.get(SERVICE, "jane") is None
    assert "jane" not in (child.config_dir / "config.json").read_text()


def test_faults_are_ridden_out_and_nothing_leaks_at_verbose(
    child: Child, simulator: WatchedSimulator, keyring_srv: KeyringServer
) -> None:
    simulator.add_fault("create", status=503)
    simulator.add_fault("poll", status=200, body="<html>busy</html>", content_type="text/html")
    simulator.add_fault("user", status=500)
    live = child.live("-v", window=True)
    token = approve_when_shown(simulator, username="jane", timeout=20)
    result = live.finish()
    result.assert_clean()
    assert result.returncode == 0 and result.json["status"] == "signed_in"
    assert keyring_srv.get(SERVICE, "jane") == token
    assert token not in result.stdout + result.stderr


def test_a_keyring_failure_keeps_the_token_for_try_again_until_closed(
    child: Child, simulator: WatchedSimulator, keyring_srv: KeyringServer
) -> None:
    """The window offers "Try again" and does not exit by itself; closing it then reports
    the failure, not a cancel: the person was signed in, the keyring said no."""
    keyring_srv.add_fault("set", "set", times=-1)  # a read-only collection
    live = child.live("--keyring-username", "jane", window=True)
    approve_when_shown(simulator, username="jane")
    wait_for(lambda: [op for op in keyring_srv.ops("set") if op.finished.is_set()], "the write")
    # still open, holding the token for another try (not a timing bound: any exit is wrong)
    assert _still_running(live, 2.0)
    result = live.signal()
    result.assert_clean()
    assert result.returncode == 1 and result.elapsed < 1.0
    assert result.json["status"] == "error" and result.json["username"] == "jane"
    assert "could not save the token" in str(result.json["error"])
    assert keyring_srv.get(SERVICE, "jane") is None


def _still_running(live: Live, seconds: float) -> bool:
    import subprocess

    try:
        live.process.wait(seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


def test_timeout_ends_the_window_even_while_plex_trickles_an_answer(child: Child) -> None:
    server = RawServer(trickle)
    try:
        live = child.live("--timeout", "2", url=server.url, window=True)
        result = live.finish(timeout=12)
    finally:
        server.close()
    assert result.returncode in (1, 4)
