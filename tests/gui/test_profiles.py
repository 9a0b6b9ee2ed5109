"""The window's Plex Home picker and PIN pad, driven with keys against the simulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea
from pytestqt.qtbot import QtBot

from plexlogin.errors import ExitCode
from plexlogin.gui.profiles import ProfileTile
from plexlogin.gui.window import SignInWindow
from plexlogin.login import Outcome
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from plexlogin.simulator.profiles import Home, HomeProfile
from plexlogin.tokens import MemoryKeyring

from .conftest import WAIT_MS, settings_for, wait_for_codes

pytestmark = pytest.mark.gui

OpenWindow = Callable[..., SignInWindow]


@pytest.fixture
def home_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim(home=DEMO_HOME)


def key(qtbot: QtBot, name: Qt.Key) -> None:
    """A key press where the person is: the focused widget."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, name)


def open_picker(qtbot: QtBot, sim: Simulator, open_window: OpenWindow) -> SignInWindow:
    window = open_window(settings_for(sim, stay_open=True), success_pause_ms=50)
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code)
    picker = window.profiles.picker
    qtbot.waitUntil(lambda: window.pages.currentWidget() is picker, timeout=WAIT_MS)
    return window


def finish(qtbot: QtBot, window: SignInWindow) -> Outcome:
    qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
    window.close()
    assert window.outcome is not None
    return window.outcome


