"""TokenStore: round trips, deadlines, error translation and the no-plaintext rule."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

import keyring.backend
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from plexlogin import DEMO_KEYRING_SERVICE, KEYRING_SERVICE
from plexlogin.errors import (
    KeyringError,
    KeyringLocked,
    KeyringTimeout,
    KeyringUnavailable,
    KeyringWriteFailed,
)
from plexlogin.secret import Token
from plexlogin.tokens import (
    MemoryKeyring,
    TokenStore,
    use_memory_keyring_if_none,
)
from tests.helpers.keyring_fixtures import FAKE_TOKEN, HangingKeyring, RaisingKeyring

UseKeyring = Callable[[keyring.backend.KeyringBackend], None]
TOKEN = Token(FAKE_TOKEN)


def assert_no_token(error: BaseException) -> None:
    """Neither the message, the repr nor a --verbose traceback may show the token."""
    shown = "".join(traceback.format_exception(error)) + repr(error) + str(error)
    assert FAKE_TOKEN not in shown


# --- fakes ---------------------------------------------------------------------------------


class RecordingKeyring(keyring.backend.KeyringBackend):
    """An in-memory backend that counts writes. Deliberately not a MemoryKeyring (which
    plexlogin trusts by type), so it is judged like any third-party backend."""

    priority: float = 1
    viable = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


class FakePlaintextKeyring(RecordingKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (keyrings.alt is not installed).

    plexlogin recognises keyrings.alt by the module its classes come from, and that
    backend's priority is positive (0.5), so only the module gives it away.
    """

    __module__ = "keyrings.alt.file"
    priority = 0.5


class ZeroPriorityKeyring(RecordingKeyring):
    priority = 0


