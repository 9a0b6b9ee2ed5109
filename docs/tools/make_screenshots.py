"""Regenerate docs/screenshot-waiting.png and docs/screenshot-signed-in.png.

With ``--home``: docs/screenshot-profiles.png and docs/screenshot-pin-pad.png instead (the
demo's Plex Home: the profile picker, then the PIN pad of its protected profile).

Runs the real window against the simulator (in-memory keyring, throw-away config)::

    xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb \\
        python docs/tools/make_screenshots.py docs

Add ``--scale 2`` for HiDPI shots (sets QT_SCALE_FACTOR before Qt starts) and ``--dark``
for a dark palette (the files get a ``-dark`` suffix). ``--tv`` grabs TV mode at 1080p
instead (docs/tv-waiting.png, docs/tv-signed-in.png; with ``--home``, docs/tv-profiles.png
and docs/tv-pin-pad.png). ``--lang de`` draws the window in
that language (the files get a ``-de`` suffix: docs/screenshot-waiting-de.png).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from plexlogin.gui.window import SignInWindow
    from plexlogin.simulator import Simulator

#: a dark Fusion palette, as a person with a dark desktop theme sees the window
DARK_PALETTE = {
    "Window": "#262626",
    "WindowText": "#EAEAEA",
    "Base": "#1C1C1C",
    "Text": "#EAEAEA",
    "Button": "#333333",
    "ButtonText": "#EAEAEA",
    "Highlight": "#3D7DD8",
}


def go_dark(app: QApplication) -> None:
    """Switch ``app`` to Fusion with :data:`DARK_PALETTE`."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    palette = QPalette()
    for role, color in DARK_PALETTE.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(color))
    app.setPalette(palette)


def open_window(sim: Simulator, *, tv: bool = False) -> SignInWindow:
    """The sign-in window against ``sim``, staying open on success so it can be grabbed."""
    from plexlogin.gui.window import SignInWindow
    from plexlogin.login import LoginSettings

    settings = LoginSettings(
        plex_url=sim.url,
        client_id="5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19",
        product="plexlogin",
        device_name=None,
        keyring_service="plexlogin",
        keyring_username=None,
        stay_open=True,
        tv=tv,
    )
    window = SignInWindow(settings)
    if tv:
        window.setGeometry(0, 0, 1920, 1080)  # a 1080p TV, whatever screen this runs on
    # against the simulator the window names its local /link page; the README shows
    # what people see against the real plex.tv
    window.link_label.setText("plex.tv/link")
    return window


def take_shots(
    window: SignInWindow, sim: Simulator, out: Path, suffix: str, prefix: str = "screenshot"
) -> None:
    """Grab the waiting page, approve its code, then grab the signed-in page and close."""
    from PySide6.QtCore import QTimer

    def shot(name: str) -> None:
        window.grab().save(str(out / f"{prefix}-{name}{suffix}.png"))

    def waiting(code: str, url: str) -> None:
        shot("waiting")
        sim.approve(code=code)

    def signed_in() -> None:
        shot("signed-in")
        window.close()

    def when_done() -> None:
        if window.done_title.isVisible():
            QTimer.singleShot(1600, signed_in)  # after the success pause's first paint
        else:
            QTimer.singleShot(50, when_done)

    # a moment after the codes show, so the countdown has visibly started (14:59)
    window.codesShown.connect(lambda code, url: QTimer.singleShot(1300, lambda: waiting(code, url)))
    when_done()


def take_home_shots(
    window: SignInWindow, sim: Simulator, out: Path, suffix: str, prefix: str = "screenshot"
) -> None:
    """Approve as the Home's admin, grab the picker, choose Mia, grab the PIN pad half typed."""
    from PySide6.QtCore import QTimer

    profiles = window.profiles

    def shot(name: str) -> None:
        window.grab().save(str(out / f"{prefix}-{name}{suffix}.png"))

    def pad() -> None:
        for digit in "12":  # two of four digits: the dots show the masking
            profiles.pad.keys[digit].click()
        def done() -> None:
            shot("pin-pad")
            window.close()

        QTimer.singleShot(300, done)

    def picker() -> None:
        if window.pages.currentWidget() is not profiles.picker:
            QTimer.singleShot(50, picker)
            return

        def choose() -> None:
            # Xvfb runs no window manager: activate the window so the focus ring shows
            window.activateWindow()
            profiles.picker.tiles[0].setFocus()
            QTimer.singleShot(200, grab_and_choose)

        def grab_and_choose() -> None:
            shot("profiles")
            mia = next(t for t in profiles.picker.tiles if t.profile.protected)
            mia.click()
            QTimer.singleShot(400, pad)

        QTimer.singleShot(600, choose)

    window.codesShown.connect(
        lambda code, url: QTimer.singleShot(300, lambda: sim.approve(code=code))
    )
    picker()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--scale", default="1", help="QT_SCALE_FACTOR (default 1)")
    parser.add_argument("--dark", action="store_true", help="a dark palette (Fusion)")
    parser.add_argument("--home", action="store_true", help="the Plex Home picker and PIN pad")
    parser.add_argument("--tv", action="store_true", help="TV mode at 1080p (tv-*.png)")
    parser.add_argument("--lang", help="the window's language, as plexlogin --lang takes it")
    args = parser.parse_args()
    # both must be set before Qt and plexlogin's config are first used
    os.environ["QT_SCALE_FACTOR"] = args.scale
    os.environ["PLEXLOGIN_CONFIG_DIR"] = tempfile.mkdtemp(prefix="plexlogin-shots-")

    import keyring
    from PySide6.QtCore import QTimer

    from plexlogin import i18n
    from plexlogin.gui.app import application
    from plexlogin.simulator import DEMO_HOME, Simulator
    from plexlogin.tokens import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    language = i18n.choose(args.lang) if args.lang else i18n.ENGLISH  # before the window
    app = application()
    if args.dark:
        go_dark(app)
    args.out.mkdir(parents=True, exist_ok=True)
    # a Home's admin approves (Alex); else the account is "jane", alone
    simulator = Simulator(home=DEMO_HOME) if args.home else Simulator(username="jane")
    with simulator as sim:
        window = open_window(sim, tv=args.tv)
        suffix = ("-dark" if args.dark else "") + (f"-{language.code}" if args.lang else "")
        prefix = "tv" if args.tv else "screenshot"
        if args.home:
            take_home_shots(window, sim, args.out, suffix, prefix)
        else:
            take_shots(window, sim, args.out, suffix, prefix)
        window.finished.connect(app.quit)
        QTimer.singleShot(20_000, app.quit)  # never hang
        window.show()
        window.start()
        app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