def test_the_picker_shows_the_home_signed_in_first_and_focused(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_picker(qtbot, home_sim, open_window)
    tiles = window.profiles.picker.tiles
    assert [tile.title.text() for tile in tiles] == ["Alex", "Sam", "Mia", "Jules"]
    assert tiles[0].hasFocus()
    assert tiles[0].title.textFormat() == Qt.TextFormat.PlainText  # server text, never markup
    assert "admin" in tiles[0].badges.text() and "PIN" in tiles[2].badges.text()
    assert tiles[1].badges.text() == "" and not tiles[2].avatar.has_picture  # initials
    assert [tile.avatar.protected for tile in tiles] == [False, False, True, False]  # lock
    window.close()


def test_arrows_and_enter_choose_an_unprotected_profile(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_picker(qtbot, home_sim, open_window)
    for _ in range(3):
        key(qtbot, Qt.Key.Key_Right)
    assert window.profiles.picker.tiles[3].hasFocus()
    key(qtbot, Qt.Key.Key_Return)
    outcome = finish(qtbot, window)
    assert window.done_title.text() == "Signed in as Jules"
    assert (outcome.exit_code, outcome.username, outcome.profile) == (ExitCode.OK, None, "Jules")
    assert memory_keyring.get_password("plexlogin-test", "Jules")


def test_the_pin_pad_wrong_then_right(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_picker(qtbot, home_sim, open_window)
    pad = window.profiles.pad
    key(qtbot, Qt.Key.Key_Left)  # wraps to Jules
    key(qtbot, Qt.Key.Key_Left)  # Mia
    key(qtbot, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is pad, timeout=WAIT_MS)
    assert "Mia" in pad.heading.text()
    qtbot.keyClicks(QApplication.focusWidget(), "98")
    assert pad.dots.text() == "● ● ○ ○"  # masked
    key(qtbot, Qt.Key.Key_Backspace)
    assert pad.dots.text() == "● ○ ○ ○"
    qtbot.keyClicks(QApplication.focusWidget(), "000")  # 9000: wrong, sent at the 4th digit
    qtbot.waitUntil(lambda: "wrong" in pad.message.text(), timeout=WAIT_MS)
    assert pad.isEnabled() and pad.dots.text() == "○ ○ ○ ○"
    for digit in DEMO_PROFILE_PIN:  # on the on-screen pad this time
        pad.keys[digit].click()
    outcome = finish(qtbot, window)
    assert window.done_title.text() == "Signed in as Mia" and outcome.profile == "Mia"
    assert DEMO_PROFILE_PIN not in repr(outcome)


def test_back_on_the_pad_returns_to_the_picker_and_back_there_keeps_the_account(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_picker(qtbot, home_sim, open_window)
    picker, pad = window.profiles.picker, window.profiles.pad
    picker.tiles[2].setFocus()
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is pad, timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_Escape)  # Back, not the window's Cancel
    qtbot.waitUntil(lambda: window.pages.currentWidget() is picker, timeout=WAIT_MS)
    assert window.outcome is None and picker.tiles[0].hasFocus()
    key(qtbot, Qt.Key.Key_Escape)
    outcome = finish(qtbot, window)
    assert (outcome.exit_code, outcome.username, outcome.profile) == (ExitCode.OK, "alex", None)
    assert window.done_title.text() == "Signed in as alex"


def test_closing_the_window_on_the_picker_cancels(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_picker(qtbot, home_sim, open_window)
    window.close()
    assert window.outcome is not None and window.outcome.exit_code == ExitCode.CANCELLED
    assert memory_keyring.get_password("plexlogin-test", "alex") is None


def test_no_home_shows_no_picker(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim, stay_open=True))
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code, username="jane")
    outcome = finish(qtbot, window)
    assert (outcome.username, outcome.profile) == ("jane", None)
    assert window.profiles.picker.tiles == []


def test_the_home_pages_are_made_when_needed_and_take_the_tv_sizes(
    qtbot: QtBot, home_sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(home_sim, stay_open=True, tv=True), success_pause_ms=50)
    pages = window.pages.count()
    code, _ = wait_for_codes(qtbot, window)
    assert window.pages.count() == pages  # nothing made for a Home before plex.tv offers one
    home_sim.approve(code=code)
    qtbot.waitUntil(lambda: window.pages.count() == pages + 1, timeout=WAIT_MS)
    picker = window.profiles.picker
    assert window.pages.currentWidget() is picker
    # made after the window took the TV's sizes, the picker has them too: the hint at
    # the TV's base size, the heading above it, and tiles larger than on a desk that
    # still fit the screen side by side
    assert picker.hint.font() == window.subtitle.font()
    assert picker.hint.font() != QApplication.font()
    assert picker.heading.font().pointSizeF() > picker.hint.font().pointSizeF()
    desk_title = QApplication.font().pointSizeF() * 1.1
    for tile in picker.tiles:
        assert tile.width() > ProfileTile.SIZE.width()
        assert tile.title.font().pointSizeF() > desk_title
        corner = tile.mapTo(window, tile.rect().bottomRight())
        assert window.rect().contains(corner)
    window.close()


#: the largest Plex Home: 15 profiles, names as households give them
BIG_HOME = Home(
    profiles=tuple(
        HomeProfile(title=title, username="alex" if index == 0 else None, admin=index == 0)
        for index, title in enumerate(
            "Alex Sam Mia Jules Noah Emma Léa Yūki Omar Zoë Ben Ana Kai Ida Max".split()
        )
    )
)


@pytest.mark.parametrize("tv", [False, True], ids=["desk", "tv"])
def test_a_home_of_fifteen_fills_rows_that_scroll_to_the_focus(
    qtbot: QtBot,
    make_sim: Callable[..., Simulator],
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
    tv: bool,
) -> None:
    sim = make_sim(home=BIG_HOME)
    window = open_window(settings_for(sim, stay_open=True, tv=tv), success_pause_ms=50)
    if tv:
        window.setGeometry(0, 0, 1920, 1080)
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code)
    picker = window.profiles.picker
    qtbot.waitUntil(lambda: window.pages.currentWidget() is picker, timeout=WAIT_MS)
    tiles = picker.tiles
    assert len(tiles) == 15
    # the rows get the room the page has: a whole row at least, once the layout settles
    area = picker.findChild(QScrollArea)
    assert area is not None
    viewport = area.viewport()
    qtbot.waitUntil(lambda: viewport.height() > tiles[0].height(), timeout=WAIT_MS)
    # every tile whole (no tile squeezed to fit a row), in rows inside the window
    desk = ProfileTile.SIZE
    assert {tile.size() for tile in tiles} == {tiles[0].size()}
    assert tiles[0].width() >= desk.width() and tiles[0].height() >= desk.height()
    rows = sorted({tile.y() for tile in tiles})
    columns = sum(1 for tile in tiles if tile.y() == rows[0])
    assert len(rows) > 1 and columns * len(rows) >= 15
    for tile in tiles[:columns]:
        corner = tile.mapTo(window, tile.rect().bottomRight())
        assert window.rect().contains(corner)
    # Down goes a row; the last tile, far below, is scrolled into view when focused
    assert tiles[0].hasFocus()
    key(qtbot, Qt.Key.Key_Down)
    assert tiles[columns].hasFocus()
    key(qtbot, Qt.Key.Key_Left)
    key(qtbot, Qt.Key.Key_Left)  # round to the end of the row above, then on back
    focused = next(tile for tile in tiles if tile.hasFocus())
    assert tiles.index(focused) == columns - 2
    for _ in range(15):
        key(qtbot, Qt.Key.Key_Right)
    last = next(tile for tile in tiles if tile.hasFocus())
    top_left = last.mapTo(viewport, last.rect().topLeft())
    bottom_right = last.mapTo(viewport, last.rect().bottomRight())
    assert viewport.rect().contains(top_left) and viewport.rect().contains(bottom_right)
    window.close()
