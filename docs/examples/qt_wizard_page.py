"""A PySide6 wizard page that signs in to Plex with plexlogin and draws the codes itself.

``plexlogin.sign_in(ui="none")`` runs on a thread of its own (it blocks), and its callbacks
run on that thread too: the page turns them into queued signals, so every widget is
touched on the GUI thread only. Going back, cancelling the wizard or closing it sets the
``cancel`` event, which ends the sign-in within a second.

Run it as is: ``python qt_wizard_page.py``. (The test suite drives this page offscreen
against the built-in simulator.)
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

import plexlogin


class QrView(QWidget):
    """Draws a QR module grid (``codes.qr_matrix``): dark squares on white, square pixels."""

    def __init__(self) -> None:
        super().__init__()
        self.matrix: tuple[tuple[bool, ...], ...] = ()
        self.setMinimumSize(240, 240)
        # a picture has no text of its own: screen readers need a name for it
        self.setAccessibleName("QR code to sign in to Plex")

    def set_matrix(self, matrix: tuple[tuple[bool, ...], ...]) -> None:
        """Show a new code."""
        self.matrix = matrix
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """Whole pixels per module, so the code stays sharp enough to scan."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self.matrix:
            return
        module = min(self.width(), self.height()) // len(self.matrix)
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(
                        QRect(x * module, y * module, module, module), Qt.GlobalColor.black
                    )


class PlexSignInPage(QWizardPage):
    """Shows the code and the QR code, and is complete once the token is in the keyring.

    ``options`` go to :func:`plexlogin.sign_in` (``product``, ``client_id``, ...).
    """

    #: from the sign-in's thread to the GUI thread (queued: the page lives in the GUI thread)
    codesArrived = Signal(object)
    signedIn = Signal(object)
    failed = Signal(str)

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.options = options
        self.result: plexlogin.SignInResult | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.setTitle("Sign in to Plex")
        self.code_label = QLabel("Getting a code from plex.tv…")
        self.qr = QrView()
        self.status = QLabel()
        for label in (self.code_label, self.status):
            label.setTextFormat(Qt.TextFormat.PlainText)  # server text is data, never markup
        layout = QVBoxLayout(self)
        for widget in (self.code_label, self.qr, self.status):
            layout.addWidget(widget)
        self.codesArrived.connect(self._show_codes)
        self.signedIn.connect(self._signed_in)
        self.failed.connect(self.status.setText)

    # -- QWizardPage --

    def initializePage(self) -> None:  # Qt API name
        """The page is shown: start signing in."""
        self.stop()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._sign_in, args=(self._cancel,), daemon=True)
        self._thread.start()

    def cleanupPage(self) -> None:  # Qt API name
        """Back was pressed: stop signing in."""
        self.stop()

    def isComplete(self) -> bool:  # Qt API name
        """Next is enabled once signed in."""
        return self.result is not None

    def stop(self) -> None:
        """End a sign-in in progress (within a second) and wait for its thread."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None

    # -- the sign-in's thread: only emit signals here --

    def _sign_in(self, cancel: threading.Event) -> None:
        try:
            result = plexlogin.sign_in(
                ui="none", on_codes=self.codesArrived.emit, cancel=cancel, **self.options
            )
        except plexlogin.Cancelled:
            return  # the person went back or closed the wizard
        except plexlogin.PlexLoginError as error:
            self.failed.emit(str(error))
            return
        self.signedIn.emit(result)

    # -- the GUI thread --

    def _show_codes(self, codes: plexlogin.Codes) -> None:
        self.code_label.setText(f"Go to {codes.link_url} and enter {codes.code}, or scan:")
        self.qr.set_matrix(codes.qr_matrix)
        self.status.setText(f"The code expires at {codes.expires_at:%H:%M}.")

    def _signed_in(self, result: plexlogin.SignInResult) -> None:
        self.result = result
        self.status.setText(f"Signed in as {result.username}.")
        self.completeChanged.emit()


def main() -> int:
    """A two-page wizard: sign in, then done."""
    app = QApplication(sys.argv)
    wizard = QWizard()
    page = PlexSignInPage(product="My Media Center")
    wizard.addPage(page)
    done = QWizardPage()
    done.setTitle("All set")
    wizard.addPage(done)
    wizard.finished.connect(page.stop)  # Cancel or close: end the sign-in too
    wizard.show()
    app.exec()
    page.stop()
    return 0 if page.result is not None else 1


if __name__ == "__main__":
    sys.exit(main())
