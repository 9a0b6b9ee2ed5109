"""Text from plex.tv is plain text in the window: markup in a username is shown, not obeyed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from plexlogin.gui.window import SignInWindow
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring

from .conftest import WAIT_MS, settings_for, wait_for_codes

pytestmark = pytest.mark.gui

MARKUP = '<b>x</b><img src="file:///etc/passwd"><a href="https://evil">y</a>'


def test_a_username_with_markup_shows_literally(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: Callable[..., SignInWindow],
) -> None:
    window = open_window(settings_for(sim), success_pause_ms=5_000)
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code, username=MARKUP)
    qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
    assert window.done_title.text() == f"Signed in as {MARKUP}"
    showing = [label for label in window.findChildren(QLabel) if "<b>" in label.text()]
    assert showing, "the name is on screen"
    for label in showing:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
        # what a plain-text label lays out is its text, tags and all (a rich-text label
        # would lay out "xy" and an image)
        assert label.sizeHint().width() > label.fontMetrics().horizontalAdvance("Signed in as xy")
    assert memory_keyring.get_password("plexlogin-test", MARKUP)