class NotHereKeyring(RecordingKeyring):
    """A backend whose priority says "not on this machine", the way keyring's own do."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("The Secret Service daemon is neither running nor activatable")


# --- round trips ---------------------------------------------------------------------------


def test_save_load_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    assert store.load("alice") is None

    store.save("alice", TOKEN)
    assert store.load("alice") == TOKEN
    assert memory_keyring.get_password(KEYRING_SERVICE, "alice") == FAKE_TOKEN

    assert store.delete("alice") is True
    assert store.load("alice") is None
    assert store.delete("alice") is False


def test_save_replaces_the_earlier_token(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore()
    store.save("alice", Token("fake-old"))
    store.save("alice", TOKEN)
    assert store.load("alice") == TOKEN


def test_services_are_kept_apart(memory_keyring: MemoryKeyring) -> None:
    TokenStore(DEMO_KEYRING_SERVICE).save("alice", Token("fake-demo"))
    assert TokenStore(KEYRING_SERVICE).load("alice") is None
    assert TokenStore(DEMO_KEYRING_SERVICE).load("alice") == Token("fake-demo")


def test_empty_stored_value_counts_as_none(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "alice", "")
    assert TokenStore().load("alice") is None


def test_empty_username_is_refused(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        TokenStore().save("", TOKEN)


def test_memory_keyring_is_never_chosen_automatically() -> None:
    # A real sign-in without an OS keyring must fail, not keep the token in memory.
    assert MemoryKeyring not in set(keyring.backend.KeyringBackend.get_viable_backends())


# --- deadlines -----------------------------------------------------------------------------


STORE_CALLS: list[Callable[[TokenStore], object]] = [
    lambda store: store.save("alice", TOKEN),
    lambda store: store.load("alice"),
    lambda store: store.delete("alice"),
]
STORE_CALL_IDS = ["save", "load", "delete"]


def assert_times_out_quickly(call: Callable[[TokenStore], object]) -> None:
    started = time.monotonic()
    with pytest.raises(KeyringTimeout) as caught:
        call(TokenStore(timeout=0.2))
    assert time.monotonic() - started < 2.0
    assert str(caught.value) == (
        "The keyring did not answer within 0.2 s; it may be waiting for an unlock prompt."
    )
    assert_no_token(caught.value)


@pytest.mark.parametrize("call", STORE_CALLS, ids=STORE_CALL_IDS)
def test_hanging_keyring_times_out_quickly(
    use_keyring: UseKeyring, call: Callable[[TokenStore], object]
) -> None:
    hanging = HangingKeyring()
    use_keyring(hanging)
    assert_times_out_quickly(call)
    assert hanging.calls == 1


@pytest.mark.parametrize(
    "call",
    [*STORE_CALLS, lambda store: store.backend_name()],
    ids=[*STORE_CALL_IDS, "backend_name"],
)
def test_hanging_backend_lookup_times_out_quickly(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[TokenStore], object]
) -> None:
    # keyring's first get_keyring() probes D-Bus, which can hang as badly as a call.
    released = threading.Event()

    def stuck_lookup() -> keyring.backend.KeyringBackend:
        released.wait()
        raise keyring.errors.NoKeyringError("gave up")

    monkeypatch.setattr(keyring, "get_keyring", stuck_lookup)
    try:
        assert_times_out_quickly(call)
    finally:
        released.set()


def test_defaults() -> None:
    store = TokenStore()
    assert (store.service, store.timeout) == ("plexlogin", 10.0)
    with pytest.raises(ValueError):
        TokenStore(timeout=0)


# --- error translation ---------------------------------------------------------------------


class LockedException(Exception):
    """Named like secretstorage.exceptions.LockedException, which escapes keyring unwrapped."""


LockedException.__module__ = "secretstorage.exceptions"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (keyring.errors.NoKeyringError("No recommended backend"), KeyringUnavailable),
        (keyring.errors.KeyringLocked("Failed to unlock the collection!"), KeyringLocked),
        (keyring.errors.PasswordSetError("Prompt dismissed"), KeyringLocked),
        (keyring.errors.InitError("Failed to unlock the collection!"), KeyringLocked),
        (LockedException("Item is locked!"), KeyringLocked),
        (
            keyring.errors.InitError(
                "Failed to create the collection: org.freedesktop.DBus.Error.ServiceUnknown."
            ),
            KeyringUnavailable,
        ),
        (keyring.errors.PasswordSetError("the disk is full"), KeyringWriteFailed),
        (OSError("I/O error"), KeyringWriteFailed),
        (RuntimeError(), KeyringWriteFailed),
    ],
    ids=[
        "NoKeyringError",
        "KeyringLocked",
        "PasswordSetError-prompt-dismissed",
        "InitError-unlock-failed",
        "secretstorage-LockedException",
        "InitError-no-service",
        "PasswordSetError",
        "OSError",
        "RuntimeError-without-text",
    ],
)
def test_backend_errors_become_plain_typed_errors(
    use_keyring: UseKeyring, raised: Exception, expected: type[KeyringError]
) -> None:
    use_keyring(RaisingKeyring(raised))
    store = TokenStore(timeout=5)
    for call in (
        lambda: store.save("alice", TOKEN),
        lambda: store.load("alice"),
        lambda: store.delete("alice"),
    ):
        with pytest.raises(KeyringError) as caught:
            call()
        assert type(caught.value) is expected
        message = str(caught.value)
        assert message and message[0].isupper() and "Traceback" not in message
        assert_no_token(caught.value)


def test_unavailable_message_says_what_to_do(use_keyring: UseKeyring) -> None:
    use_keyring(RaisingKeyring(keyring.errors.NoKeyringError("No recommended backend")))
    with pytest.raises(KeyringUnavailable) as caught:
        TokenStore().save("alice", TOKEN)
    message = str(caught.value)
    assert message.startswith("No system keyring is available")
    assert "GNOME Keyring or KWallet" in message


def test_write_failure_gives_the_reason(use_keyring: UseKeyring) -> None:
    use_keyring(RaisingKeyring(keyring.errors.PasswordSetError("the disk is full")))
    with pytest.raises(KeyringWriteFailed) as caught:
        TokenStore().save("alice", TOKEN)
    assert str(caught.value) == "The system keyring could not save the token: the disk is full"
    # Kept for --verbose: the backend's own exception is chained.
    assert isinstance(caught.value.__cause__, keyring.errors.PasswordSetError)


def test_backend_that_quotes_the_token_is_scrubbed(use_keyring: UseKeyring) -> None:
    use_keyring(RaisingKeyring(ValueError(f"cannot store {FAKE_TOKEN!r}: too long")))
    with pytest.raises(KeyringWriteFailed) as caught:
        TokenStore().save("alice", TOKEN)
    assert "<redacted>" in str(caught.value)
    assert caught.value.__cause__ is None  # the original would show the token in a traceback
    assert_no_token(caught.value)


def test_delete_that_fails_on_an_existing_entry_is_an_error(use_keyring: UseKeyring) -> None:
    class RefusesToDelete(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("access denied")

    backend = RefusesToDelete()
    backend.set_password(KEYRING_SERVICE, "alice", FAKE_TOKEN)
    use_keyring(backend)
    with pytest.raises(KeyringWriteFailed) as caught:
        TokenStore().delete("alice")
    assert "access denied" in str(caught.value)
    assert_no_token(caught.value)


# --- no plaintext, ever --------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_backend",
    [FakePlaintextKeyring, fail.Keyring, null.Keyring, ZeroPriorityKeyring, NotHereKeyring],
    ids=["keyrings.alt plaintext", "fail", "null", "priority 0", "priority raises"],
)
def test_unsafe_backends_are_refused(
    use_keyring: UseKeyring, make_backend: Callable[[], keyring.backend.KeyringBackend]
) -> None:
    backend = make_backend()
    use_keyring(backend)
    store = TokenStore()
    for call in (
        lambda: store.save("alice", TOKEN),
        lambda: store.load("alice"),
        lambda: store.delete("alice"),
    ):
        with pytest.raises(KeyringUnavailable) as caught:
            call()
        assert str(caught.value).startswith("No system keyring is available")
        assert_no_token(caught.value)
    assert getattr(backend, "writes", 0) == 0
    assert "refused" in store.backend_name()


def make_chainer(*members: keyring.backend.KeyringBackend) -> chainer.ChainerBackend:
    class FixedChainer(chainer.ChainerBackend):
        viable = False  # keep keyring's own backend discovery from picking it up
        backends = members  # fixed, instead of discovered

    return FixedChainer()


def test_chainer_uses_only_its_safe_members(use_keyring: UseKeyring) -> None:
    plaintext = FakePlaintextKeyring()
    safe = RecordingKeyring()
    # The plaintext member ranks first, so the chainer on its own would write there.
    use_keyring(make_chainer(plaintext, safe))
    store = TokenStore()

    store.save("alice", TOKEN)
    assert store.load("alice") == TOKEN
    assert plaintext.writes == 0
    assert safe.writes == 1
    assert store.backend_name().endswith("FixedChainer (test tokens RecordingKeyring)")
    assert store.delete("alice") is True
    assert store.delete("alice") is False


def test_chainer_without_safe_members_is_unavailable(use_keyring: UseKeyring) -> None:
    use_keyring(make_chainer(FakePlaintextKeyring(), null.Keyring()))
    with pytest.raises(KeyringUnavailable):
        TokenStore().save("alice", TOKEN)


# --- backend_name and --demo ---------------------------------------------------------------


def test_backend_name(memory_keyring: MemoryKeyring) -> None:
    assert TokenStore().backend_name() == "Memory Keyring (this process only)"


def test_demo_falls_back_to_memory_when_no_safe_keyring(use_keyring: UseKeyring) -> None:
    use_keyring(fail.Keyring())
    assert use_memory_keyring_if_none() is True
    assert isinstance(keyring.get_keyring(), MemoryKeyring)
    TokenStore(DEMO_KEYRING_SERVICE).save("demo", TOKEN)
    assert TokenStore(DEMO_KEYRING_SERVICE).load("demo") == TOKEN


def test_demo_falls_back_to_memory_when_keyring_hangs(use_keyring: UseKeyring) -> None:
    use_keyring(HangingKeyring())
    assert use_memory_keyring_if_none(timeout=0.2) is True
    assert isinstance(keyring.get_keyring(), MemoryKeyring)


def test_demo_keeps_an_installed_memory_keyring(memory_keyring: MemoryKeyring) -> None:
    assert use_memory_keyring_if_none() is True
    assert keyring.get_keyring() is memory_keyring


def test_demo_uses_the_real_keyring_when_there_is_one(use_keyring: UseKeyring) -> None:
    backend = RecordingKeyring()
    use_keyring(backend)
    assert use_memory_keyring_if_none() is False
    assert keyring.get_keyring() is backend
    assert backend.writes == 0  # the check only looks
