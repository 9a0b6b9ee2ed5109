"""The window signs in with ``--auth jwt`` like the terminal: it is the same LoginSession."""

from __future__ import annotations

from collections.abc import Callable

import jwt as pyjwt
import pytest
from pytestqt.qtbot import QtBot

from plexlogin.devicekey import DeviceKeyStore
from plexlogin.errors import ExitCode
from plexlogin.gui.window import SignInWindow
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import CLIENT_ID, WAIT_MS, settings_for, wait_for_codes

pytestmark = pytest.mark.gui


def test_the_window_signs_in_with_a_device_key_through_the_qr_code(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: Callable[..., SignInWindow],
) -> None:
    window = open_window(settings_for(sim, auth="jwt"), success_pause_ms=100)
    _code, url = wait_for_codes(qtbot, window)
    strong = next(pin for pin in sim.pins() if pin.strong)
    assert f"code={strong.code}" in url
    sim.approve(strong.id, username="jane")
    with qtbot.waitSignal(window.finished, timeout=WAIT_MS) as closed:
        pass
    outcome = closed.args[0]
    assert outcome.exit_code == ExitCode.OK and outcome.expires_at is not None

    stored = memory_keyring.get_password("plexlogin-test", "jane")
    assert stored is not None
    key = DeviceKeyStore("plexlogin-test").load("jane")
    assert key is not None
    claims = pyjwt.decode(stored, options={"verify_signature": False})
    assert claims["thumbprint"] == key.kid and CLIENT_ID in claims["aud"]
    with PlexClient(Identity(client_id=CLIENT_ID), sim.url) as client:
        assert client.get_user(Token(stored)).username == "jane"
