"""Fixtures for the window's tests: a real simulator and a window.

The keyring fixtures (``use_keyring``, ``memory_keyring``) and the private config folder
come from the root ``tests/conftest.py``, like everywhere else in the suite.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from plexlogin.login import LoginSettings
from plexlogin.simulator import Simulator


def _emit_drops_a_reference_to_true() -> bool:
    """Whether this PySide6 returns ``True`` from ``Signal.emit()`` without a reference.

    PySide6 6.12.0 does: every ``emit()`` then costs ``True`` one reference. A sign-in emits
    a few dozen signals, but this suite opens hundreds of windows, and ``True`` ends up
    freed at exit ("Fatal Python error: bool_dealloc") after every test passed.
    """

    class Probe(QObject):
        ping = Signal()

    probe = Probe()
    before = sys.getrefcount(True)
    for _ in range(10):
        probe.ping.emit()
    return sys.getrefcount(True) < before - 5


if _emit_drops_a_reference_to_true():
    # references to True that are never given back, not even at exit: enough for the
    # whole suite's emits, so the interpreter never frees True itself
    _RESERVE = [True] * 1_000_000
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_RESERVE))

if TYPE_CHECKING:
    from plexlogin.gui.window import SignInWindow

#: a fixed client id, so auth URLs are predictable
CLIENT_ID = "5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19"
#: generous for a loopback sign-in; nothing waits this long unless something is broken
WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _collect_garbage_on_ui_thread(qapp: object) -> Iterator[None]:
    """As in run_window: only this (the UI) thread may collect cycles holding Qt wrappers.

    Otherwise the simulator's or the flow's threads can finalize a previous test's
    window, deleting Qt objects outside their thread (a segfault).
    """
    from plexlogin.gui.app import collect_garbage_on_ui_thread

    with collect_garbage_on_ui_thread():
        yield


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    """A simulator with plex.tv's usual PIN lifetimes."""
    return make_sim()


def settings_for(sim: Simulator, **changes: object) -> LoginSettings:
    """Settings as the CLI would make them for ``plexlogin login --plex-url <sim>``."""
    values: dict[str, object] = {
        "plex_url": sim.url,
        "client_id": CLIENT_ID,
        "product": "plexlogin",
        "device_name": "test machine",
        "keyring_service": "plexlogin-test",
        "keyring_username": None,
    }
    values.update(changes)
    return LoginSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Callable[..., SignInWindow]]:
    """Open a sign-in window and start its worker; closed (worker stopped) after the test."""
    from plexlogin.gui.window import SignInWindow

    windows: list[SignInWindow] = []

    def open_(settings: LoginSettings, *, start: bool = True, **options: object) -> SignInWindow:
        window = SignInWindow(settings, **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        # Esc and Ctrl+C are window shortcuts: they need the active window, which a
        # window manager would make it (Xvfb in CI runs none)
        window.activateWindow()
        qtbot.waitActive(window)
        if start:
            window.start()
        return window

    yield open_
    for window in windows:
        window.close()  # does nothing if it closed itself; else stops the worker


def wait_for_codes(qtbot: QtBot, window: SignInWindow) -> tuple[str, str]:
    """Wait until codes are on screen; returns (code, auth URL)."""
    with qtbot.waitSignal(window.codesShown, timeout=WAIT_MS) as blocker:
        pass
    code, url = blocker.args
    return str(code), str(url)


def window_in_trouble(qtbot: QtBot, sim: Simulator, window: SignInWindow) -> None:
    """Codes on screen, then plex.tv answers 503 twice: wait until the trouble line shows."""
    wait_for_codes(qtbot, window)
    sim.add_fault("poll", status=503, times=2)
    qtbot.waitUntil(lambda: "retrying in" in window.status.text(), timeout=WAIT_MS)


def decode_qr(image: QImage) -> list[str]:
    """Every QR code zxing-cpp finds in ``image`` (a screen grab)."""
    from PIL import Image

    from tests.helpers.qr_decode import decode_qr_picture  # zxing-cpp: only when decoding

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = bytes(rgba.constBits())
    picture = Image.frombytes(
        "RGBA", (rgba.width(), rgba.height()), data, "raw", "RGBA", rgba.bytesPerLine()
    )
    return decode_qr_picture(picture)


def accessible_text(widget: QWidget, kind: QAccessible.Text) -> str:
    """What Qt hands an assistive technology as ``widget``'s name, description or value."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(kind)
