"""Regenerate docs/screenshot-waiting.png and docs/screenshot-signed-in.png.

Runs the real window against the simulator (in-memory keyring, throw-away config)::

    xvfb-run -a -s "-screen 0 1280x1024x24" env QT_QPA_PLATFORM=xcb \\
        python tests/gui/make_screenshots.py docs

Add ``--scale 2`` for HiDPI shots (sets QT_SCALE_FACTOR before Qt starts).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", default="1")
    parser.add_argument("--dark", action="store_true", help="a dark palette (Fusion)")
    args = parser.parse_args()
    os.environ["QT_SCALE_FACTOR"] = args.scale
    os.environ["PLEXLOGIN_CONFIG_DIR"] = tempfile.mkdtemp(prefix="plexlogin-shots-")

    import keyring
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QColor, QPalette

    from plexlogin.gui.app import application
    from plexlogin.gui.window import SignInWindow
    from plexlogin.login import LoginSettings
    from plexlogin.simulator import Simulator
    from plexlogin.tokens import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    app = application()
    suffix = ""
    if args.dark:
        app.setStyle("Fusion")
        palette = QPalette()
        for role, color in {
            QPalette.ColorRole.Window: "#262626",
            QPalette.ColorRole.WindowText: "#EAEAEA",
            QPalette.ColorRole.Base: "#1C1C1C",
            QPalette.ColorRole.Text: "#EAEAEA",
            QPalette.ColorRole.Button: "#333333",
            QPalette.ColorRole.ButtonText: "#EAEAEA",
            QPalette.ColorRole.Highlight: "#3D7DD8",
        }.items():
            palette.setColor(role, QColor(color))
        app.setPalette(palette)
        suffix = "-dark"
    args.out.mkdir(parents=True, exist_ok=True)

    with Simulator(username="jane") as sim:
        settings = LoginSettings(
            plex_url=sim.url,
            client_id="5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19",
            product="plexlogin",
            device_name=None,
            keyring_service="plexlogin",
            keyring_username=None,
            stay_open=True,
        )
        window = SignInWindow(settings)
        # against the simulator the window names its local /link page; the README shows
        # what people see against the real plex.tv
        window.link_label.setText("plex.tv/link")

        def shot(name: str) -> None:
            window.grab().save(str(args.out / f"screenshot-{name}{suffix}.png"))

        def waiting(code: str, url: str) -> None:
            # a moment later, so the countdown has visibly started (14:59)
            QTimer.singleShot(1300, lambda: (shot("waiting"), sim.approve(code=code)))

        window.codesShown.connect(waiting)

        def poll_done() -> None:
            if window.done_title.isVisible():
                QTimer.singleShot(1600, lambda: (shot("signed-in"), window.close()))
            else:
                QTimer.singleShot(50, poll_done)

        poll_done()
        window.finished.connect(app.quit)
        QTimer.singleShot(20_000, app.quit)
        window.show()
        window.start()
        app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
