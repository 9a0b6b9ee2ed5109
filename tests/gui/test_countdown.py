"""The countdown, driven by a fake clock: minutes of expiry checked in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot

from plexlogin import events
from plexlogin.errors import NetworkError
from plexlogin.gui.qrencode import encode_qr
from plexlogin.gui.widgets import Countdown
from plexlogin.gui.window import SignInWindow
from plexlogin.login import LoginSettings

pytestmark = pytest.mark.gui

URL = "https://app.plex.tv/auth#?clientID=abc&code=3patfx1a78ukcbr7x0n9bl26t"


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self, now: float = 5000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def offline_settings() -> LoginSettings:
    return LoginSettings(
        plex_url="http://127.0.0.1:9",
        client_id="5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19",
        product="plexlogin",
        device_name=None,
        keyring_service="plexlogin-test",
        keyring_username=None,
    )


def codes(code: str, deadline: float, *, renewed: bool) -> events.CodesReady:
    """Codes as the flow reports them: 15 minutes to live."""
    return events.CodesReady(code, URL, deadline, 900, datetime.now().astimezone(), renewed)


@pytest.fixture
def countdown(qtbot: QtBot) -> tuple[Countdown, Clock]:
    clock = Clock()
    widget = Countdown(clock)
    qtbot.addWidget(widget)
    return widget, clock


def test_shows_minutes_and_seconds_left(countdown: tuple[Countdown, Clock]) -> None:
    widget, clock = countdown
    widget.start(clock.now + 872, lifetime=900)
    assert widget.label.text() == "Code expires in 14:32"
    assert widget.bar.value() == round(1000 * 872 / 900)

    clock.now += 0.4  # the shown second has not changed yet
    widget.tick()
    assert widget.label.text() == "Code expires in 14:32"

    clock.now += 0.7
    widget.tick()
    assert widget.label.text() == "Code expires in 14:31"

    clock.now += 14 * 60 + 31 - 1.1 + 0.05  # 0.95 s before the end: rounds up
    widget.tick()
    assert widget.label.text() == "Code expires in 0:01"


def test_wakes_when_the_shown_second_changes_and_never_more_than_once_a_second(
    countdown: tuple[Countdown, Clock],
) -> None:
    widget, clock = countdown
    widget.start(clock.now + 600.0, lifetime=900)  # exactly 10:00 left
    assert widget.timer.isActive()
    assert 1000 <= widget.timer.interval() <= 1010

    clock.now += 0.25
    widget.tick()  # an early tick reschedules for the real change, 0.75 s away
    assert 750 <= widget.timer.interval() <= 760

    clock.now += 0.75
    widget.tick()
    assert widget.label.text() == "Code expires in 9:59"


def test_reaching_the_deadline_says_a_new_code_is_coming(
    qtbot: QtBot, countdown: tuple[Countdown, Clock]
) -> None:
    widget, clock = countdown
    widget.start(clock.now + 3, lifetime=900)
    clock.now += 3.0
    with qtbot.waitSignal(widget.expired, timeout=100):
        widget.tick()
    assert widget.label.text() == "Getting a new code…"
    assert widget.bar.value() == 0
    assert not widget.timer.isActive()
    assert widget.remaining() == 0


def test_the_window_counts_down_with_the_flows_clock(qtbot: QtBot) -> None:
    clock = Clock()
    window = SignInWindow(offline_settings(), clock=clock)
    qtbot.addWidget(window)
    window.show()
    qr = encode_qr(URL)

    window._show_codes(codes("7RQZ", clock.now + 900, renewed=False), qr)
    assert window.countdown.label.text() == "Code expires in 15:00"

    clock.now += 28 * 60 + 1  # a long coffee: the flow would have renewed twice by now
    window.countdown.tick()
    assert window.countdown.label.text() == "Getting a new code…"
    assert window.copy_button.isEnabled() is False  # the code on screen is dead
    assert window.browser_button.isEnabled() is False

    window._show_codes(codes("K2XP", clock.now + 900, renewed=True), qr)
    assert window.countdown.label.text() == "Code expires in 15:00"
    assert window.code_view.code == "K2XP"
    assert window.new_code.isVisible()
    assert window.copy_button.isEnabled()


def test_trouble_line_counts_down_to_the_retry(qtbot: QtBot) -> None:
    clock = Clock()
    window = SignInWindow(offline_settings(), clock=clock)
    qtbot.addWidget(window)
    window.show()

    trouble = events.Trouble("Can't reach plex.tv", clock.now + 8, NetworkError("offline"))
    window._apply(trouble)
    assert window.status.text() == "⚠  Can't reach plex.tv — retrying in 8 s"
    clock.now += 5
    window._refresh_trouble()  # what its 1 Hz timer calls
    assert window.status.text() == "⚠  Can't reach plex.tv — retrying in 3 s"
    window._apply(events.Recovered())
    assert window.status.text() == ""


ApplyAll = Callable[[SignInWindow], None]
