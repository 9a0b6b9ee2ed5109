"""SignInWorker through its signals: the events it relays, what it adds, and stopping."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from PySide6.QtCore import QObject, QThread, Signal, Slot
from pytestqt.qtbot import QtBot

from plexlogin import events
from plexlogin.errors import ExitCode
from plexlogin.gui import worker as worker_module
from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.gui.worker import SignInWorker
from plexlogin.login import Outcome
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring
from tests.helpers.keyring_fixtures import FlakyKeyring

from .conftest import WAIT_MS, settings_for

pytestmark = pytest.mark.gui


class Listener(QObject):
    """Hears a worker on the UI thread, as the window does (queued connections)."""

    codes = Signal(object, object)

    def __init__(self, worker: SignInWorker) -> None:
        super().__init__()
        self.heard: list[object] = []
        worker.codesReady.connect(self._on_codes)
        worker.happened.connect(self._on_event)

    @Slot(object, object)
    def _on_codes(self, event: object, qr: object) -> None:
        self.codes.emit(event, qr)

    @Slot(object)
    def _on_event(self, event: object) -> None:
        self.heard.append(event)

    def saw(self, kind: type) -> bool:
        return any(isinstance(event, kind) for event in self.heard)


@dataclass
class Running:
    """A worker in its thread, the listener on the UI thread, and the first codes."""

    worker: SignInWorker
    listener: Listener
    codes: events.CodesReady
    qr: QrBitmap


@pytest.fixture
def run_worker(qtbot: QtBot) -> Iterator[Callable[[Simulator], Running]]:
    """Start a worker in its own QThread, as the window does, and wait for its codes."""
    started: list[tuple[SignInWorker, QThread]] = []

    def run(sim: Simulator) -> Running:
        worker = SignInWorker(settings_for(sim))
        listener = Listener(worker)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.start)
        # deleted in its own thread, as the window does: never from this one
        thread.finished.connect(worker.deleteLater)
        started.append((worker, thread))
        with qtbot.waitSignal(listener.codes, timeout=WAIT_MS) as shown:
            thread.start()
        codes, qr = shown.args  # type: ignore[misc]
        return Running(worker, listener, codes, qr)

    yield run
    for worker, thread in started:
        worker.request_stop()
        thread.quit()
        assert thread.wait(WAIT_MS)


def test_codes_come_with_their_qr_bitmap(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    run_worker: Callable[[Simulator], Running],
) -> None:
    running = run_worker(sim)
    event, qr = running.codes, running.qr
    assert isinstance(event, events.CodesReady) and isinstance(qr, QrBitmap)
    assert event.code == next(pin.code for pin in sim.pins() if not pin.strong)
    assert qr.side >= 21  # a version-1 QR code at the least, quiet zone included


def test_the_flows_own_events_are_relayed_unchanged(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    run_worker: Callable[[Simulator], Running],
) -> None:
    running = run_worker(sim)
    worker, listener, heard = running.worker, running.listener, running.listener.heard
    sim.approve(code=running.codes.code, username="jane")

    qtbot.waitUntil(lambda: listener.saw(events.Stored), timeout=WAIT_MS)
    assert [type(e) for e in heard] == [events.Approved, events.Verified, events.Stored]
    verified = heard[1]
    assert isinstance(verified, events.Verified) and verified.account.username == "jane"
    assert worker.give_up() == Outcome.signed_in("jane", "jane")


def test_nothing_is_emitted_after_a_stop(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    run_worker: Callable[[Simulator], Running],
) -> None:
    running = run_worker(sim)
    worker, listener = running.worker, running.listener
    outcome = worker.give_up()
    assert outcome.exit_code == ExitCode.CANCELLED

    # a late event from the flow (or a late QR) is dropped: the window asked for no more
    late = events.CodesReady("K2XP", "https://app.plex.tv/auth", 0.0, 900, datetime.now(), True)
    with qtbot.assertNotEmitted(worker.codesReady), qtbot.assertNotEmitted(worker.happened):
        worker._handle(late)
        worker._handle(events.Renewing("The code expired. Getting a new one…"))
    assert listener.heard == []


class Retry(QObject):
    requested = Signal()


def test_try_again_stores_the_token_it_kept(
    qtbot: QtBot,
    sim: Simulator,
    use_keyring: Callable[[object], None],
    run_worker: Callable[[Simulator], Running],
) -> None:
    backend = FlakyKeyring(failures=1)
    use_keyring(backend)
    running = run_worker(sim)
    worker, listener, heard = running.worker, running.listener, running.listener.heard
    token = sim.approve(code=running.codes.code)
    qtbot.waitUntil(lambda: listener.saw(events.StoreFailed), timeout=WAIT_MS)
    assert worker.session.can_store_again

    retry = Retry()
    retry.requested.connect(worker.retry_save)  # queued to the worker's thread, as the window's
    retry.requested.emit()
    qtbot.waitUntil(lambda: isinstance(heard[-1], events.Stored), timeout=WAIT_MS)
    assert backend.get_password("plexlogin-test", "demo-user") == token
    assert worker.give_up().exit_code == ExitCode.OK


def test_a_stop_before_the_thread_runs_ends_cancelled_without_a_request(
    sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    worker = SignInWorker(settings_for(sim))
    assert worker.give_up().exit_code == ExitCode.CANCELLED
    worker.start()  # the thread starting late changes nothing
    assert sim.pins() == []


def test_the_qr_encoder_loads_while_the_pin_requests_are_on_the_network(
    run_worker: Callable[[Simulator], Running], sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not after the PINs came: loading qrcode then would add to the wait for the code."""
    sim.add_fault("create", delay=0.5, times=2)
    loaded: list[float] = []
    load = worker_module._load_qr_encoder

    def load_and_note() -> None:
        load()
        loaded.append(time.monotonic())

    monkeypatch.setattr(worker_module, "_load_qr_encoder", load_and_note)
    run_worker(sim)
    asked = min(r.at for r in sim.requests if r.endpoint == "create")
    assert loaded, "the QR encoder was not loaded ahead"
    assert loaded[0] < asked + 0.5, "loaded only once the PINs had come back"
