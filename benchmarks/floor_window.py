"""The floor for start-up and memory: a bare PySide6 window that paints one QLabel.

It writes the same ``first-paint <time.monotonic_ns()>`` line to $PLEXLOGIN_PAINT_MARK as
plexlogin's window, then quits (or stays open ``--stay`` seconds), so the harness times
both processes the same way. ``--heavy`` imports what plexlogin needs for a sign-in
(requests, qrcode, Pillow, keyring) before the window: the cost of doing it up front.
``--qt-types QtCore.Qt,QtGui.QIcon,...`` first touches those PySide6 names: PySide6 makes
each class, and every enum in it, the first time it is used, so this is the bare window
paying for the Qt types a richer window needs, and nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time


def _mark(what: str) -> None:
    path = os.environ.get("PLEXLOGIN_PAINT_MARK")
    if path:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(f"{what} {time.monotonic_ns()}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heavy", action="store_true", help="import the sign-in deps first")
    parser.add_argument("--stay", type=float, default=0.0, metavar="S", help="stay open S s")
    parser.add_argument("--qt-types", default="", metavar="NAMES", help="Qt types to make first")
    args = parser.parse_args()
    if args.heavy:
        import keyring  # noqa: F401
        import PIL.Image  # noqa: F401
        import qrcode  # noqa: F401
        import requests  # noqa: F401

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    for name in filter(None, args.qt_types.split(",")):
        module, _, attribute = name.partition(".")
        getattr(importlib.import_module(f"PySide6.{module}"), attribute)

    class Label(QLabel):
        painted = False

        def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
            super().paintEvent(event)
            if not self.painted:
                self.painted = True
                _mark("first-paint")
                QTimer.singleShot(int(args.stay * 1000), app.quit)

    label = Label("Sign in to Plex")
    label.resize(420, 560)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
