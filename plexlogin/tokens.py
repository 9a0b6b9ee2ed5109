"""Keep the Plex account token in the OS keyring: the only module that imports ``keyring``.

Three promises, each for a reason learned the hard way by other sign-in tools:

* Every keyring call has a deadline. A locked keyring can show an unlock prompt the person
  never sees (another workspace, a headless session) and block forever; the call runs in a
  daemon thread and the caller gets :class:`~plexlogin.errors.KeyringTimeout` instead.
* Errors come out as :class:`~plexlogin.errors.KeyringError` subclasses with plain words,
  never as ``keyring``/D-Bus exceptions, and never with the token in them.
* Never a plaintext fallback. ``keyrings.alt`` file backends, the ``fail`` and ``null``
  backends and anything keyring itself would not recommend (priority <= 0) are refused;
  plexlogin would rather say "no keyring" than leave a token in a file.

The backend is looked up with :func:`keyring.get_keyring` on every call, so tests (and
``--demo``) can swap it with :func:`keyring.set_keyring`.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Final, TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from . import DEMO_KEYRING_SERVICE, KEYRING_SERVICE
from .errors import (
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    KeyringWriteFailed,
)
from .i18n import N_, _, format_number, ngettext
from .secret import Token

_T = TypeVar("_T")

_NO_KEYRING_HELP: Final = N_(
    "No system keyring is available to keep the Plex token safe. "
    "Install and start GNOME Keyring or KWallet (or another Secret Service provider), "
    "make sure it is unlocked, and try again."
)
_LOCKED_HELP: Final = N_(
    "The system keyring is locked. Unlock it (for example in your desktop's "
    "Passwords and Keys app, or by signing in to the desktop again) and try again."
)
# Words that Secret Service providers and secretstorage use when a collection stays locked
# or its unlock prompt is dismissed; they arrive wrapped in several exception types.
_LOCKED_WORDS: Final = re.compile(r"dismiss|locked|unlock", re.IGNORECASE)
_LOCKED_EXCEPTION_NAMES: Final = frozenset({"LockedException", "PromptDismissedException"})


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives only in this process: nothing is ever written to disk.

    Used by tests (``keyring.set_keyring(MemoryKeyring())``) and by ``--demo`` when the
    machine has no usable OS keyring. Tokens vanish when the process exits.
    """

    #: Low, so it never outranks a real keyring if anyone compares priorities.
    priority = 0.1
    #: Not offered to keyring's automatic backend choice: a real ``plexlogin login`` on a
    #: machine without a keyring must fail loudly, not "store" a token that dies with it.
    viable = False
    #: What ``--verbose`` shows; keyring's default would be "tokens MemoryKeyring".
    name = "Memory Keyring (this process only)"

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self._entries: dict[tuple[str, str], str] = {}
        # The store's worker threads may call in concurrently (a timed-out call can still
        # be running when the next one starts).
        self._lock = threading.Lock()

    def get_password(self, service: str, username: str) -> str | None:
        """The stored value, or None."""
        with self._lock:
            return self._entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store (or replace) a value."""
        with self._lock:
            self._entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove a value; like the real backends, a missing one is a PasswordDeleteError."""
        with self._lock:
            if self._entries.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("No such password!")


class _SafeBackends:
    """The safe backends plexlogin may use, highest priority first.

    A :class:`~keyring.backends.chainer.ChainerBackend` is unfolded into its safe members
    and used directly, because the chainer itself would happily write to a plaintext
    member that happens to rank first.
    """

    def __init__(self, backends: Sequence[keyring.backend.KeyringBackend]) -> None:
        self._backends = tuple(backends)

    def __iter__(self) -> Iterator[keyring.backend.KeyringBackend]:
        return iter(self._backends)

    def get_password(self, service: str, username: str) -> str | None:
        for backend in self._backends:
            value = backend.get_password(service, username)
            if value is not None:
                return value
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._backends[0].set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> bool:
        """Remove the entry from every safe backend that has it; True if any had it."""
        removed = False
        for backend in self._backends:
            try:
                backend.delete_password(service, username)
            except keyring.errors.PasswordDeleteError:
                # Backends say "no such entry" with this error; only believe it if the entry
                # is really gone, so a genuine failure to delete is not reported as success.
                if backend.get_password(service, username) is not None:
                    raise
            else:
                removed = True
        return removed


