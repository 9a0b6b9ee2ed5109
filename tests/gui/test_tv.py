"""TV mode: every page at 720p, 1080p and 4K (device pixel ratio 1 and 2), and a remote.

The window is given the screen's size (offscreen has no real full screen); each page is
checked for cut-off text, and the waiting page's grab must still decode, with the QR
symbol at least 40 % of the screen's height, in a light and a dark palette.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from plexlogin import events
from plexlogin.cli import tv_wanted
from plexlogin.errors import ExitCode, NetworkError
from plexlogin.gui import tv
from plexlogin.gui.pages import Page
from plexlogin.gui.widgets import AvatarView
from plexlogin.gui.window import SignInWindow
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring
from tests.helpers.qr_decode import read_qr

from .conftest import WAIT_MS, settings_for, wait_for_codes
from .test_accessibility import clipped

pytestmark = pytest.mark.gui

OpenWindow = Callable[..., SignInWindow]
SCREENS = {"720p": QSize(1280, 720), "1080p": QSize(1920, 1080), "4K": QSize(3840, 2160)}


def tv_window(qtbot: QtBot, sim: Simulator, screen: QSize) -> SignInWindow:
    """A TV-mode window filling ``screen``, with codes on screen."""
    window = SignInWindow(settings_for(sim, tv=True, stay_open=True))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, screen.width(), screen.height())
    window.show()
    qtbot.waitExposed(window)
    # keys need the active window, which a window manager would make it (Xvfb runs none)
    window.activateWindow()
    qtbot.waitActive(window)
    window.start()
    wait_for_codes(qtbot, window)
    return window


def grab(window: SignInWindow, dpr: float) -> Image.Image:
    """The window's pixels at ``dpr`` device pixels per logical pixel."""
    pixmap = QPixmap(window.size() * dpr)
    pixmap.setDevicePixelRatio(dpr)
    window.render(pixmap)
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return Image.frombytes(
        "L", (image.width(), image.height()), bytes(image.constBits()), "raw", "L",
        image.bytesPerLine(),
    )  # fmt: skip


def assert_nothing_cut(window: SignInWindow, page: Page) -> None:
    """No label on ``page`` (or the header) needs more room than it has, none overflows."""
    shown = [label for label in window.findChildren(QLabel) if label.isVisible() and label.text()]
    assert shown, page
    assert [label.text() for label in shown if clipped(label)] == [], page
    for widget in [*shown, *window.findChildren(QPushButton)]:
        if widget.isVisible():
            corner = widget.mapTo(window, widget.rect().bottomRight())
            assert window.rect().contains(corner), (page, widget)


def assert_qr_scannable(window: SignInWindow, dpr: float, screen: QSize) -> None:
    """The grab decodes without inverting, and the symbol is ≥ 40 % of the height."""
    picture = grab(window, dpr)
    found = read_qr(picture)
    assert len(found) == 1
    position = found[0].position
    symbol = abs(position.bottom_left.y - position.top_left.y) / dpr
    assert symbol >= 0.4 * screen.height(), symbol


def show_each_page(window: SignInWindow) -> list[Page]:
    """Drive the window through its other pages, as the worker's events would."""
    window._apply(events.Approved(via_qr=True))
    yield_pages = [Page.FINISHING]
    window._apply(events.Stored(service="plexlogin-test", username="someone-with-a-long-name"))
    yield_pages.append(Page.DONE)
    window._apply(events.Failed(NetworkError("plex.tv could not be reached for a long time")))
    yield_pages.append(Page.PROBLEM)
    return yield_pages


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("name", list(SCREENS))
def test_every_page_fits_every_screen(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, name: str, dpr: float
) -> None:
    screen = SCREENS[name]
    window = tv_window(qtbot, sim, screen)
    assert window.code_view.hasFocus()
    assert_nothing_cut(window, Page.WAITING)
    assert_qr_scannable(window, dpr, screen)
    # the trouble line, beside the code
    sim.add_fault("poll", status=503, times=2)
    qtbot.waitUntil(lambda: "retrying in" in window.status.text(), timeout=WAIT_MS)
    assert_nothing_cut(window, Page.WAITING)
    window.countdown.stop("")  # the worker's clock must not move the pages on by itself
    for page in show_each_page(window):
        window._show_page(page)
        assert_nothing_cut(window, page)
    # pictures drawn in pixels grow with the type
    assert window.avatar.height() >= AvatarView.SIDE * tv.layout_for(screen).scale
    window.close()


