"""The window waits for a locked keyring by itself, and stores the token once it opens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from plexlogin.gui.window import SignInWindow
from plexlogin.login import Outcome
from plexlogin.simulator import Simulator
from tests.helpers.keyring_fixtures import LockedKeyring

from .conftest import WAIT_MS, settings_for, wait_for_codes

pytestmark = pytest.mark.gui


def test_a_locked_keyring_is_waited_for_then_the_token_stored(
    qtbot: QtBot,
    sim: Simulator,
    use_keyring: Callable[[object], None],
    open_window: Callable[..., SignInWindow],
) -> None:
    backend = LockedKeyring()
    use_keyring(backend)
    window = open_window(settings_for(sim), success_pause_ms=100)
    code, _ = wait_for_codes(qtbot, window)
    token = sim.approve(code=code, username="jane")

    qtbot.waitUntil(lambda: "Unlock your keyring" in window.problem_detail.text(), timeout=WAIT_MS)
    assert window.retry_button.isVisible(), "Try again stays there"
    qtbot.waitUntil(lambda: backend.refused >= 2, timeout=WAIT_MS)  # tried again by itself
    assert backend.get_password("plexlogin-test", "jane") is None

    backend.unlock()
    with qtbot.waitSignal(window.finished, timeout=WAIT_MS) as closed:
        qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
        # (this stand-in keyring lives in memory, and the window says so)
        assert "Service “plexlogin-test”, account “jane”." in window.done_detail.text()
    assert closed.args[0] == Outcome.signed_in("jane", "jane")
    assert backend.get_password("plexlogin-test", "jane") == token
