"""The worker: drives one sign-in off the UI thread and relays its events as Qt signals.

A :class:`SignInWorker` lives in a ``QThread`` (Qt's worker-object pattern). Everything
slow happens here: importing ``requests`` and ``keyring``, plex.tv requests, encoding the
QR code, saving to the keyring and fetching the avatar.

Calls that can block for long (an HTTP request to an unreachable host, a keyring waiting
for a hidden unlock prompt) cannot be interrupted in Python. So each one runs in a small
daemon thread that only ever puts its result in the worker's inbox queue; the worker waits
on that queue, and :meth:`SignInWorker.request_stop` drops a stop marker in it. Closing the
window therefore ends the ``QThread`` at once, whatever plex.tv or the keyring are doing;
an abandoned daemon thread finishes (or dies with the process) without touching Qt.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from plexlogin.errors import Cancelled, ExitCode

if TYPE_CHECKING:
    from plexlogin.events import Event
    from plexlogin.login import LoginSession, LoginSettings, Outcome

_T = TypeVar("_T")

#: how long the success screen waits for the avatar before settling for initials
AVATAR_PATIENCE = 1.5
#: an avatar is a small picture; anything bigger is not worth waiting for
AVATAR_MAX_BYTES = 2 * 1024 * 1024

SessionFactory = Callable[["LoginSettings", Callable[["Event"], None]], "LoginSession"]


@dataclass(frozen=True)
class _Returned:
    value: object


@dataclass(frozen=True)
class _Raised:
    error: BaseException


@dataclass(frozen=True)
class _AvatarBytes:
    data: bytes | None


class _Stop:
    """Marker put in the inbox by :meth:`SignInWorker.request_stop`."""


_STOP = _Stop()


def _default_session(settings: LoginSettings, on_event: Callable[[Event], None]) -> LoginSession:
    from plexlogin.login import LoginSession

    return LoginSession(settings, on_event)


class SignInWorker(QObject):
    """Runs a :class:`~plexlogin.login.LoginSession` and relays its :mod:`plexlogin.events`.

    Signals are emitted from the worker's own thread only. After :meth:`request_stop`
    nothing more is emitted, so the window never hears about a sign-in it cancelled. The
    session (cheap to build) exists from the start, so the window can ask it how the
    sign-in ended at any time, even before the thread runs.
    """

    #: new codes: the :class:`~plexlogin.events.CodesReady` event and its QrBitmap
    codesReady = Signal(object, object)
    #: any other sign-in event, as the session told it
    happened = Signal(object)
    #: the account's avatar, decoded (only if it arrived quickly)
    avatarLoaded = Signal(QImage)

    def __init__(self, settings: LoginSettings, session_factory: SessionFactory | None = None):
        super().__init__()
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._session = (session_factory or _default_session)(settings, self._inbox.put)
        self._busy = 0  # daemon calls still using the session
        self._closed = False
        self._avatar_deadline = 0.0

    # -- any thread --

    @property
    def session(self) -> LoginSession:
        """The sign-in this worker runs."""
        return self._session

    def request_stop(self) -> None:
        """Stop now (thread-safe): the flow is cancelled and the worker's wait ends."""
        self._stopping.set()
        self._inbox.put(_STOP)
        self._session.cancel()
        self._close_session_when_idle()

    def give_up(self) -> Outcome:
        """Stop, and say how the sign-in ended (the session decides)."""
        outcome = self._session.give_up()
        self.request_stop()
        return outcome

    def time_out(self) -> Outcome | None:
        """--timeout ran out: stop unless the token is being saved (then None)."""
        outcome = self._session.time_out()
        if outcome is not None:
            self.request_stop()
        return outcome

    # -- the worker's thread --

    @Slot()
    def start(self) -> None:
        """Sign in (connected to ``QThread.started``); the events tell how it goes."""
        self._run(self._sign_in)

    def _sign_in(self) -> Outcome:
        # the flow first (requests and the client load), then the QR encoder on a thread
        # of its own: it loads while the PIN requests are on the network, not after
        try:
            self._session.flow  # noqa: B018  # built here; an error is sign_in()'s to report
        except Exception:
            pass
        else:
            threading.Thread(target=_load_qr_encoder, name="plexlogin-qr", daemon=True).start()
        return self._session.sign_in()

    @Slot()
    def retry_save(self) -> None:
        """Retry saving after a keyring failure ("Try again"): the token is still in memory."""
        self._run(self._session.store_again)

    def _run(self, call: Callable[[], Outcome]) -> None:
        if self._stopping.is_set():  # closed before the thread even started
            self._close_session_when_idle()
            return
        try:
            # in a daemon thread: importing requests and keyring, a request or a keyring
            # write can each take longer than a close may
            outcome = self._await(call)
        except Cancelled:
            outcome = None
        if outcome is not None and outcome.exit_code == ExitCode.OK:
            self._wait_for_avatar()
        self._close_session_when_idle()

    def _wait_for_avatar(self) -> None:
        """Give the avatar the rest of its patience; the window shows initials meanwhile."""
        while not self._stopping.is_set():
            remaining = self._avatar_deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                item = self._inbox.get(timeout=remaining)
            except queue.Empty:
                return
            if isinstance(item, _Stop):
                return
            self._handle(item)

    def _await(self, call: Callable[[], _T]) -> _T:
        """Run ``call`` in a daemon thread, relaying events until it ends.

        Raises Cancelled as soon as a stop is requested, leaving the call behind.
        """
        with self._lock:
            self._busy += 1

        def run() -> None:
            try:
                self._inbox.put(_Returned(call()))
            except BaseException as error:  # handed to the worker, re-raised there
                self._inbox.put(_Raised(error))
            finally:
                with self._lock:
                    self._busy -= 1
                self._close_session_when_idle()

        threading.Thread(target=run, name="plexlogin-call", daemon=True).start()
        while True:
            item = self._inbox.get()
            if isinstance(item, _Stop) or self._stopping.is_set():
                raise Cancelled()
            if isinstance(item, _Returned):
                return item.value  # type: ignore[return-value]  # what call() returned
            if isinstance(item, _Raised):
                raise item.error
            self._handle(item)

    def _handle(self, item: object) -> None:
        """Relay one event, adding what only the worker makes: the QR bitmap, the avatar."""
        if isinstance(item, _AvatarBytes):
            self._show_avatar(item.data)
            return
        if self._stopping.is_set():
            return
        from plexlogin import events  # loaded by the sign-in already; not before the paint

        if isinstance(item, events.CodesReady):
            from plexlogin.gui.qrencode import encode_qr

            self.codesReady.emit(item, encode_qr(item.auth_url))
            return
        if isinstance(item, (events.Verified, events.ProfileSwitched)):
            self._fetch_avatar(item.account.thumb)
        self.happened.emit(item)

    def _fetch_avatar(self, url: str | None) -> None:
        self._avatar_deadline = time.monotonic() + AVATAR_PATIENCE
        if not url or not url.startswith(("https://", "http://")):
            return
        inbox = self._inbox

        def fetch() -> None:
            inbox.put(_AvatarBytes(_download(url, AVATAR_PATIENCE)))

        threading.Thread(target=fetch, name="plexlogin-avatar", daemon=True).start()

    def _show_avatar(self, data: bytes | None) -> None:
        if not data:
            return
        image = QImage.fromData(data)  # QImage (unlike QPixmap) may be made off the UI thread
        if not image.isNull():
            self.avatarLoaded.emit(image)

    def _close_session_when_idle(self) -> None:
        """Close the HTTP connections once no daemon call uses them (any thread)."""
        with self._lock:
            session = self._session
            if self._busy or self._closed:
                return
            if session.can_store_again and not self._stopping.is_set():
                return  # "Try again" still needs the session
            self._closed = True
        session.close()


def _load_qr_encoder() -> None:
    """Import what :func:`~plexlogin.gui.qrencode.encode_qr` needs (qrcode), ahead.

    Errors are left for the real encoding to raise, where the worker handles them.
    """
    with contextlib.suppress(Exception):
        from plexlogin.gui import qrencode  # noqa: F401
        from plexlogin.qr import make_qr

        make_qr("")  # qrcode's own modules load on first use too


def _download(url: str, timeout: float) -> bytes | None:
    """The avatar's bytes, or None if it does not come quickly (offline, blocked, too big)."""
    try:
        from plexlogin.plex import make_session  # proxies and CA bundles, never .netrc

        with make_session() as http:
            with http.get(url, timeout=(timeout, timeout), stream=True) as answer:
                if answer.status_code != 200:
                    return None
                data = answer.raw.read(AVATAR_MAX_BYTES + 1, decode_content=True)
                return data if len(data) <= AVATAR_MAX_BYTES else None
    except Exception:
        return None
