"""A whole sign-in by the real program into the real Secret Service (GNOME Keyring).

Skipped unless PLEXLOGIN_TEST_SECRET_SERVICE=1 inside an unlocked D-Bus session (see
.ci/checks). The child uses keyring's own choice of backend, as on a person's desktop.
The token must be findable by libsecret (``secret-tool``), and appear in no file in
plain text: not in the config folder, and not in the keyring's own files under HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from plexlogin.simulator import Simulator

from .harness import SERVICE, Child, approve_when_shown, finish, scan_for

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("PLEXLOGIN_TEST_SECRET_SERVICE") != "1",
        reason="set PLEXLOGIN_TEST_SECRET_SERVICE=1 inside an unlocked D-Bus session",
    ),
]


def real_keyring_env(child: Child) -> dict[str, str]:
    env = child.env()
    for name in ("PYTHON_KEYRING_BACKEND", "PLEXLOGIN_TEST_KEYRING_SOCKET"):
        env.pop(name, None)
    # the D-Bus session and the keyring daemon belong to the real HOME of this run
    env["HOME"] = os.environ.get("HOME", env["HOME"])
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env.pop(name, None)
    return env


def _looked_up(tool: str, username: str) -> str:
    """What libsecret's ``secret-tool`` finds for ``username`` (as another program would)."""
    found = subprocess.run(
        [tool, "lookup", "service", SERVICE, "username", username],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return found.stdout


def test_sign_in_into_gnome_keyring_and_out_again(
    child: Child, simulator: Simulator, tmp_path: Path
) -> None:
    tool = shutil.which("secret-tool")
    if tool is None:
        pytest.skip("secret-tool (libsecret-tools) is not installed")
    env = real_keyring_env(child)
    process = child.login("-v", "--keyring-username", "hardening", env=env)
    token = approve_when_shown(simulator, username="hardening")
    result = finish(process)
    result.assert_clean()
    assert result.returncode == 0, result.stderr
    try:
        assert _looked_up(tool, "hardening") == token
        assert child.run("token", env=env).stdout == token + "\n"
        keyring_files = Path(env["HOME"]) / ".local/share/keyrings"
        assert scan_for(token, [tmp_path, keyring_files]) == []
    finally:
        assert child.run("logout", env=env).returncode == 0
    assert child.run("token", env=env).returncode == 1


def _unlock_with_password(password: str) -> None:
    """Unlock the login collection the way the desktop's sign-in does (no prompt needed)."""
    import secretstorage
    from secretstorage.util import DBusAddressWrapper, format_secret, open_session

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        secret = format_secret(open_session(connection), password.encode(), "text/plain")
        internal = DBusAddressWrapper(
            "/org/freedesktop/secrets",
            "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
            connection,
        )
        internal.call("UnlockWithMasterPassword", "o(oayays)", collection.collection_path, secret)
        assert not collection.is_locked()
    finally:
        connection.close()


def _lock() -> None:
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        collection.lock()
        assert collection.is_locked()
    finally:
        connection.close()


def test_a_gnome_keyring_locked_for_seconds_after_approval_gets_the_token(
    child: Child, simulator: Simulator
) -> None:
    password = os.environ.get("PLEXLOGIN_TEST_KEYRING_PASSWORD")
    tool = shutil.which("secret-tool")
    if not password or tool is None:
        pytest.skip("needs PLEXLOGIN_TEST_KEYRING_PASSWORD (the keyring's) and secret-tool")
    env = real_keyring_env(child)
    _lock()  # the desktop locked it; with no display its unlock prompt cannot even show
    try:
        process = child.login("--keyring-username", "locked", env=env)
        token = approve_when_shown(simulator, username="locked")
        time.sleep(8)
        unlocked = time.monotonic()
        _unlock_with_password(password)
        result = finish(process)
        took = time.monotonic() - unlocked
    finally:
        _unlock_with_password(password)
    result.assert_clean()
    assert result.returncode == 0, result.stderr
    assert "Unlock your keyring; waiting…" in result.stderr
    assert took < 5, "the token landed soon after the keyring opened"
    try:
        assert _looked_up(tool, "locked") == token
    finally:
        assert child.run("logout", env=env).returncode == 0
