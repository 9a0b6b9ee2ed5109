"""The sign-in window against the real simulator over loopback HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAccessible, QDesktopServices, QGuiApplication
from pytestqt.qtbot import QtBot

from plexlogin.errors import ExitCode
from plexlogin.gui.window import SignInWindow
from plexlogin.login import Outcome, Status
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring
from tests.hardening.harness import WatchedSimulator
from tests.helpers.keyring_fixtures import FlakyKeyring

from .conftest import WAIT_MS, accessible_text, decode_qr, settings_for, wait_for_codes

pytestmark = pytest.mark.gui

OpenWindow = Callable[..., SignInWindow]


def finish(qtbot: QtBot, window: SignInWindow) -> Outcome:
    """Wait for the window to close and return its outcome."""
    qtbot.waitUntil(lambda: window.outcome is not None, timeout=WAIT_MS)
    assert window.outcome is not None
    return window.outcome


def assert_worker_stopped(window: SignInWindow) -> None:
    thread = window.worker_thread
    assert thread is not None
    assert thread.isFinished()


def test_shows_code_and_a_scannable_qr(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    code, url = wait_for_codes(qtbot, window)

    pins = {pin.strong: pin for pin in sim.pins()}
    assert code == pins[False].code
    assert window.code_view.accessibleName() == "Code: " + " ".join(code)
    assert f"code={pins[True].code}" in url
    assert decode_qr(window.grab().toImage()) == [url]
    assert window.copy_button.isEnabled() and window.browser_button.isEnabled()
    assert window.countdown.label.text().startswith("Code expires in 1")  # 15:00 or 14:59


def test_approval_signs_in_stores_the_token_and_closes_by_itself(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim), success_pause_ms=200)
    code, _ = wait_for_codes(qtbot, window)

    token = sim.approve(code=code, username="jane")
    with qtbot.waitSignal(window.finished, timeout=WAIT_MS) as closed:
        qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
        assert window.done_title.text() == "Signed in as jane"
        assert not window.avatar.has_picture  # plex.tv's avatar is out of reach offline

    outcome = closed.args[0]
    assert outcome == Outcome.signed_in("jane", "jane")
    assert outcome.exit_code == ExitCode.OK
    assert memory_keyring.get_password("plexlogin-test", "jane") == token
    assert not window.isVisible()
    assert_worker_stopped(window)


def test_approving_the_qr_pin_works_too(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim, stay_open=True), success_pause_ms=50)
    wait_for_codes(qtbot, window)
    strong = next(pin for pin in sim.pins() if pin.strong)

    sim.approve(strong.id)
    qtbot.waitUntil(lambda: window.done_title.isVisible(), timeout=WAIT_MS)
    qtbot.wait(200)  # --stay-open: still there well after the pause
    assert window.isVisible()
    assert window.outcome is None

    window.done_button.click()
    assert finish(qtbot, window).status is Status.SIGNED_IN
    assert_worker_stopped(window)


class JumpClock:
    """Monotonic time a test can move forward at once; the flow still waits for real."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


