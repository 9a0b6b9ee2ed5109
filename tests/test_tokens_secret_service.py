"""TokenStore against a real Secret Service (GNOME Keyring), checked with ``secret-tool``.

Skipped unless PLEXLOGIN_TEST_SECRET_SERVICE=1, because it needs a D-Bus session with an
unlocked keyring; a locked one would show (or hang on) an unlock prompt. Run it with::

    export HOME=$(mktemp -d)
    dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock \\
        --components=secrets >/dev/null; PLEXLOGIN_TEST_SECRET_SERVICE=1 \\
        /work/venv/bin/pytest tests/test_tokens_secret_service.py -q'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable

import keyring.backend
import pytest

from plexlogin.secret import Token
from plexlogin.tokens import TokenStore

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(
        os.environ.get("PLEXLOGIN_TEST_SECRET_SERVICE") != "1",
        reason="set PLEXLOGIN_TEST_SECRET_SERVICE=1 inside an unlocked D-Bus session",
    ),
]

UseKeyring = Callable[[keyring.backend.KeyringBackend], None]


def secret_tool_lookup(service: str, username: str) -> str | None:
    """What ``secret-tool`` (libsecret, not Python) finds for the entry, or None."""
    tool = shutil.which("secret-tool")
    if tool is None:
        pytest.skip("secret-tool (libsecret-tools) is not installed")
    result = subprocess.run(
        [tool, "lookup", "service", service, "username", username],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    # secret-tool exits 1 with no output when nothing matches.
    return result.stdout if result.returncode == 0 else None


@pytest.fixture
def store(use_keyring: UseKeyring) -> TokenStore:
    from keyring.backends import SecretService

    # Set explicitly, so the test never silently runs against some other backend.
    use_keyring(SecretService.Keyring())  # type: ignore[no-untyped-call]
    # A service name of its own, so the test cannot touch a real plexlogin entry.
    return TokenStore(f"plexlogin-test-{uuid.uuid4()}", timeout=10)


def test_round_trip_through_the_real_secret_service(store: TokenStore) -> None:
    token = Token(f"fake-secret-service-token-{uuid.uuid4()}")
    assert store.backend_name() == "SecretService Keyring"
    assert store.load("alice") is None

    store.save("alice", token)
    try:
        assert store.load("alice") == token
        assert secret_tool_lookup(store.service, "alice") == token.reveal()
    finally:
        assert store.delete("alice") is True

    assert store.load("alice") is None
    assert secret_tool_lookup(store.service, "alice") is None
    assert store.delete("alice") is False


def test_a_device_key_round_trips_through_the_real_secret_service(store: TokenStore) -> None:
    from plexlogin.devicekey import DeviceKeyStore, key_service
    from plexlogin.jwtauth import DeviceKey

    keys = DeviceKeyStore(store.service)
    key = DeviceKey.generate()
    keys.save("alice", key)
    try:
        loaded = keys.load("alice")
        assert loaded is not None and loaded.kid == key.kid
        assert secret_tool_lookup(key_service(store.service), "alice") == key.secret().reveal()
        assert store.load("alice") is None  # its own entry, never the token's
    finally:
        assert keys.delete("alice") is True
