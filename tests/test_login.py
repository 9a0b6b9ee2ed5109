"""LoginSession: one sign-in from codes to stored token, and how it ended, decided once."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from plexlogin import events
from plexlogin.errors import Cancelled, ExitCode, SignInTimeout
from plexlogin.login import (
    KEYRING_LONGEST_PAUSE,
    STAYED_LOCKED,
    WARM_UP_DELAY,
    LoginSession,
    LoginSettings,
    Outcome,
    Status,
)
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.fake_clock import FakeClock
from tests.helpers.keyring_fixtures import HangingKeyring, LockedKeyring, RaisingKeyring


def settings(sim: Simulator) -> LoginSettings:
    return LoginSettings(
        plex_url=sim.url,
        client_id="9d2b6c1e-0f3a-4e5b-8c7d-6a5b4c3d2e1f",
        product="plexlogin",
        device_name=None,
        keyring_service="plexlogin-test",
        keyring_username=None,
        remember=False,
    )


def test_keyring_is_warmed_up_once_after_the_first_codes(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[type]] = []
    heard: list[events.Event] = []
    clock = FakeClock()
    warmed = threading.Event()

    def warm_up() -> None:
        calls.append([type(e) for e in heard])
        warmed.set()

    with Simulator(pin_lifetime=10, strong_pin_lifetime=20) as sim:
        session = LoginSession(settings(sim), heard.append, clock=clock, waiter=clock)
        monkeypatch.setattr(session.store, "warm_up", warm_up)
        # two renewals, then the person approves the newest code
        clock.at(25, lambda: sim.approve(max(p.id for p in sim.pins() if not p.approved)))
        result = session.run()
        session.store_token(result)
        assert warmed.wait(5)  # in real time, 0.3 s after the first codes
        session.close()
    assert len([e for e in heard if isinstance(e, events.CodesReady)]) == 3
    # once, on a thread of its own, a moment after the first codes were shown
    assert len(calls) == 1 and calls[0][0] is events.CodesReady
    assert memory_keyring.get_password("plexlogin-test", "demo-user")


def test_a_sign_in_over_before_the_warm_up_leaves_no_keyring_lookup_behind(
    simulator: Simulator, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a wizard's sign_in() that ended at once must not leave a thread that looks the
    # keyring up later, in a program that has moved on (and may have changed keyrings)
    warmed: list[str] = []
    monkeypatch.setattr(TokenStore, "warm_up", lambda self, wait=0.5: warmed.append("late"))
    session: LoginSession

    def on_event(event: events.Event) -> None:
        if isinstance(event, events.CodesReady):
            session.cancel()

    session = LoginSession(settings(simulator), on_event)
    outcome = session.sign_in()
    session.close()
    time.sleep(WARM_UP_DELAY + 0.4)
    assert outcome.exit_code == ExitCode.CANCELLED
    assert warmed == []


def test_warm_up_never_blocks_long_or_raises(
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from keyring.backends import fail

    use_keyring(fail.Keyring())
    TokenStore("plexlogin-test").warm_up(wait=0.2)  # no backend: the save will say so

    # a backend lookup stuck on D-Bus: warm_up gives up after its wait, without an error
    release = threading.Event()

    def stuck() -> None:
        release.wait(30)

    monkeypatch.setattr("plexlogin.tokens.keyring.get_keyring", stuck)
    started = time.monotonic()
    TokenStore("plexlogin-test").warm_up(wait=0.2)
    waited = time.monotonic() - started
    release.set()
    assert 0.2 <= waited < 5


# --- the end of a sign-in, decided by the session ------------------------------------------


def _approve_when_shown(sim: Simulator) -> Callable[[events.Event], None]:
    def on_event(event: events.Event) -> None:
        if isinstance(event, events.CodesReady) and not event.renewed:
            sim.approve(code=event.code, username="jane")

    return on_event


def test_sign_in_runs_verifies_stores_and_says_so(
    simulator: Simulator, memory_keyring: MemoryKeyring, clock: FakeClock
) -> None:
    heard: list[events.Event] = []
    approve = _approve_when_shown(simulator)

    def on_event(event: events.Event) -> None:
        heard.append(event)
        approve(event)

    session = LoginSession(settings(simulator), on_event, clock=clock, waiter=clock)
    outcome = session.sign_in()
    session.close()
    assert outcome == Outcome.signed_in("jane", "jane")
    assert session.give_up() == outcome, "what ended stands when the front-end stops"
    assert [type(e) for e in heard][-3:] == [events.Approved, events.Verified, events.Stored]
    assert memory_keyring.get_password("plexlogin-test", "jane")


def test_cancel_before_the_run_needs_no_network(simulator: Simulator) -> None:
    session = LoginSession(settings(simulator))
    session.cancel()
    assert session.sign_in().exit_code == ExitCode.CANCELLED
    assert simulator.pins() == []


def test_giving_up_during_the_keyring_write_says_it_may_be_saved(
    simulator: Simulator, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    backend = HangingKeyring()
    use_keyring(backend)
    session = LoginSession(settings(simulator), _approve_when_shown(simulator))
    worker = threading.Thread(target=session.sign_in, daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while backend.calls < 1 and time.monotonic() < deadline:  # the write has begun
            time.sleep(0.01)
        assert session.seconds_left() is None  # the keyring write has no front-end deadline
        assert session.time_out() is None, "the keyring's own limit decides, not --timeout"
        started = time.monotonic()
        outcome = session.give_up(grace=0.1)
        assert time.monotonic() - started < 1
    finally:
        backend.release()
        worker.join(10)
        session.close()
    assert outcome == Outcome.from_error(Cancelled.while_saving(), "jane")
    assert session.give_up() == outcome


def test_time_out_holds_while_a_request_hangs(simulator: Simulator) -> None:
    simulator.add_fault("create", delay=5.0, times=-1)  # the flow never gets to check
    session = LoginSession(dataclasses.replace(settings(simulator), timeout=0.3))
    worker = threading.Thread(target=session.sign_in, daemon=True)
    worker.start()
    left = session.seconds_left()
    assert left is not None and 0 < left <= 0.3 + 0.5
    time.sleep(max(0.0, left))
    outcome = session.time_out()
    session.close()
    assert outcome is not None and outcome.status is Status.TIMEOUT
    assert outcome.error == str(SignInTimeout())
    assert session.give_up() == outcome, "a later close does not turn it into a cancel"


def test_store_again_after_the_keyring_refused(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    clock: FakeClock,
) -> None:
    use_keyring(RaisingKeyring(keyring.errors.PasswordSetError("read-only")))
    session = LoginSession(
        settings(simulator), _approve_when_shown(simulator), clock=clock, waiter=clock
    )
    failed = session.sign_in()
    assert failed.exit_code == ExitCode.FAILED and failed.username == "jane"
    assert session.can_store_again
    assert session.outcome() == failed, "closing now ends with the keyring's error"

    fixed = MemoryKeyring()
    use_keyring(fixed)
    assert session.store_again() == Outcome.signed_in("jane", "jane")
    assert not session.can_store_again
    assert fixed.get_password("plexlogin-test", "jane")
    session.close()


def test_a_locked_keyring_is_waited_for_and_the_token_kept(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    clock: FakeClock,
) -> None:
    backend = LockedKeyring()
    use_keyring(backend)
    heard: list[events.Event] = []
    approve = _approve_when_shown(simulator)

    def on_event(event: events.Event) -> None:
        heard.append(event)
        approve(event)
        if isinstance(event, events.WaitingForKeyring):
            clock.at(clock.elapsed + 600, backend.unlock)  # ten minutes later: no --timeout

    session = LoginSession(settings(simulator), on_event, clock=clock, waiter=clock)
    outcome = session.sign_in()
    session.close()
    assert outcome == Outcome.signed_in("jane", "jane")
    assert backend.get_password("plexlogin-test", "jane")
    kinds = [type(e) for e in heard]
    assert kinds[-3:] == [events.Verified, events.WaitingForKeyring, events.Stored]
    assert events.StoreFailed not in kinds
    # tried again every couple of seconds, not in a tight loop and not once a minute
    assert 600 / KEYRING_LONGEST_PAUSE <= backend.refused <= 600 / KEYRING_LONGEST_PAUSE + 5


def test_a_keyring_that_stays_locked_past_the_timeout_fails_with_the_account_known(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    clock: FakeClock,
) -> None:
    use_keyring(LockedKeyring())
    heard: list[events.Event] = []
    approve = _approve_when_shown(simulator)

    def on_event(event: events.Event) -> None:
        heard.append(event)
        approve(event)

    timed = dataclasses.replace(settings(simulator), timeout=30)
    session = LoginSession(timed, on_event, clock=clock, waiter=clock)
    outcome = session.sign_in()
    session.close()
    assert outcome.exit_code == ExitCode.FAILED and outcome.username == "jane"
    assert outcome.error == STAYED_LOCKED and outcome.error_kind == "keyring_locked"
    assert 30 <= clock.elapsed < 31
    assert isinstance(heard[-1], events.StoreFailed) and session.can_store_again


def test_cancel_while_waiting_for_the_keyring_reports_the_account(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    clock: FakeClock,
) -> None:
    use_keyring(LockedKeyring())
    approve = _approve_when_shown(simulator)
    session: LoginSession

    def on_event(event: events.Event) -> None:
        approve(event)
        if isinstance(event, events.WaitingForKeyring):
            clock.at(clock.elapsed + 5, session.cancel)

    session = LoginSession(settings(simulator), on_event, clock=clock, waiter=clock)
    outcome = session.sign_in()
    session.close()
    assert outcome == Outcome.from_error(Cancelled.while_saving(), "jane")
    assert outcome.as_json(session.settings)["username"] == "jane"
    assert session.give_up() == outcome


def test_keyring_loads_only_once_the_codes_show(tmp_path: Path) -> None:
    """keyring and its Secret Service stack are not on the way to the first request."""
    probe = """
import sys
from plexlogin import events
from plexlogin.login import LoginSession, LoginSettings
from plexlogin.simulator import Simulator

seen = []
with Simulator() as sim:
    settings = LoginSettings(sim.url, "8b5a3f0e-2c1d-4e6f-9a7b-0c1d2e3f4a5b", "plexlogin",
                             None, "plexlogin-test", None, timeout=30, remember=False)

    def on_event(event):
        if isinstance(event, events.CodesReady) and not seen:
            seen.append("keyring" in sys.modules)
            session.cancel()

    session = LoginSession(settings, on_event)
    session.sign_in()
print(seen)
"""
    env = {**os.environ, "PLEXLOGIN_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[False]"
