"""``sign_in(ui="window")`` inside a program that already runs Qt, as a Qt wizard would."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import plexlogin
from plexlogin import events
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import CLIENT_ID

pytestmark = pytest.mark.gui


def test_the_window_runs_in_the_callers_application_and_leaves_it_running(
    qapp: QApplication, qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    threads: set[str] = set()
    approved: list[str] = []

    def on_event(event: events.Event) -> None:
        threads.add(threading.current_thread().name)

    result = plexlogin.sign_in(
        ui="window",
        on_codes=lambda codes: approved.append(sim.approve(code=codes.code)),
        on_event=on_event,
        plex_url=sim.url,
        client_id=CLIENT_ID,
        keyring_service="wizard",
    )
    assert result.keyring_username == "demo-user"
    assert plexlogin.stored_token("wizard", "demo-user") == approved[0]
    assert threading.main_thread().name not in threads, "never on the GUI thread"
    # the caller's application is the same and still runs events
    assert QCoreApplication.instance() is qapp
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=1000)


def test_cancel_closes_the_window_within_a_second(
    qapp: QApplication, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def person_gives_up(codes: plexlogin.Codes) -> None:
        cancelled_at.append(time.monotonic())
        cancel.set()

    with pytest.raises(plexlogin.Cancelled):
        plexlogin.sign_in(
            ui="window",
            on_codes=person_gives_up,
            cancel=cancel,
            plex_url=sim.url,
            client_id=CLIENT_ID,
        )
    assert time.monotonic() - cancelled_at[0] < 1.0
