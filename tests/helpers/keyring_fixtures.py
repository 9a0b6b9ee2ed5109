"""Keyring fakes and fixtures that swap the global keyring backend and put it back.

The root ``tests/conftest.py`` registers this module as a pytest plugin, so every test
asks for them by name and imports nothing::

    def test_something(memory_keyring: MemoryKeyring) -> None: ...

(The fixture functions are named ``fixture_*`` and registered under the short name, so a
fixture's parameter never shadows another fixture's function in this module.)

Every fake here sets ``viable = False``: keyring registers every ``KeyringBackend``
subclass it sees and would otherwise consider these for its automatic backend choice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import keyring
import keyring.backend
import keyring.core
import keyring.errors
import pytest

from plexlogin.tokens import MemoryKeyring

#: An obviously fake token; tests assert that it never shows up in messages.
FAKE_TOKEN = "fake-Plex-token-xyzzy-0123456789"


class HangingKeyring(keyring.backend.KeyringBackend):
    """Blocks in every call, like a keyring waiting on an unlock prompt nobody sees.

    ``release()`` lets the stuck calls finish, so a test leaves no blocked thread behind.
    """

    priority = 1
    viable = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._released = threading.Event()
        self.calls = 0

    def release(self) -> None:
        self._released.set()

    def _hang(self) -> None:
        self.calls += 1
        self._released.wait()

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        self._hang()


class FlakyKeyring(MemoryKeyring):
    """Refuses the first ``failures`` saves (PasswordSetError), then stores normally."""

    def __init__(self, failures: int = 1) -> None:
        super().__init__()
        self.failures = failures

    def set_password(self, service: str, username: str, password: str) -> None:
        """Fail while failures remain, like a read-only collection."""
        if self.failures > 0:
            self.failures -= 1
            raise keyring.errors.PasswordSetError("the collection is read-only")
        super().set_password(service, username, password)


class LockedKeyring(MemoryKeyring):
    """Refuses writes as locked (like keyring's Secret Service backend) until :meth:`unlock`."""

    def __init__(self) -> None:
        super().__init__()
        self.is_locked = True
        self.refused = 0

    def unlock(self) -> None:
        self.is_locked = False

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.is_locked:
            self.refused += 1
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        super().set_password(service, username, password)


class RaisingKeyring(keyring.backend.KeyringBackend):
    """Raises ``error`` from every call."""

    priority = 1
    viable = False

    def __init__(self, error: Exception) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


def _current_backend() -> keyring.backend.KeyringBackend | None:
    # Read keyring's private slot rather than calling get_keyring(): on a machine with no
    # backend chosen yet, get_keyring() would probe D-Bus just to be put back.
    backend: keyring.backend.KeyringBackend | None = keyring.core._keyring_backend
    return backend


@pytest.fixture(autouse=True, scope="session")
def _keyring_chosen_before_any_test() -> None:
    """keyring chooses its default backend once, here, before the first test.

    Left for later, the first lookup would choose it lazily, and a lookup still running
    in a finished sign-in's thread (the warm-up) could finish choosing after the next
    test installed its own backend, and replace it: a test that fails on other tests'
    timing. Chosen up front, no lookup ever chooses again.
    """
    keyring.get_keyring()


@pytest.fixture(name="use_keyring")
def fixture_use_keyring() -> Iterator[Callable[[keyring.backend.KeyringBackend], None]]:
    """A function that installs a keyring backend for this test; the old one returns after."""
    previous = _current_backend()
    hanging: list[HangingKeyring] = []

    def install(backend: keyring.backend.KeyringBackend) -> None:
        if isinstance(backend, HangingKeyring):
            hanging.append(backend)
        keyring.set_keyring(backend)

    try:
        yield install
    finally:
        for backend in hanging:
            backend.release()
        if previous is None:
            keyring.core._keyring_backend = None  # back to "not chosen yet"
        else:
            keyring.set_keyring(previous)


@pytest.fixture(name="memory_keyring")
def fixture_memory_keyring(
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> MemoryKeyring:
    """A fresh :class:`MemoryKeyring` installed as the keyring for this test."""
    backend = MemoryKeyring()
    use_keyring(backend)
    return backend
