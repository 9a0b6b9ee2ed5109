"""LoginSession: the keyring is found while the person approves, not after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import keyring.backend
import pytest

from plexlogin import flow
from plexlogin.login import LoginSession, LoginSettings
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.fake_clock import FakeClock


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
    events: list[flow.Event] = []
    clock = FakeClock()
    with Simulator(pin_lifetime=10, strong_pin_lifetime=20) as sim:
        session = LoginSession(settings(sim), events.append, clock=clock, waiter=clock)
        monkeypatch.setattr(
            session.store, "warm_up", lambda: calls.append([type(e) for e in events])
        )
        # two renewals, then the person approves the newest code
        clock.at(25, lambda: sim.approve(max(p.id for p in sim.pins() if not p.approved)))
        result = session.run()
        session.store_token(result)
        session.close()
    assert len([e for e in events if isinstance(e, flow.CodesReady)]) == 3
    assert calls == [[flow.CodesReady]], "once, right after the first codes were shown"
    assert memory_keyring.get_password("plexlogin-test", "demo-user")


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
