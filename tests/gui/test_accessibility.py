"""What the window tells assistive technology, read through Qt's accessibility interfaces.

The AT-SPI test (tests/a11y) reads the same through a real accessibility client; these run
everywhere, offscreen included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtGui import QAccessible, QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from plexlogin.gui.window import SignInWindow
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import WAIT_MS, accessible_text, settings_for, wait_for_codes, window_in_trouble

pytestmark = pytest.mark.gui

OpenWindow = Callable[..., SignInWindow]


def role(widget: object) -> QAccessible.Role:
    interface = QAccessible.queryAccessibleInterface(widget)  # type: ignore[arg-type]
    assert interface is not None
    return interface.role()


def test_labels_speak_their_own_text(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    window_in_trouble(qtbot, sim, window)
    window.problem_title.setText("The sign-in stopped")
    window.problem_detail.setText("The sign-in timed out.")

    for label in window.findChildren(QLabel):
        if label.text():
            assert accessible_text(label, QAccessible.Text.Name) == label.text()
    # the bar has no text of its own: the countdown label above it names it
    assert accessible_text(window.countdown.bar, QAccessible.Text.Name).startswith(
        "Code expires in"
    )


def test_the_window_is_a_dialog_and_the_pictures_are_images(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim), start=False)
    assert role(window) is QAccessible.Role.Dialog
    assert role(window.qr_view) is QAccessible.Role.Graphic
    assert "QR code" in accessible_text(window.qr_view, QAccessible.Text.Name)
    assert accessible_text(window.qr_view, QAccessible.Text.Description)
    assert role(window.avatar) is QAccessible.Role.Graphic


@pytest.fixture
def assistive_technology() -> Iterator[None]:
    """As when a screen reader is running."""
    QAccessible.setActive(True)
    yield
    QAccessible.setActive(False)


def test_signed_in_stays_open_while_assistive_technology_is_active(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
    assistive_technology: None,
) -> None:
    window = open_window(settings_for(sim), success_pause_ms=50)
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code)
    qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
    qtbot.wait(300)  # well past the pause: a sighted user's window would be gone
    assert window.isVisible() and window.outcome is None
    assert window.done_button.hasFocus()
    window.done_button.click()
    qtbot.waitUntil(lambda: window.outcome is not None, timeout=WAIT_MS)


@pytest.fixture
def large_font(qapp: QApplication) -> Iterator[None]:
    """The desktop's font at 1.5 times its size, as a person with a font scale sets it."""
    original = QFont(qapp.font())
    scaled = QFont(original)
    scaled.setPointSizeF(original.pointSizeF() * 1.5)
    qapp.setFont(scaled)
    yield
    qapp.setFont(original)


def clipped(label: QLabel) -> bool:
    """Whether ``label``'s text needs more room than the label has."""
    room = label.contentsRect()
    metrics = QFontMetrics(label.font())
    if label.wordWrap():
        return label.heightForWidth(label.width()) > label.height()
    needed = metrics.boundingRect(label.text())
    return needed.width() > room.width() or metrics.height() > room.height()


def test_a_font_one_and_a_half_times_larger_clips_nothing(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
    large_font: None,
) -> None:
    window = open_window(settings_for(sim))
    window_in_trouble(qtbot, sim, window)
    assert window.title.font().pointSizeF() > 1.5 * 1.5 * 8  # the large font arrived
    shown = [label for label in window.findChildren(QLabel) if label.isVisible() and label.text()]
    assert len(shown) >= 6
    assert [label.text() for label in shown if clipped(label)] == []
