"""The worker: drives one sign-in off the UI thread and reports through a Qt signal.

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

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from plexlogin.errors import Cancelled, KeyringError, PlexLoginError
from plexlogin.gui import state

if TYPE_CHECKING:
    from plexlogin.flow import Event, SignIn
    from plexlogin.login import LoginSession, LoginSettings

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
    """Runs :class:`~plexlogin.login.LoginSession` and reports :mod:`plexlogin.gui.state`.

    Signals are emitted from the worker's own thread only. After :meth:`request_stop`
    nothing more is emitted, so the window never hears about a sign-in it cancelled.
    """

    #: one of the :mod:`plexlogin.gui.state` classes
    stateChanged = Signal(object)
    #: the account's avatar, decoded (only if it arrived quickly)
    avatarLoaded = Signal(QImage)

    def __init__(self, settings: LoginSettings, session_factory: SessionFactory | None = None):
        super().__init__()
        self._settings = settings
        self._make_session = session_factory or _default_session
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._session: LoginSession | None = None
        self._busy = 0  # daemon calls still using the session
        self._closed = False
        self._result: SignIn | None = None
        self._avatar_deadline = 0.0

    # -- any thread --

    def request_stop(self) -> None:
        """Stop now (thread-safe): the flow is cancelled and the worker's wait ends."""
        self._stopping.set()
        self._inbox.put(_STOP)
        with self._lock:
            session = self._session
        if session is not None:
            session.cancel()
        self._close_session_when_idle()

    # -- the worker's thread --

    @Slot()
    def start(self) -> None:
        """Sign in (connected to ``QThread.started``); ends with a saved token or a state."""
        try:
            if self._stopping.is_set():  # closed before the thread even started
                raise Cancelled()
            # Importing requests and keyring happens here, not while the window paints;
            # in a daemon thread too, as a cold import can take longer than a close may.
            session = self._await(lambda: self._make_session(self._settings, self._inbox.put))
            with self._lock:
                self._session = session
            if self._stopping.is_set():
                raise Cancelled()
            self._result = self._await(session.run)
        except Cancelled:
            self._close_session_when_idle()
            return
        except PlexLoginError as error:
            self._give_up(error)
            return
        except Exception as error:  # a bug must end up on screen, not kill the thread
            self._give_up(PlexLoginError(f"Something went wrong: {error}"))
            return
        self._save()

    def _give_up(self, error: PlexLoginError) -> None:
        """Report ``error`` and make sure no flow keeps running behind it."""
        self._report(state.SignInFailed(error))
        with self._lock:
            session = self._session
        if session is not None:
            session.cancel()  # harmless if the flow already ended; stops it if we failed
        self._close_session_when_idle()

    @Slot()
    def retry_save(self) -> None:
        """Retry saving after a keyring failure ("Try again"): the token is still in memory."""
        if self._result is not None and not self._stopping.is_set():
            self._save()

    def _save(self) -> None:
        session, result = self._session, self._result
        assert session is not None and result is not None
        try:
            keyring_username = self._await(lambda: session.store_token(result))
        except Cancelled:
            self._close_session_when_idle()
            return
        except KeyringError as error:
            self._report(state.SaveFailed(error))
            return
        except Exception as error:
            message = f"The token could not be saved: {error}"
            self._report(state.SaveFailed(KeyringError(message)))
            return
        self._result = None  # the keyring has it now; drop the in-memory copy
        self._report(state.TokenSaved(session.store.service, keyring_username))
        self._close_session_when_idle()
        self._wait_for_avatar()

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
        """Run ``call`` in a daemon thread, relaying flow events until it ends.

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
        """Translate one flow event (or a fetched avatar) for the window."""
        from plexlogin import flow

        if isinstance(item, _AvatarBytes):
            self._show_avatar(item.data)
        elif isinstance(item, flow.CodesReady):
            from plexlogin.gui.qrencode import encode_qr

            qr = encode_qr(item.auth_url)
            self._report(
                state.CodesShown(
                    item.code, item.auth_url, item.deadline, item.lifetime, item.renewed, qr
                )
            )
        elif isinstance(item, flow.Renewing):
            self._report(state.CodesExpiring(item.reason))
        elif isinstance(item, flow.Trouble):
            self._report(state.TroubleShown(item.describe))
        elif isinstance(item, flow.Recovered):
            self._report(state.TroubleCleared())
        elif isinstance(item, flow.Approved):
            self._report(state.Approving())
        elif isinstance(item, flow.Verified):
            user = item.user
            self._report(state.AccountVerified(user.account_name, user.display_name))
            self._fetch_avatar(user.thumb)
        # Stored, StoreFailed and Failed are reported from the outcome of the call itself

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

    def _report(self, update: state.State) -> None:
        if not self._stopping.is_set():
            self.stateChanged.emit(update)

    def _close_session_when_idle(self) -> None:
        """Close the HTTP connections once no daemon call uses them (any thread)."""
        with self._lock:
            session = self._session
            if session is None or self._busy or self._closed:
                return
            if self._result is not None and not self._stopping.is_set():
                return  # "Try again" still needs the session
            self._closed = True
        session.close()


def _download(url: str, timeout: float) -> bytes | None:
    """The avatar's bytes, or None if it does not come quickly (offline, blocked, too big)."""
    try:
        import requests

        with requests.Session() as http:
            http.trust_env = False  # no proxy credentials from the environment
            with http.get(url, timeout=(timeout, timeout), stream=True) as answer:
                if answer.status_code != 200:
                    return None
                data = answer.raw.read(AVATAR_MAX_BYTES + 1, decode_content=True)
                return data if len(data) <= AVATAR_MAX_BYTES else None
    except Exception:
        return None
