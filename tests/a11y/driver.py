"""Opens the sign-in window against an in-process simulator; a test drives it through stdin.

Run with the project's Python (``python -m tests.a11y.driver``) on an X server and an AT-SPI
bus. It prints one JSON line per thing it did, and obeys one command per line:

- ``trouble``: plex.tv answers 503 twice (the trouble line, then recovery)
- ``renew``: the codes expire on the server (a new code)
- ``approve``: the code is approved; the keyring refuses the first save (the problem page)
- ``retry``: "Try again" (the signed-in page)
- ``quit``: close the window

With ``PLEXLOGIN_A11Y_HOME=1`` the account is the demo's Plex Home: ``approve`` then
brings the profile picker up.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable

import keyring
from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot
from PySide6.QtWidgets import QApplication

from plexlogin import i18n
from plexlogin.cli import tv_wanted
from plexlogin.gui.app import application
from plexlogin.gui.window import SignInWindow
from plexlogin.login import LoginSettings
from plexlogin.simulator import DEMO_HOME, Simulator
from tests.helpers.keyring_fixtures import FlakyKeyring


def say(**fields: object) -> None:
    """One JSON line to the test."""
    print(json.dumps(fields), flush=True)


class Driver(QObject):
    """Reads commands from stdin in the UI thread and acts on the window and the simulator."""

    line = Signal(str)

    def __init__(self, app: QApplication, window: SignInWindow, sim: Simulator) -> None:
        super().__init__()
        self._app, self._window, self._sim = app, window, sim
        self._code = ""
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)
        window.codesShown.connect(self._codes)
        self._commands: dict[str, Callable[[], object]] = {
            "trouble": lambda: sim.add_fault("poll", status=503, times=2),
            "renew": sim.expire,
            "approve": lambda: sim.approve(code=self._code),
            "retry": window.retry_button.click,
            "quit": window.close,
        }

    @Slot(str, str)
    def _codes(self, code: str, url: str) -> None:
        self._code = code
        say(event="codes", code=code, window=int(self._window.winId()))

    @Slot()
    def _read(self) -> None:
        command = sys.stdin.readline().strip()
        if not command:  # the test went away
            self._window.close()
            return
        self._commands[command]()
        say(event="done", command=command)


def main() -> int:
    """Open the window and serve commands until it closes."""
    keyring.set_keyring(FlakyKeyring(failures=1))
    home = DEMO_HOME if os.environ.get("PLEXLOGIN_A11Y_HOME") == "1" else None
    sim = Simulator(home=home).start()
    settings = LoginSettings(
        plex_url=sim.url,
        client_id="5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19",
        product="plexlogin",
        device_name="a11y test",
        keyring_service="plexlogin-a11y",
        keyring_username=None,
        stay_open=True,
        tv=tv_wanted(False, os.environ),  # PLEXLOGIN_TV=1: the same checks in TV mode
    )
    i18n.choose()  # LANGUAGE, as the command line reads it, before any widget exists
    app = application()
    window = SignInWindow(settings)
    driver = Driver(app, window, sim)
    window.finished.connect(app.quit)
    window.show()
    window.start()
    try:
        app.exec()
    finally:
        sim.stop()
    del driver
    say(event="closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
