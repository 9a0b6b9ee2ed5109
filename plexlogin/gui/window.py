"""The sign-in window: shows what the worker reports, and decides the outcome on close.

It never waits on anything itself. The worker (in its own ``QThread``) relays the
sign-in's :mod:`plexlogin.events`; the window turns them into pages and text, and asks the
session how the sign-in ended when it closes. Closing it
in any way (Cancel, Esc, the close box, SIGTERM, the automatic close after success) ends
the worker thread within a second and emits :attr:`SignInWindow.finished` with the
:class:`~plexlogin.login.Outcome`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAccessible,
    QCloseEvent,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from plexlogin.gui import theme, tv
from plexlogin.gui.accessibility import announce, set_role
from plexlogin.gui.language import direction
from plexlogin.gui.pages import DonePage, FinishingPage, Page, ProblemPage, WaitingPage, label
from plexlogin.gui.paint_marks import paint_mark
from plexlogin.gui.profiles import ProfilePages
from plexlogin.gui.qrbitmap import QrBitmap
from plexlogin.gui.widgets import spell_out
from plexlogin.gui.worker import SessionFactory, SignInWorker
from plexlogin.i18n import _
from plexlogin.login import LoginSettings, Outcome

if TYPE_CHECKING:
    from plexlogin import events

APP_ID = "io.github.plexlogin"
#: how long "Signed in as …" stays up before the window closes by itself
SUCCESS_PAUSE_MS = 2000
#: how long a failure (e.g. --timeout ran out) stays up before the window closes itself;
#: short, since a setup wizard waits for the exit code
FAILURE_PAUSE_MS = 3000
#: how long the "New code" notice stays after a renewal
NEW_CODE_NOTICE_MS = 6000
#: the worker thread gets this long to finish after a stop request (it needs ~nothing)
THREAD_STOP_MS = 1000
_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The app icon from ``plexlogin.resources`` (works installed, in a checkout, frozen)."""
    folder = _icon_folder()
    if folder is not None:  # the usual case: plain files, Qt reads the size it needs
        icon = QIcon()
        for size in _ICON_SIZES:
            path = os.path.join(folder, f"{size}x{size}", "apps", f"{APP_ID}.png")
            if os.path.isfile(path):
                icon.addFile(path)
        return icon
    return _app_icon_from_resources()


def _icon_folder() -> str | None:
    """The icons' folder when ``plexlogin.resources`` is a folder on disk, else None.

    Found without :mod:`importlib.resources`: importing it costs 20-30 ms of CPU before
    the first paint.
    """
    from importlib.util import find_spec  # loaded by Python's start-up anyway

    spec = find_spec("plexlogin.resources")
    for base in (spec and spec.submodule_search_locations) or []:
        folder = os.path.join(base, "icons", "hicolor")
        if os.path.isdir(folder):
            return folder
    return None


def _app_icon_from_resources() -> QIcon:
    """The icon read through :mod:`importlib.resources` (e.g. a package in a zip)."""
    from importlib import resources

    icon = QIcon()
    root = resources.files("plexlogin.resources") / "icons" / "hicolor"
    for size in _ICON_SIZES:
        entry = root / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        if not entry.is_file():
            continue
        path = getattr(entry, "__fspath__", None)
        if path is not None:
            icon.addFile(path())  # a real file: Qt loads it only when that size is needed
        else:  # inside a zip: decode from bytes
            pixmap = QPixmap()
            pixmap.loadFromData(entry.read_bytes())
            icon.addPixmap(pixmap)
    return icon


