"""The window's process side: the QApplication, signals, and the event loop.

:func:`run_window` is what ``plexlogin login`` calls (through :mod:`plexlogin.gui`).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEventLoop, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication

from plexlogin import APP_NAME
from plexlogin.errors import Cancelled
from plexlogin.gui.language import use_language
from plexlogin.gui.window import APP_ID, SignInWindow, app_icon
from plexlogin.gui.worker import SessionFactory
from plexlogin.login import LoginSettings, Outcome
from plexlogin.signals import cancel_on_signals, wakeup_socket

if TYPE_CHECKING:
    from plexlogin.events import Event

#: start the sign-in even if the window is never exposed (e.g. opened on a hidden desktop)
START_ANYWAY_MS = 500


def application() -> QApplication:
    """The QApplication, created with plexlogin's name, desktop file and icon if needed."""
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationDomain("plexlogin.github.io")
    # ties the window to io.github.plexlogin.desktop (icon and name in docks and taskbars)
    QApplication.setDesktopFileName(APP_ID)
    # the command line was parsed already: Qt gets no options to interpret
    app = QApplication(sys.argv[:1] or [APP_NAME])
    app.setWindowIcon(app_icon())
    # before any widget exists: Qt's own texts in the language, an Arabic window mirrored
    use_language(app)
    return app


def run_window(
    settings: LoginSettings,
    *,
    on_event: Callable[[Event], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Outcome:
    """Open the sign-in window, run it to the end, and say how it ended.

    In a program that already has a QApplication (a Qt setup wizard), the window runs in
    a local event loop of that application and leaves it running afterwards.
    """
    own_app = QCoreApplication.instance() is None
    app = application()
    window = SignInWindow(settings, session_factory=_listening(on_event))
    loop = QEventLoop()
    outcomes: list[Outcome] = []

    def finished(outcome: object) -> None:
        assert isinstance(outcome, Outcome)
        outcomes.append(outcome)
        (app if own_app else loop).quit()

    window.finished.connect(finished)
    # queued: the worker (and its slow imports) starts once the first frame is on screen
    window.firstPainted.connect(window.start, Qt.ConnectionType.QueuedConnection)
    QTimer.singleShot(START_ANYWAY_MS, window, window.start)
    watch = _watch_cancel(window, cancel)
    with _cancel_on_signals(window.cancel), collect_garbage_on_ui_thread():
        # no raise_()/activateWindow(): window managers focus new windows anyway, and
        # platforms without them (offscreen) print a warning for each
        if settings.tv:
            window.showFullScreen()  # a TV: the whole screen, nothing else on it
        else:
            window.show()
        # the application's own loop when it is ours; a caller's loop keeps running
        (app if own_app else loop).exec()
        if not outcomes:  # the loop ended some other way: closing still stops the worker
            window.close()
    if watch is not None:
        watch.stop()
    window.deleteLater()
    return outcomes[0] if outcomes else Outcome.from_error(Cancelled())


def _listening(on_event: Callable[[Event], None] | None) -> SessionFactory | None:
    """A session factory whose sessions also tell ``on_event`` (in the sign-in's thread)."""
    if on_event is None:
        return None
    from plexlogin.login import LoginSession

    def make(settings: LoginSettings, relay: Callable[[Event], None]) -> LoginSession:
        def both(event: Event) -> None:
            relay(event)
            on_event(event)

        return LoginSession(settings, both)

    return make


#: how often the UI thread asks a caller's ``cancel`` (a set cancel closes within a second)
CANCEL_POLL_MS = 200


def _watch_cancel(window: SignInWindow, cancel: Callable[[], bool] | None) -> QTimer | None:
    """Close the window once ``cancel()`` says so, asked from the UI thread."""
    if cancel is None:
        return None
    timer = QTimer(window)
    timer.setInterval(CANCEL_POLL_MS)
    timer.timeout.connect(lambda: window.cancel() if cancel() else None)
    timer.start()
    return timer


#: how often the UI thread collects reference cycles while the window is open
GC_INTERVAL_MS = 3000


@contextlib.contextmanager
def collect_garbage_on_ui_thread() -> Iterator[None]:
    """Let only the UI thread collect reference cycles while Qt runs.

    Python's cyclic garbage collector runs in whichever thread happens to allocate, and
    the sign-in's background threads allocate plenty (``requests``). A cycle holding a Qt
    wrapper would then be finalized in that thread, deleting or disconnecting a QObject
    outside its own thread: a crash. So automatic collection is off and a timer collects
    here instead. (The window lives seconds to minutes; the memory cost is nil.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    # what start-up made (modules, Qt's types and enums, the window) lives as long as the
    # window: out of every later pass, which then walk only what the sign-in makes
    gc.freeze()
    ticks = 0

    def collect() -> None:
        # young generations every tick; a full pass over every object (~25 ms) only every
        # twentieth, so a window left waiting stays well under 1 % of a core
        nonlocal ticks
        ticks += 1
        gc.collect(2 if ticks % 20 == 0 else 1)

    timer = QTimer()
    timer.setInterval(GC_INTERVAL_MS)
    timer.timeout.connect(collect)
    timer.start()
    try:
        yield
    finally:
        timer.stop()
        gc.unfreeze()  # a program that goes on (a setup wizard) gets it all back
        gc.collect()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _cancel_on_signals(cancel: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``cancel`` while Qt's event loop runs.

    The shared handlers do the cancelling; Qt's loop only needs waking for them to run,
    which the wakeup socket and a QSocketNotifier do.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread
        return

    def post_cancel() -> None:
        # the handler may run inside any slot: cancel from the event loop instead
        QTimer.singleShot(0, cancel)

    with cancel_on_signals(post_cancel), wakeup_socket() as reader:
        notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

        def drain() -> None:
            with contextlib.suppress(OSError):
                reader.recv(64)  # the Python handler runs as this slot returns to Python

        notifier.activated.connect(drain)
        try:
            yield
        finally:
            notifier.setEnabled(False)
            notifier.deleteLater()
