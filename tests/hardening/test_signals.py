"""SIGTERM and SIGINT at every stage of a sign-in, to the real process.

The command-line contract setup wizards rely on: a wizard's SIGTERM, or Ctrl-C, ends the run
within one second with exit code 3, the --json line says "cancelled", stderr says so in
plain words and nothing else (no traceback, no Qt warning). A keyring write in progress
is either completed (and then reported as the sign-in it is) or reported as possibly
unfinished: never silently half-done.

The one second is measured from the moment the signal is sent to the moment the process
has exited, with no margin added. The slowest path by design is a request plex.tv holds
open: the worker cannot be interrupted, so the run waits ``CANCEL_GRACE`` (0.5 s) for it
and then exits anyway.
"""

from __future__ import annotations

import signal

import pytest

from plexlogin.simulator import Simulator
from tests.helpers.socket_keyring import KeyringServer

from .harness import SERVICE, Child, Live, WatchedSimulator, approve_when_shown, pending, wait_for

pytestmark = pytest.mark.slow

SIGNALS = [signal.SIGTERM, signal.SIGINT]
CANCELLED_LINE = "plexlogin: Sign-in cancelled."
ONE_SECOND = 1.0


def assert_cancelled(live: Live, number: int, *, last_line: str = CANCELLED_LINE) -> None:
    result = live.signal(number)
    result.assert_clean()
    assert result.returncode == 3, result.stderr
    assert result.elapsed < ONE_SECOND, f"took {result.elapsed:.2f} s after the signal"
    data = result.json
    assert data["status"] == "cancelled" and data["error"]
    assert result.stderr.splitlines()[-1] == last_line


def codes_shown(sim: Simulator) -> bool:
    return bool(pending(sim, strong=False) and pending(sim, strong=True))


# --- terminal mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_as_soon_as_plexlogin_runs(number: int, child: Child) -> None:
    """From the moment plexlogin's code handles signals at all: before any front-end."""
    live = child.live()
    wait_for(live.handles_sigterm, "plexlogin to handle SIGTERM", timeout=15)
    assert_cancelled(live, number)


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_while_still_starting_up(
    number: int, child: Child, keyring_srv: KeyringServer
) -> None:
    """--demo checks the keyring before any front-end runs; that check is stuck here."""
    keyring_srv.add_fault("get", "hang")
    live = Live(child.start("login", "--demo", "--terminal", "--json"))
    assert keyring_srv.started_hanging.wait(15)
    assert_cancelled(live, number)


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_while_creating_pins(number: int, child: Child, simulator: WatchedSimulator) -> None:
    simulator.add_fault("create", delay=30)  # plex.tv holds the request open
    live = child.live()
    assert simulator.fault_met["create"].wait(15)
    assert_cancelled(live, number)


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_while_waiting_for_approval(number: int, child: Child, simulator: Simulator) -> None:
    live = child.live()
    wait_for(lambda: codes_shown(simulator), "the codes")
    live.wait_for_stderr("Press Ctrl-C to cancel")
    assert_cancelled(live, number)


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_poll_plex_holds_open(
    number: int, child: Child, simulator: WatchedSimulator
) -> None:
    simulator.add_fault("poll", delay=30, times=-1)
    live = child.live()
    assert simulator.fault_met["poll"].wait(15)
    assert_cancelled(live, number)


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_while_verifying_the_token(
    number: int, child: Child, simulator: WatchedSimulator, keyring_srv: KeyringServer
) -> None:
    simulator.add_fault("user", delay=30)
    live = child.live()
    approve_when_shown(simulator)
    assert simulator.fault_met["user"].wait(15)
    assert_cancelled(live, number)
    assert keyring_srv.ops("set") == []  # an unverified token is never stored


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_keyring_write_that_hangs_is_reported(
    number: int, child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    keyring_srv.add_fault("set", "hang")
    live = child.live("--keyring-username", "jane")
    approve_when_shown(simulator)
    assert keyring_srv.started_hanging.wait(15)
    assert_cancelled(
        live,
        number,
        last_line="plexlogin: Sign-in cancelled while the token was being saved to the "
        "keyring; it may or may not have been saved.",
    )
    # nothing claims a token that is not there: no entry, and no config pointing at one
    assert keyring_srv.get(SERVICE, "jane") is None
    config = (child.config_dir / "config.json").read_text()
    assert "jane" not in config


@pytest.mark.parametrize("number", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_keyring_write_that_completes_reports_the_sign_in(
    number: int, child: Child, simulator: Simulator, keyring_srv: KeyringServer
) -> None:
    """The write finishes within the grace period: the token is stored, and the run says so
    (exit 0, "signed_in"), since exit 0 is exactly "verified and stored"."""
    keyring_srv.add_fault("set", "slow")
    live = child.live("--keyring-username", "jane")
    token = approve_when_shown(simulator)
    assert keyring_srv.started_hanging.wait(15)
    result = live.signal(number)
    result.assert_clean()
    assert result.elapsed < ONE_SECOND
    assert result.returncode == 0, result.stderr
    assert result.json["status"] == "signed_in"
    assert keyring_srv.get(SERVICE, "jane") == token
    assert '"keyring_username": "jane"' in (child.config_dir / "config.json").read_text()


def test_a_second_signal_does_not_turn_a_clean_cancel_into_a_crash(
    child: Child, simulator: WatchedSimulator
) -> None:
    simulator.add_fault("poll", delay=30, times=-1)
    live = child.live()
    assert simulator.fault_met["poll"].wait(15)
    live.process.send_signal(signal.SIGTERM)
    live.process.send_signal(signal.SIGINT)
    live.process.send_signal(signal.SIGTERM)
    result = live.finish(timeout=10)
    result.assert_clean()
    assert result.returncode == 3 and result.json["status"] == "cancelled"
