"""Run in a subprocess by the HiDPI test (tests/gui): open the window, grab it once codes show.

``python grab_window.py PLEX_URL OUT.png`` prints the auth URL and the grab's device
pixel ratio as JSON. The parent sets QT_SCALE_FACTOR=2, which must be in place before
the QApplication exists; that is why this runs in a process of its own.
"""

from __future__ import annotations

import json
import sys

import keyring
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from plexlogin.gui.window import SignInWindow
from plexlogin.login import LoginSettings
from plexlogin.tokens import MemoryKeyring


def main() -> int:
    plex_url, out = sys.argv[1], sys.argv[2]
    keyring.set_keyring(MemoryKeyring())
    app = QApplication([sys.argv[0]])
    settings = LoginSettings(
        plex_url=plex_url,
        client_id="5b0c1f3e-8d1a-4c1e-9a53-0e0a4f7c2d19",
        product="plexlogin",
        device_name=None,
        keyring_service="plexlogin-test",
        keyring_username=None,
    )
    window = SignInWindow(settings)
    report: dict[str, object] = {}

    def grab(code: str, url: str) -> None:
        pixmap = window.grab()
        pixmap.save(out)
        report.update(url=url, dpr=pixmap.devicePixelRatio(), width=pixmap.width())
        report.update(logical_width=window.width())
        window.close()

    # queued behind the repaint that shows the codes
    window.codesShown.connect(lambda code, url: QTimer.singleShot(0, lambda: grab(code, url)))
    window.finished.connect(app.quit)
    QTimer.singleShot(15_000, app.quit)  # never hang a test run
    window.show()
    window.start()
    app.exec()
    print(json.dumps(report))
    return 0 if report else 1


if __name__ == "__main__":
    sys.exit(main())
