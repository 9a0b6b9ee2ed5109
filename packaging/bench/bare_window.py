"""The floor for size and start time: a PySide6 window with one label and nothing else.

Writes ``first-paint <monotonic ns>`` to $PLEXLOGIN_PAINT_MARK like plexlogin's window.
"""

import os
import sys
import time

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel


class Label(QLabel):
    """A label that says when it was first painted."""

    marked = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        path = os.environ.get("PLEXLOGIN_PAINT_MARK")
        if path and not self.marked:
            self.marked = True
            with open(path, "a", encoding="utf-8") as marks:
                marks.write(f"first-paint {time.monotonic_ns()}\n")


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    label = Label("A bare PySide6 window")
    label.show()
    sys.exit(app.exec())