def _refusal(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why plexlogin will not use ``backend`` on its own, or None if it is safe."""
    if isinstance(backend, MemoryKeyring):
        return None  # nothing on disk
    if any(cls.__module__.startswith("keyrings.alt") for cls in type(backend).__mro__):
        return "it keeps secrets in a file on disk (keyrings.alt)"
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return "it is keyring's placeholder for 'no keyring'"
    try:
        priority = float(backend.priority)
    except Exception as exc:
        # keyring's own way of saying "not usable here", e.g. no Secret Service daemon.
        return str(exc) or type(exc).__name__
    if priority <= 0:
        return "keyring does not recommend it (priority 0 or below)"
    return None


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    """A short human name such as ``SecretService Keyring``."""
    try:
        return str(backend.name)
    except Exception:
        return type(backend).__name__


def _safe_backends() -> _SafeBackends:
    """The backends to use for one call, or KeyringUnavailable if none is safe."""
    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        members = [member for member in backend.backends if _refusal(member) is None]
        if not members:
            raise KeyringUnavailable(_(_NO_KEYRING_HELP))
        return _SafeBackends(members)
    reason = _refusal(backend)
    if reason is not None:
        raise KeyringUnavailable(
            # TRANSLATORS: {help} is the sentence about installing a keyring; {backend} a
            # keyring backend's name such as "PlaintextKeyring"; {reason} why it is unsafe
            _("{help} (plexlogin will not use {backend}: {reason}.)").format(
                help=_(_NO_KEYRING_HELP), backend=_backend_name(backend), reason=reason
            )
        )
    return _SafeBackends([backend])


def _scrub(text: str, secret: str | None) -> str:
    """``text`` with the secret blanked out, in case a backend quoted it in an error."""
    return text.replace(secret, "<redacted>") if secret else text


def _looks_locked(exc: Exception) -> bool:
    """Whether ``exc`` means "the keyring stayed locked" (or its unlock prompt was dismissed)."""
    if isinstance(exc, keyring.errors.KeyringLocked):
        return True
    if any(cls.__name__ in _LOCKED_EXCEPTION_NAMES for cls in type(exc).__mro__):
        return True
    # Only trust the wording of errors from the keyring stack: "database is locked" from
    # some unrelated library does not mean an unlock prompt would help.
    module = type(exc).__module__
    from_keyring_stack = isinstance(exc, keyring.errors.KeyringError) or module.startswith(
        ("secretstorage", "jeepney")
    )
    return from_keyring_stack and bool(_LOCKED_WORDS.search(str(exc)))


def _translate(exc: Exception, failed: str, secret: str | None) -> KeyringError:
    """Turn whatever a backend raised into one of plexlogin's keyring errors."""
    if isinstance(exc, KeyringError):  # already ours (KeyringUnavailable from the checks)
        return exc
    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringUnavailable(_(_NO_KEYRING_HELP))
    if _looks_locked(exc):
        return KeyringLocked(_(_LOCKED_HELP))
    reason = _scrub(str(exc).strip() or type(exc).__name__, secret)
    if isinstance(exc, keyring.errors.InitError):
        # The keyring exists but could not be opened (D-Bus trouble, no default collection).
        return KeyringUnavailable(
            # TRANSLATORS: {reason} is the keyring library's own (English) words
            _(
                "The system keyring could not be opened: {reason}. "
                "Make sure GNOME Keyring or KWallet is running and unlocked, and try again."
            ).format(reason=reason)
        )
    return KeyringWriteFailed(failed.format(reason=reason))


class TokenStore:
    """Save, load and delete Plex tokens in the OS keyring, each call with a deadline.

    ``service`` is the keyring's service name (``plexlogin``, or ``plexlogin-demo`` for the
    simulator, so a demo never overwrites a real token); the username is the Plex account.
    """

    def __init__(self, service: str = KEYRING_SERVICE, *, timeout: float = 10.0) -> None:
        if not service:
            raise ValueError("the keyring service name must not be empty")
        if not timeout > 0:
            raise ValueError("the keyring timeout must be positive")
        self.service = service
        self.timeout = timeout

    def save(self, username: str, token: Token) -> None:
        """Store ``token`` for ``username``, replacing any earlier one."""
        _require_username(username)
        secret = token.reveal()
        self._call(
            # TRANSLATORS: {reason} is the keyring library's own (English) words
            _("The system keyring could not save the token: {reason}"),
            lambda: _safe_backends().set_password(self.service, username, secret),
            secret=secret,
        )

    def load(self, username: str) -> Token | None:
        """The token stored for ``username``, or None if there is none."""
        _require_username(username)
        value = self._call(
            _("The system keyring could not read the token: {reason}"),
            lambda: _safe_backends().get_password(self.service, username),
        )
        if not value:  # an empty entry is as good as none; Token refuses empty strings
            return None
        return Token(value)

    def delete(self, username: str) -> bool:
        """Remove the token for ``username``; True if one was removed, False if there was none."""
        _require_username(username)
        return self._call(
            _("The system keyring could not remove the token: {reason}"),
            lambda: _safe_backends().delete_password(self.service, username),
        )

    def backend_name(self) -> str:
        """The keyring in use, for ``--verbose`` (e.g. ``SecretService Keyring``).

        An unsafe backend is named too, marked as refused, since this is for diagnosis.
        """
        return self._call(
            _("The system keyring could not be identified: {reason}"), _backend_description
        )

    def lasting(self) -> bool:
        """Whether a saved token outlives this process: False only for :class:`MemoryKeyring`
        (``--demo`` without a system keyring), so nobody is told it is in the keyring."""
        with contextlib.suppress(KeyringError):
            backends = self._call(
                _("The system keyring could not be identified: {reason}"), _safe_backends
            )
            return not all(isinstance(backend, MemoryKeyring) for backend in backends)
        return True

    def locked(self) -> bool | None:
        """Whether the keyring is locked, asked without showing an unlock prompt.

        Only the Secret Service can say (its default collection's ``Locked`` property);
        None elsewhere, or when the answer does not come. A caller waiting for the person
        to unlock asks this instead of writing again: on the Secret Service every write to
        a locked collection opens another unlock prompt (keyring calls
        ``collection.unlock()`` itself), and the first one is all the person needs.
        """
        with contextlib.suppress(KeyringError):
            return self._call(
                _("The system keyring could not be checked: {reason}"), _secret_service_locked
            )
        return None

    def warm_up(self, wait: float = 0.5) -> None:
        """Find the keyring backend now, so the first save does not pay for it.

        Finding it (D-Bus, for the Secret Service) takes tens of milliseconds that would
        otherwise sit between approval and "saved". This waits at most ``wait`` seconds
        and ignores every failure: the save itself reports them, with its own timeout.
        """
        probe = TokenStore(self.service, timeout=wait)
        with contextlib.suppress(KeyringError):
            probe._call(_("The system keyring could not be found: {reason}"), keyring.get_keyring)

    def _call(self, failed: str, operation: Callable[[], _T], *, secret: str | None = None) -> _T:
        """Run ``operation`` in a daemon thread and wait at most ``self.timeout`` seconds.

        ``operation`` looks the backend up itself, inside the thread: the first lookup
        probes D-Bus, which can hang just like the call. On timeout the thread is abandoned
        (a daemon, so it cannot keep the program alive) and whatever it does later is
        ignored. ``failed`` is the whole sentence for a failure, its ``{reason}`` the
        keyring's own words; ``secret`` is scrubbed from them.
        """
        results: list[_T] = []
        errors: list[Exception] = []
        done = threading.Event()

        def work() -> None:
            try:
                results.append(operation())
            except Exception as exc:
                errors.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=work, name="plexlogin-keyring", daemon=True)
        thread.start()
        if not done.wait(self.timeout):
            raise KeyringTimeout(
                ngettext(
                    "The keyring did not answer within {count} s; "
                    "it may be waiting for an unlock prompt.",
                    "The keyring did not answer within {count} s; "
                    "it may be waiting for an unlock prompt.",
                    int(self.timeout),
                ).format(count=format_number(self.timeout))
            )
        if results:
            return results[0]
        if not errors:  # only a BaseException (never expected in a worker) gets here
            # TRANSLATORS: the reason a keyring call failed, when its thread just stopped
            raise KeyringWriteFailed(failed.format(reason=_("it stopped")))
        cause = errors[0]
        error = _translate(cause, failed, secret)
        quotes_secret = secret is not None and secret in f"{cause!s} {cause!r}"
        # Chain the backend's exception for --verbose tracebacks, unless it quotes the token.
        raise error from (None if quotes_secret or error is cause else cause)