def dark() -> QPalette:
    palette = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        palette.setColor(role, QColor("#151515"))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        palette.setColor(role, QColor("#f0f0f0"))
    return palette


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_either_palette_and_the_qr_is_never_inverted(
    qtbot: QtBot,
    qapp: QApplication,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    theme: str,
) -> None:
    screen = SCREENS["1080p"]
    window = tv_window(qtbot, sim, screen)
    original = QPalette(qapp.palette())
    try:
        if theme == "dark":
            qapp.setPalette(dark())  # what the desktop does when it switches to dark
            qapp.processEvents()  # the palette reaches the window as an event
        # the page follows the palette: mostly dark pixels in the dark one
        mean = ImageStat.Stat(grab(window, 1.0)).mean[0]
        assert (mean < 128) == (theme == "dark"), mean
        assert_qr_scannable(window, 1.0, screen)  # read_qr does not try inverted pictures
    finally:
        qapp.setPalette(original)
        window.close()


def test_sizes_follow_the_screen() -> None:
    layout = tv.layout_for(QSize(1920, 1080))
    assert layout.margins == (116, 65)  # outside the 5 % a TV may crop
    assert layout.qr_side >= 0.5 * 1080
    assert layout.ring >= 4
    assert tv.layout_for(QSize(3840, 2160)).point_size == 2 * layout.point_size


def test_tv_mode_from_the_flag_or_the_environment() -> None:
    assert tv_wanted(True, {})
    assert tv_wanted(False, {"PLEXLOGIN_TV": "1"})
    assert not tv_wanted(False, {"PLEXLOGIN_TV": "0"})
    assert not tv_wanted(False, {})


@pytest.mark.parametrize("key", [Qt.Key.Key_Back, Qt.Key.Key_Backspace, Qt.Key.Key_Escape])
def test_back_on_the_remote_cancels(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, key: Qt.Key
) -> None:
    window = tv_window(qtbot, sim, SCREENS["720p"])
    with qtbot.waitSignal(window.finished, timeout=1000) as ended:
        qtbot.keyClick(window.code_view, key)
    assert ended.args[0].exit_code == ExitCode.CANCELLED


def test_arrows_move_focus_and_enter_presses(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    window = tv_window(qtbot, sim, SCREENS["720p"])
    assert window.code_view.hasFocus()
    qtbot.keyClick(window.code_view, Qt.Key.Key_Down)
    assert window.cancel_button.hasFocus()
    # the focus ring is thick (several pixels), whatever brought focus there
    assert f"{tv.layout_for(window.size()).ring}px solid" in window.styleSheet()
    qtbot.keyClick(window.cancel_button, Qt.Key.Key_Up)
    assert window.code_view.hasFocus()
    qtbot.keyClick(window.code_view, Qt.Key.Key_Right)
    with qtbot.waitSignal(window.finished, timeout=1000) as ended:
        qtbot.keyClick(window.cancel_button, Qt.Key.Key_Return)
    assert ended.args[0].exit_code == ExitCode.CANCELLED


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("xvfb-run") and shutil.which("xdotool")),
    reason="needs xvfb-run and xdotool for a 1920x1080 X screen and a remote's key",
)
def test_demo_fills_a_1080p_screen_and_back_exits_3(tmp_path: Path) -> None:
    # a screen of its own: CI's shared Xvfb is 1280x1024
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env["QT_QPA_PLATFORM"] = "xcb"  # a real X server, even when the suite runs offscreen
    env.pop("DISPLAY", None)
    run = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24",
         sys.executable, "-m", "tests.gui.tv_on_x"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["screen"] == [1920, 1080]
    geometry = report["geometry"]
    assert (geometry["X"], geometry["Y"], geometry["WIDTH"], geometry["HEIGHT"]) == (
        "0", "0", "1920", "1080",
    )  # fmt: skip
    assert len(report["qr"]) == 1 and "/auth#?clientID=" in report["qr"][0]
    assert report["symbols"][0] >= 0.4 * 1080
    assert report["exit"] == ExitCode.CANCELLED, report["stderr"]
    assert report["seconds"] < 1.0
    assert json.loads(report["json"])["status"] == "cancelled"


class KeepsBackspace(QWidget):
    """A page part with keys of its own, as a PIN pad's Backspace (deletes a digit)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.deleted = 0

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        if event.key() == Qt.Key.Key_Backspace:
            self.deleted += 1
            event.accept()
        else:
            super().keyPressEvent(event)


def test_a_part_with_its_own_backspace_keeps_it(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    window = tv_window(qtbot, sim, SCREENS["720p"])
    pad = KeepsBackspace(window.waiting)
    pad.show()
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Backspace)
    assert pad.deleted == 1
    assert window.outcome is None  # not cancelled
    with qtbot.waitSignal(window.finished, timeout=1000) as ended:
        qtbot.keyClick(pad, Qt.Key.Key_Back)  # Back still cancels from there
    assert ended.args[0].exit_code == ExitCode.CANCELLED
