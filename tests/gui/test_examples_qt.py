"""The integration guide's PySide6 wizard page, driven offscreen against the simulator."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

import plexlogin
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import CLIENT_ID, WAIT_MS, decode_qr

pytestmark = pytest.mark.gui

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "qt_wizard_page.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qt_wizard_page", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_wizard(qtbot: QtBot, sim: Simulator) -> tuple[QWizard, Any]:
    example = load_example()
    wizard = QWizard()
    page = example.PlexSignInPage(plex_url=sim.url, client_id=CLIENT_ID, keyring_service="wizard")
    wizard.addPage(page)
    qtbot.addWidget(wizard)
    return wizard, page


def test_the_wizard_page_draws_a_readable_qr_code_and_completes(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    wizard, page = open_wizard(qtbot, sim)
    with qtbot.waitSignal(page.codesArrived, timeout=WAIT_MS) as arrived:
        wizard.show()  # shows the first page: initializePage() starts the sign-in
    [codes] = arrived.args
    qtbot.waitUntil(lambda: bool(page.qr.matrix), timeout=WAIT_MS)
    assert decode_qr(page.qr.grab().toImage()) == [codes.auth_url]
    assert codes.code in page.code_label.text()
    token = sim.approve(code=codes.code)
    qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
    assert page.status.text() == "Signed in as demo-user."
    assert plexlogin.stored_token("wizard") == token


def test_cancelling_the_wizard_ends_the_sign_in_within_a_second(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    wizard, page = open_wizard(qtbot, sim)
    with qtbot.waitSignal(page.codesArrived, timeout=WAIT_MS):
        wizard.show()
    started = time.monotonic()
    wizard.reject()  # Cancel: the example connects the wizard's finished to page.stop
    assert time.monotonic() - started < 1.0
    assert page._thread is None and not page.isComplete()
    assert memory_keyring.get_password("wizard", "demo-user") is None