def _backend_description() -> str:
    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        members = [_backend_name(m) for m in backend.backends if _refusal(m) is None]
        return f"{_backend_name(backend)} ({', '.join(members) or 'no safe keyring'})"
    reason = _refusal(backend)
    if reason is not None:
        return f"{_backend_name(backend)} (refused: {reason})"
    return _backend_name(backend)


def _secret_service_locked() -> bool | None:
    """The Secret Service collection's ``Locked`` property; None for other backends."""
    for backend in _safe_backends():
        if type(backend).__module__ != "keyring.backends.SecretService":
            continue
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            path = getattr(backend, "preferred_collection", None)
            if path:
                collection = secretstorage.Collection(connection, path)
            else:
                collection = secretstorage.get_default_collection(connection)
            return bool(collection.is_locked())
        finally:
            connection.close()
    return None


def _require_username(username: str) -> None:
    # keyring only warns about empty usernames (and tests turn warnings into errors);
    # an entry without an account name could never be found again anyway.
    if not username:
        raise ValueError("the keyring username must not be empty")


def use_memory_keyring_if_none(timeout: float = 10.0) -> bool:
    """For ``--demo`` only: fall back to :class:`MemoryKeyring` if no safe OS keyring works.

    Returns True when the in-memory keyring is in use afterwards (so the caller can tell
    the person the demo token will not outlive the process), False when a real keyring
    will be used. "Works" means a harmless read of the demo entry succeeds within
    ``timeout``: a locked keyring, or one stuck behind a hidden unlock prompt, would only
    spoil the demo.
    """

    def memory_only() -> bool:
        backends = _safe_backends()
        backends.get_password(DEMO_KEYRING_SERVICE, "demo")
        return all(isinstance(backend, MemoryKeyring) for backend in backends)

    try:
        in_memory = TokenStore(DEMO_KEYRING_SERVICE, timeout=timeout)._call(
            _("The system keyring could not be checked: {reason}"), memory_only
        )
    except KeyringError:
        keyring.set_keyring(MemoryKeyring())
        return True
    return in_memory