class SignInWindow(QWidget):
    """One sign-in, start to finish. Call :meth:`start` once the window has been shown.

    ``clock`` must be the clock of the flow's deadlines (monotonic by default); tests pass
    a fake one. ``session_factory`` builds the :class:`~plexlogin.login.LoginSession`
    (in the worker thread).
    """

    #: the Outcome, emitted once, when the window has closed and the worker has stopped
    finished = Signal(object)
    #: the first paint happened: the window is on screen
    firstPainted = Signal()
    #: "Try again" after a keyring failure (handled in the worker's thread)
    retryRequested = Signal()
    #: codes are on screen: the short code and the auth URL the QR encodes
    codesShown = Signal(str, str)

    def __init__(
        self,
        settings: LoginSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        success_pause_ms: int = SUCCESS_PAUSE_MS,
        failure_pause_ms: int = FAILURE_PAUSE_MS,
        session_factory: SessionFactory | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._clock = clock
        self._success_pause_ms = success_pause_ms
        self._failure_pause_ms = failure_pause_ms
        self._thread: QThread | None = None
        # the session inside is cheap to build, and says how the sign-in ended at any time
        self.profiles = ProfilePages(self)  # the Plex Home picker and PIN pad
        self._worker = SignInWorker(settings, session_factory or self.profiles.session_factory)
        self._painted = False
        self._outcome: Outcome | None = None
        self._auth_url = ""
        self._trouble: events.Trouble | None = None
        self._username: str | None = None
        self._display_name: str | None = None
        self._stopped = False  # a failure is on screen: the first reason stands
        self._restyling = False
        self._tv: tv.TvLayout | None = None  # TV mode's sizes (None: the desk window)
        self._handlers: dict[type, Callable[[Any], None]] = {}  # made with the first event

        # the language's direction on the window itself too: a setup wizard's own
        # QApplication (which plexlogin does not set up) may read the other way
        self.setLayoutDirection(direction())
        self.setWindowTitle(_("Sign in to Plex"))
        self.setWindowIcon(app_icon())
        self.setObjectName("signInWindow")
        set_role(self, QAccessible.Role.Dialog)  # a plain QWidget window reads as a "filler"
        self._build()
        self._restyle()
        # style sheets change margins and borders only when polished: measure after that
        self.ensurePolished()
        for layout in self.findChildren(QLayout):
            layout.invalidate()  # layouts cache their items' pre-polish size hints
        self.setMinimumSize(self.minimumSizeHint())
        self.resize(self.sizeHint())
        if settings.tv:
            self._enter_tv()
        self.code_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- public --

    @property
    def outcome(self) -> Outcome | None:
        """How the sign-in ended (set when the window closes)."""
        return self._outcome

    @property
    def worker_thread(self) -> QThread | None:
        """The worker's thread (None before :meth:`start`)."""
        return self._thread

    @Slot()
    def start(self) -> None:
        """Start the sign-in in the worker thread (once; later calls do nothing)."""
        if self._thread is not None or self._outcome is not None:
            return
        self._thread = QThread(self)
        self._thread.setObjectName("plexlogin-worker")
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._thread.finished.connect(self._worker.deleteLater)
        self._worker.codesReady.connect(self._show_codes)
        self._worker.happened.connect(self._apply)
        self._worker.avatarLoaded.connect(self._show_avatar)
        self.retryRequested.connect(self._worker.retry_save)
        self._thread.start()
        left = self._worker.session.seconds_left()
        if left is not None:
            # The flow checks its own timeout between requests; this one holds even while
            # a request to plex.tv hangs or trickles in byte by byte.
            QTimer.singleShot(max(0, round(left * 1000)), self, self._time_out)

    @Slot()
    def cancel(self) -> None:
        """Cancel (exit 3) unless the sign-in already ended; then just close."""
        self.close()

    # -- building --

    def _build(self) -> None:
        # the real plex.tv/link, or the stand-in's own page (the demo's simulator)
        link = self._settings.link_url.removeprefix("https://").removeprefix("http://")
        self.waiting = WaitingPage(link, self._clock)
        self.finishing = FinishingPage()
        self.done = DonePage()
        self.problem = ProblemPage()
        self._pages = {
            Page.WAITING: self.waiting,
            Page.FINISHING: self.finishing,
            Page.DONE: self.done,
            Page.PROBLEM: self.problem,
        }
        self.pages = QStackedWidget()
        for page in self._pages.values():
            self.pages.addWidget(page)
        self.profiles.add_to(self.pages, after=self.finishing)
        self.profiles.pageMade.connect(self._page_made)
        self._expose_parts()
        self._connect_parts()

        root = self._root = QVBoxLayout(self)
        # The minimum size is set once in __init__ rather than by the layout after show():
        # word-wrapped labels make it re-derive the minimum from the width once shown,
        # which platforms without size-hint support (offscreen) report as a warning.
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(28, 24, 28, 22)
        root.setSpacing(18)
        root.addLayout(self._build_header())
        root.addWidget(self.pages, 1)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        QShortcut(QKeySequence.StandardKey.Copy, self, self._copy_code)

    def _build_header(self) -> QHBoxLayout:
        """The app icon, the title and what will happen to the token."""
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(40, 40))
        icon.setAccessibleName("plexlogin")  # the program's name: not translated
        self.title = label(_("Sign in to Plex"))
        # TRANSLATORS: {product} is the program that asked for the sign-in (a setup wizard)
        promise = _("{product} will keep your Plex token in the system keyring.").format(
            product=self._settings.product
        )
        if self._settings.demo:
            from plexlogin.home import DEMO_HOME_NOTE  # the demo's Home: events and all

            # say so plainly: nobody should think a real account is being linked
            promise = _("Demo: a local stand-in for plex.tv; no real Plex account is involved.")
            promise += " " + _(DEMO_HOME_NOTE)
        self.subtitle = label(promise, role="muted", wrap=True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.setSpacing(14)
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(heading, 1)
        return header

    def _expose_parts(self) -> None:
        """The parts the window updates (and tests read), under the window's own names."""
        waiting, done, problem = self.waiting, self.done, self.problem
        self.link_label = waiting.link_label
        self.code_view = waiting.code_view
        self.copy_button = waiting.copy_button
        self.new_code = waiting.new_code
        self.countdown = waiting.countdown
        self.qr_view = waiting.qr_view
        self.status = waiting.status
        self.browser_button = waiting.browser_button
        self.cancel_button = waiting.cancel_button
        self.finishing_label = self.finishing.label
        self.finishing_cancel = self.finishing.cancel_button
        self.avatar = done.avatar
        self.done_title, self.done_name, self.done_detail = done.title, done.name, done.detail
        self.done_button = done.close_button
        self.problem_title, self.problem_detail = problem.title, problem.detail
        self.problem_hint = problem.hint
        self.retry_button = problem.retry_button
        self.problem_close = problem.close_button

    def _connect_parts(self) -> None:
        self._new_code_timer = self.waiting.new_code_timer
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._refresh_trouble)
        self.countdown.expired.connect(self._codes_expired)
        self.copy_button.clicked.connect(self._copy_code)
        self.browser_button.clicked.connect(self._open_browser)
        for cancel in (self.cancel_button, self.finishing_cancel):
            cancel.clicked.connect(self.cancel)
        for close in (self.done_button, self.problem_close):
            close.clicked.connect(self.close)
        self.retry_button.clicked.connect(self._retry_save)

    def _show_page(self, page: Page) -> None:
        self.pages.setCurrentWidget(self._pages[page])

    def _showing(self, page: Page) -> bool:
        return self.pages.currentWidget() is self._pages[page]

    def _enter_tv(self) -> None:
        """The 10-foot form: screen-sized, no small buttons, a remote's keys."""
        self.waiting.use_tv_form()
        screen = self.screen().size()
        self._tv = tv.layout_for(screen)
        self._restyle()
        self.resize(screen)  # showFullScreen() does this too, once shown

    def _page_made(self, page: QWidget) -> None:
        """A page made after the window (a Plex Home's picker or PIN pad): in TV mode, it
        too gets the TV's sizes."""
        if self._tv is not None:
            self._restyle()

    def _restyle(self) -> None:
        """Fonts and colours from the current palette (again when the theme changes)."""
        self._restyling = True
        try:
            palette = self.palette()
            sheet = theme.style_sheet(palette)
            base = self.font()
            if self._tv is not None:
                sheet += tv.style_sheet(palette, self._tv)
                base = self._tv_restyle(base)
            self.setStyleSheet(sheet)
            self.title.setFont(theme.scaled_font(base, 1.55, QFont.Weight.DemiBold))
            self.subtitle.setFont(base)
            self.waiting.restyle(base, theme.css(theme.hairline(palette)))
            self.finishing.restyle(base)
            self.done.restyle(base)
            self.problem.restyle(base)
        finally:
            self._restyling = False

    def _tv_restyle(self, desk: QFont) -> QFont:
        """Sizes in pixels for the TV layout; returns its base font."""
        assert self._tv is not None
        layout = self._tv
        horizontal, vertical = layout.margins
        self._root.setContentsMargins(horizontal, vertical, horizontal, vertical)
        base = layout.base_font(desk)
        # every part at the TV's size; the pages then set the fonts they change
        for widget in self.findChildren(QWidget):
            widget.setFont(base)
        self.code_view.set_scale(layout.scale, ring=layout.ring)
        self.qr_view.set_side(layout.qr_side)
        tv.grow_pictures(self, layout)
        self.profiles.use_tv(layout)  # after the fonts and pictures above: tiles size their own
        return base

    # -- Qt events --

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt API name
        """In TV mode, a remote's keys that no widget took: arrows, OK, Back."""
        if self._tv is not None and tv.remote_key(self, event.key(), self.cancel):
            event.accept()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt API name
        """In TV mode, size everything from the screen the window fills."""
        super().resizeEvent(event)
        if self._tv is not None and tv.layout_for(event.size()) != self._tv:
            self._tv = tv.layout_for(event.size())
            self._restyle()

    def changeEvent(self, event: QEvent) -> None:  # Qt API name
        """Follow the desktop when it switches between light and dark."""
        if event.type() == QEvent.Type.PaletteChange and not self._restyling:
            self._restyle()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt API name
        """Note the first paint: start-up is measured to here, and then the worker starts."""
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            paint_mark("first-paint")
            self.firstPainted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt API name
        """Any close ends the sign-in: stop the worker, decide the outcome, report it."""
        if self._outcome is None:
            self.profiles.bridge.cancel()  # a question waiting for the person ends too
            self._outcome = self._worker.give_up()
            self._stop_worker()
            event.accept()
            super().closeEvent(event)
            self.finished.emit(self._outcome)
            return
        super().closeEvent(event)

    def _stop_worker(self) -> None:
        self.countdown.stop("")
        self._status_timer.stop()
        # The reference stays: dropping the last Python reference to a QObject that
        # lives in another thread would delete it from this one. The thread's
        # finished signal deletes it in its own thread (deleteLater).
        self._worker.request_stop()
        if self._thread is not None:
            self._thread.quit()
            if not self._thread.wait(THREAD_STOP_MS):  # pragma: no cover - a bug if reached
                # never let the QThread be destroyed while it runs (Qt aborts the process)
                self._thread.wait()

    # -- what the worker reports --

    @Slot(object)
    def _apply(self, event: events.Event) -> None:
        if self._outcome is not None:
            return  # a late report for a window that is already closing
        if not self._handlers:
            self._handlers = self._make_handlers()
        self._handlers[type(event)](event)

    def _make_handlers(self) -> dict[type, Callable[[Any], None]]:
        """What each event does to the window.

        Made when the first event arrives, not with the window: the first paint does not
        wait for :mod:`plexlogin.events` (14 dataclasses, 15 ms to create), which the
        sign-in's thread has loaded by then.
        """
        from plexlogin import events

        return {
            events.Renewing: self._renewing,
            events.Trouble: self._show_trouble,
            events.Recovered: self._recovered,
            events.Approved: self._approved,
            events.Verified: self._verified,
            events.ProfilesOffered: lambda event: None,  # self.profiles shows the picker
            events.ProfileSwitched: self._verified,  # from now on, the profile is the account
            events.Stored: self._show_done,
            events.StoreFailed: lambda event: self._show_save_failed(str(event.error)),
            events.WaitingForKeyring: lambda event: self._show_save_failed(event.message),
            events.Failed: lambda event: self._show_failed(str(event.error)),
        }

    @Slot(object, object)
    def _show_codes(self, event: events.CodesReady, qr: QrBitmap) -> None:
        if self._outcome is not None:
            return
        self._auth_url = event.auth_url
        self.code_view.set_code(event.code)
        self.qr_view.set_bitmap(qr)
        self.copy_button.setEnabled(True)
        self.browser_button.setEnabled(True)
        self.countdown.start(event.deadline, event.lifetime)
        if event.renewed:
            # TRANSLATORS: said by a screen reader; {code} is spelled out ("7 R Q Z")
            announce(self, _("New code: {code}").format(code=spell_out(event.code)))
            self.new_code.show()
            self._new_code_timer.start(NEW_CODE_NOTICE_MS)
        if not self._showing(Page.WAITING):
            # plex.tv rejected a token and the flow started over: back to the codes
            self._show_page(Page.WAITING)
        self.codesShown.emit(event.code, event.auth_url)

    def _renewing(self, event: events.Renewing) -> None:
        self._codes_expired()
        self.countdown.stop(event.reason)

    def _show_trouble(self, event: events.Trouble) -> None:
        if self._trouble is None or self._trouble.message != event.message:
            # once per kind of trouble, not for every retry or every second of the wait
            announce(self, event.describe(self._clock()))
        self._trouble = event
        self._refresh_trouble()
        self._status_timer.start()

    def _recovered(self, event: events.Recovered) -> None:
        if self._trouble is not None:
            announce(self, _("Connected to plex.tv again."))
        self._trouble = None
        self._status_timer.stop()
        self.status.clear()

    def _approved(self, event: events.Approved) -> None:
        self.countdown.stop(_("Approved"))
        self.finishing_label.setText(_("Approved. Checking your account…"))
        self._show_page(Page.FINISHING)
        self.finishing_cancel.setFocus()

    def _verified(self, event: events.Verified | events.ProfileSwitched) -> None:
        account = event.account
        self._username = account.username or account.display_name
        self._display_name = account.display_name
        self.avatar.set_name(account.display_name)
        # TRANSLATORS: {name} is the Plex account's name
        self.finishing_label.setText(_("Saving the token for {name}…").format(name=self._username))

    @Slot()
    def _codes_expired(self) -> None:
        """The codes on screen are dead: grey them out until new ones arrive."""
        self.code_view.set_stale(True)
        self.qr_view.set_stale(True)
        self.copy_button.setEnabled(False)
        self.browser_button.setEnabled(False)
        self.new_code.hide()

    @Slot()
    def _refresh_trouble(self) -> None:
        if self._trouble is not None:
            self.status.setText("⚠  " + self._trouble.describe(self._clock()))

    def _show_done(self, update: events.Stored) -> None:
        name = self._username or update.username
        # TRANSLATORS: {name} is the Plex account's name
        signed_in = _("Signed in as {name}").format(name=name)
        self.done_title.setText(signed_in)
        announce(self, signed_in)
        # the friendly name too, when it says more than the username
        display = self._display_name if self._display_name != name else None
        self.done_name.setText(display or "")
        self.done_name.setVisible(display is not None)
        # one line per fact: long service/account names wrap between facts, not inside them
        if update.lasting:
            # TRANSLATORS: {service} and {account} are the keyring entry's names. Keep the
            # line break between the facts.
            saved = _(
                "Your Plex token is saved in the system keyring.\n"
                "Service “{service}”, account “{account}”."
            )
        else:
            # TRANSLATORS: --demo without a system keyring. Keep the line break.
            saved = _(
                "Your Plex token is kept in memory only, for this run.\n"
                "Service “{service}”, account “{account}”."
            )
        saved = saved.format(service=update.service, account=update.username)
        if self._settings.stay_open or QAccessible.isActive():
            # With a screen reader (any assistive technology) running, closing by itself
            # would cut the announcement off, or leave the person wondering where the
            # window went: it stays until they close it (Enter: focus is on Close).
            self.done_detail.setText(saved)
        else:
            self.done_detail.setText(saved + "\n" + _("This window closes by itself."))
            QTimer.singleShot(self._success_pause_ms, self, self.close)
        self._show_page(Page.DONE)
        self.done_button.setFocus()

    def _show_save_failed(self, error: str) -> None:
        if self._username:
            # TRANSLATORS: {name} is the Plex account's name
            title = _("Signed in as {name}, but the token could not be saved").format(
                name=self._username
            )
        else:
            title = _("Signed in, but the token could not be saved")
        self.problem_title.setText(title)
        self.problem_detail.setText(error)
        self.problem_hint.setText(
            # TRANSLATORS: "Try again" is the button's text: translate it alike
            _(
                "The sign-in is kept in this window until you close it: fix the keyring, "
                "then choose Try again."
            )
        )
        self.retry_button.show()
        self.retry_button.setEnabled(True)
        self.problem_close.setAccessibleDescription(
            _("Closes the window without saving the token.")
        )
        announce(self, f"{title}. {error}", assertive=True)
        self._show_page(Page.PROBLEM)
        self.retry_button.setFocus()

    @Slot()
    def _time_out(self) -> None:
        if self._outcome is not None or self._stopped:
            return
        ended = self._worker.time_out()  # None while the keyring write decides
        if ended is not None:
            self.countdown.stop("")
            self._show_failed(ended.error or "")

    def _show_failed(self, error: str) -> None:
        if self._stopped:
            return  # the first reason stands (a late "cancelled" after a timeout, say)
        self._stopped = True
        self.problem_title.setText(_("The sign-in stopped"))
        self.problem_detail.setText(error)
        if self._settings.stay_open:
            self.problem_hint.setText(_("Nothing was saved."))
        else:
            # a setup wizard with --timeout is waiting for the exit code: do not block it
            self.problem_hint.setText(_("Nothing was saved. This window closes by itself."))
            QTimer.singleShot(self._failure_pause_ms, self, self.close)
        self.retry_button.hide()
        self.problem_close.setAccessibleDescription(_("Closes the window."))
        announce(self, f"{_('The sign-in stopped')}. {error}", assertive=True)
        self._show_page(Page.PROBLEM)
        self.problem_close.setFocus()

    @Slot(QImage)
    def _show_avatar(self, image: QImage) -> None:
        self.avatar.set_image(image)

    # -- buttons --

    @Slot()
    def _copy_code(self) -> None:
        code = self.code_view.code
        if not code or not self._showing(Page.WAITING):
            return
        QGuiApplication.clipboard().setText(code)
        self.copy_button.setText(_("Copied"))
        QTimer.singleShot(1500, self, self._reset_copy_label)

    @Slot()
    def _reset_copy_label(self) -> None:
        self.copy_button.setText(_("Copy code"))

    @Slot()
    def _open_browser(self) -> None:
        if self._auth_url:
            QDesktopServices.openUrl(QUrl(self._auth_url))

    @Slot()
    def _retry_save(self) -> None:
        self.retry_button.setEnabled(False)
        self.problem_title.setText(_("Trying again…"))
        self.retryRequested.emit()