def test_an_expired_code_is_replaced_with_a_new_one(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    from plexlogin.login import LoginSession

    clock = JumpClock()  # the window's and the flow's, as in the program

    def session_on_the_clock(settings, on_event):  # type: ignore[no-untyped-def]
        return LoginSession(settings, on_event, clock=clock)

    window = open_window(settings_for(sim), clock=clock, session_factory=session_on_the_clock)
    first, first_url = wait_for_codes(qtbot, window)
    assert not window.new_code.isVisible()

    clock.skipped += 15 * 60  # the codes' fifteen minutes are up
    second, second_url = wait_for_codes(qtbot, window)  # the flow renews by itself

    assert second != first and second_url != first_url
    assert window.code_view.code == second
    assert window.new_code.isVisible()
    assert decode_qr(window.grab().toImage()) == [second_url]


def test_expiring_on_the_server_also_renews(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    first, _ = wait_for_codes(qtbot, window)
    sim.expire()
    second, _ = wait_for_codes(qtbot, window)
    assert second != first
    assert window.new_code.isVisible()
    assert window.copy_button.isEnabled()


def test_trouble_shows_a_status_line_that_clears_on_recovery(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    wait_for_codes(qtbot, window)
    sim.add_fault("poll", status=503, times=2)

    qtbot.waitUntil(lambda: "retrying in" in window.status.text(), timeout=WAIT_MS)
    assert window.status.text().startswith("⚠  plex.tv is having problems — retrying in ")
    qtbot.waitUntil(lambda: window.status.text() == "", timeout=WAIT_MS)


def test_rate_limiting_says_plex_is_busy(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    wait_for_codes(qtbot, window)
    sim.add_fault("poll", status=429, retry_after="1")

    qtbot.waitUntil(lambda: "plex.tv is busy" in window.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.status.text() == "", timeout=WAIT_MS)


def test_unreachable_plex_before_any_code(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    sim.add_fault("create", drop=True)
    window = open_window(settings_for(sim))
    qtbot.waitUntil(lambda: "Can't reach plex.tv" in window.status.text(), timeout=WAIT_MS)
    assert window.code_view.code == ""
    assert not window.copy_button.isEnabled()
    wait_for_codes(qtbot, window)
    assert window.status.text() == ""


def test_keyring_failure_offers_try_again(
    qtbot: QtBot,
    sim: Simulator,
    use_keyring: Callable[[object], None],
    open_window: OpenWindow,
) -> None:
    backend = FlakyKeyring(failures=1)
    use_keyring(backend)
    window = open_window(settings_for(sim), success_pause_ms=100)
    code, _ = wait_for_codes(qtbot, window)
    token = sim.approve(code=code)

    qtbot.waitUntil(lambda: window.retry_button.isVisible(), timeout=WAIT_MS)
    assert "could not be saved" in window.problem_title.text()
    assert "read-only" in window.problem_detail.text()
    assert backend.get_password("plexlogin-test", "demo-user") is None

    qtbot.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
    outcome = finish(qtbot, window)
    assert outcome.exit_code == ExitCode.OK
    assert backend.get_password("plexlogin-test", "demo-user") == token
    assert_worker_stopped(window)


def test_closing_after_a_keyring_failure_exits_1(
    qtbot: QtBot,
    sim: Simulator,
    use_keyring: Callable[[object], None],
    open_window: OpenWindow,
) -> None:
    use_keyring(FlakyKeyring(failures=5))
    window = open_window(settings_for(sim))
    code, _ = wait_for_codes(qtbot, window)
    sim.approve(code=code)
    qtbot.waitUntil(lambda: window.retry_button.isVisible(), timeout=WAIT_MS)

    qtbot.mouseClick(window.problem_close, Qt.MouseButton.LeftButton)
    outcome = finish(qtbot, window)
    assert outcome.exit_code == ExitCode.FAILED
    assert outcome.error_kind == "keyring_write_failed"
    assert outcome.username == "demo-user"
    assert_worker_stopped(window)


@pytest.mark.parametrize("how", ["button", "escape", "close box"])
def test_cancelling_exits_3_at_once(
    how: str,
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
) -> None:
    window = open_window(settings_for(sim))
    wait_for_codes(qtbot, window)

    with qtbot.waitSignal(window.finished, timeout=1000) as closed:
        if how == "button":
            qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
        elif how == "escape":
            qtbot.keyClick(window, Qt.Key.Key_Escape)
        else:
            window.close()  # what the window manager's close box does

    outcome = closed.args[0]
    assert outcome.status is Status.CANCELLED
    assert outcome.exit_code == ExitCode.CANCELLED
    assert_worker_stopped(window)  # closing waited for it
    assert memory_keyring.get_password("plexlogin-test", "demo-user") is None


@pytest.fixture
def watched_sim() -> Iterator[WatchedSimulator]:
    """A simulator that tells the test the moment a request meets a fault."""
    sim = WatchedSimulator().start()
    yield sim
    sim.stop()


def test_cancelling_while_plex_does_not_answer_is_still_instant(
    qtbot: QtBot,
    watched_sim: WatchedSimulator,
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
) -> None:
    sim = watched_sim
    window = open_window(settings_for(sim))
    wait_for_codes(qtbot, window)
    sim.add_fault("poll", delay=5.0, times=-1)  # a request hangs in the worker's wake
    assert sim.fault_met["poll"].wait(WAIT_MS / 1000)  # a poll is stuck now

    with qtbot.waitSignal(window.finished, timeout=1000):
        window.close()
    assert_worker_stopped(window)


def test_cancel_before_any_code(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    sim.add_fault("create", delay=5.0)
    window = open_window(settings_for(sim))
    assert window.code_view.code == ""
    with qtbot.waitSignal(window.finished, timeout=1000) as closed:
        window.close()
    assert closed.args[0].exit_code == ExitCode.CANCELLED
    assert_worker_stopped(window)


def test_copy_button_and_ctrl_c_copy_the_code(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim))
    code, _ = wait_for_codes(qtbot, window)
    clipboard = QGuiApplication.clipboard()

    clipboard.setText("something else")
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == code
    assert window.copy_button.text() == "Copied"

    clipboard.setText("something else")
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == code


class _FakeBrowser(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


def test_sign_in_with_browser_opens_the_auth_url(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    browser = _FakeBrowser()
    QDesktopServices.setUrlHandler("http", browser, "open")  # type: ignore[arg-type]
    try:
        window = open_window(settings_for(sim))
        _, url = wait_for_codes(qtbot, window)
        qtbot.mouseClick(window.browser_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert browser.opened == [url]


def test_controls_are_named_for_assistive_technology_and_in_order(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    from PySide6.QtWidgets import QPushButton

    window = open_window(settings_for(sim))
    wait_for_codes(qtbot, window)
    for button in window.findChildren(QPushButton):
        name = accessible_text(button, QAccessible.Text.Name)
        if any(char.isalnum() for char in button.text()):
            # a button's text is its name: what a screen reader says is what is on screen
            assert name == button.text()
        else:  # a symbol such as the PIN pad's ⌫ is named in words
            assert name and any(char.isalpha() for char in name), button.text()
        assert button.accessibleDescription(), button.text()
    assert window.qr_view.accessibleName() and window.qr_view.accessibleDescription()
    assert window.windowTitle() == "Sign in to Plex"
    assert not window.windowIcon().isNull()
    assert window.minimumWidth() >= 600 and window.minimumHeight() >= 400

    order = [window.code_view]
    while len(order) < 4:
        order.append(order[-1].nextInFocusChain())
        while not (order[-1].focusPolicy() & Qt.FocusPolicy.TabFocus) or order[-1] is window:
            order[-1] = order[-1].nextInFocusChain()
    assert order == [
        window.code_view,
        window.copy_button,
        window.cancel_button,  # Tab follows the screen: Cancel sits left of the browser
        window.browser_button,
    ]
    assert window.cancel_button.x() < window.browser_button.x()


def test_timeout_shows_why_and_closes_with_exit_4(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim, timeout=1.0), failure_pause_ms=100)
    wait_for_codes(qtbot, window)

    qtbot.waitUntil(lambda: window.problem_title.isVisible(), timeout=WAIT_MS)
    assert window.problem_title.text() == "The sign-in stopped"
    assert window.problem_detail.text() == "The sign-in timed out."
    assert not window.retry_button.isVisible()

    outcome = finish(qtbot, window)
    assert outcome.exit_code == ExitCode.TIMEOUT
    assert outcome.status is Status.TIMEOUT
    assert_worker_stopped(window)


def test_demo_mode_says_no_real_account_is_involved(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    window = open_window(settings_for(sim, demo=True), start=False)
    assert "no real Plex account" in window.subtitle.text()


def test_the_link_names_where_the_code_works(
    qtbot: QtBot, sim: Simulator, memory_keyring: MemoryKeyring, open_window: OpenWindow
) -> None:
    """plex.tv/link for the real service; a stand-in's own page otherwise (the demo)."""
    local = open_window(settings_for(sim, demo=True), start=False)
    assert local.link_label.text() == sim.url.removeprefix("http://") + "/link"
    real = open_window(settings_for(sim, plex_url="https://plex.tv"), start=False)
    assert real.link_label.text() == "plex.tv/link"


def test_the_avatar_replaces_the_initials_when_it_loads_quickly(
    qtbot: QtBot,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    open_window: OpenWindow,
    tmp_path: Path,
) -> None:
    import dataclasses
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from PySide6.QtGui import QColor, QImage

    from plexlogin import events
    from plexlogin.login import LoginSession

    picture = QImage(64, 64, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3366CC"))
    assert picture.save(str(tmp_path / "avatar.png"))

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test's output clean

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    thumb = f"http://127.0.0.1:{server.server_address[1]}/avatar.png"

    def session_with_reachable_thumb(settings, on_event):  # type: ignore[no-untyped-def]
        # plex.tv's avatar URLs are out of reach offline: point this one at a local file
        def relay(event: events.Event) -> None:
            if isinstance(event, events.Verified):
                event = events.Verified(dataclasses.replace(event.account, thumb=thumb))
            on_event(event)

        return LoginSession(settings, relay)

    try:
        window = open_window(
            settings_for(sim, stay_open=True), session_factory=session_with_reachable_thumb
        )
        code, _ = wait_for_codes(qtbot, window)
        sim.approve(code=code)
        # the avatar loads beside the keyring write: either may finish first
        qtbot.waitUntil(
            lambda: window.avatar.has_picture and window.done_title.isVisible(), timeout=WAIT_MS
        )
        assert window.done_title.text() == "Signed in as demo-user"
    finally:
        server.shutdown()
        server.server_close()
