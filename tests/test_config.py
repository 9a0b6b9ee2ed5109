"""config: the client identifier is made once and kept; a broken settings file never
stops anyone; saves are atomic and private."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import uuid
from pathlib import Path

import platformdirs
import pytest

from plexlogin.config import Config, config_dir, config_path, load_config, save_config
from plexlogin.errors import ConfigError

GOOD_ID = "0b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def permission_bits_stop_reading() -> bool:
    """False as root (or with CAP_DAC_OVERRIDE), where chmod 000 does not stop a read."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return True
        finally:
            probe.chmod(0o600)
    return False


not_root = pytest.mark.skipif(
    not permission_bits_stop_reading(), reason="permission bits are not enforced (root)"
)


def is_uuid4(text: str) -> bool:
    return str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    """Temp files a save may have left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "settings" / "config.json"


# --- where the file lives ------------------------------------------------------------------


def test_config_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLEXLOGIN_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert config_dir() == tmp_path / "elsewhere"
    assert config_path() == tmp_path / "elsewhere" / "config.json"

    config, warning = load_config()
    assert warning is None
    stored = json.loads((tmp_path / "elsewhere" / "config.json").read_text("utf-8"))
    assert stored["client_id"] == config.client_id


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_config_dir_defaults_to_the_platform_place(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("PLEXLOGIN_CONFIG_DIR", raising=False)
    else:
        monkeypatch.setenv("PLEXLOGIN_CONFIG_DIR", value)
    assert config_dir() == Path(platformdirs.user_config_dir("plexlogin", appauthor=False))


# --- the client identifier -----------------------------------------------------------------


def test_first_run_makes_a_uuid4_and_later_runs_reuse_it(path: Path) -> None:
    first, warning = load_config(path)
    assert warning is None
    assert is_uuid4(first.client_id)
    assert path.is_file()

    second, warning = load_config(path)
    assert warning is None
    assert second.client_id == first.client_id


def test_round_trip_keeps_every_field(path: Path) -> None:
    config = Config(GOOD_ID, "alice@example.com", "plexlogin", "alice@example.com")
    save_config(config, path)
    assert load_config(path) == (config, None)


def test_file_format_is_versioned_json_with_nothing_else(path: Path) -> None:
    save_config(Config(GOOD_ID, last_username="Ünïcode"), path)
    assert json.loads(path.read_text("utf-8")) == {
        "version": 1,
        "client_id": GOOD_ID,
        "last_username": "Ünïcode",
        "keyring_service": None,
        "keyring_username": None,
        "auth": None,
        "jwt_client_id": None,
    }


def test_unknown_keys_are_ignored(path: Path) -> None:
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 1, "client_id": GOOD_ID, "theme": "dark"}))
    assert load_config(path) == (Config(GOOD_ID), None)


# --- damaged files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00",
        b"[" * 200_000,
        b"[]",
        b'"just a string"',
        json.dumps({"version": 1, "client_id": 12345}).encode(),
        json.dumps({"version": 1, "client_id": "not-a-uuid"}).encode(),
        json.dumps({"version": 1, "client_id": None}).encode(),
        json.dumps({"version": 1}).encode(),
    ],
    ids=[
        "truncated",
        "empty",
        "binary",
        "deeply-nested",
        "array",
        "string",
        "id-number",
        "id-not-uuid",
        "id-null",
        "id-missing",
    ],
)
def test_damaged_file_is_replaced_with_a_warning(path: Path, content: bytes) -> None:
    path.parent.mkdir()
    path.write_bytes(content)

    config, warning = load_config(path)

    assert is_uuid4(config.client_id)
    assert warning is not None
    assert warning.startswith(f"The settings file {path} was damaged (")
    assert "has been replaced." in warning
    assert "new device" in warning  # the identifier was lost: say what that means
    # The replacement is a good file that gives the same identifier from now on.
    assert load_config(path) == (config, None)
    assert leftovers(path.parent) == []


def test_valid_fields_survive_a_damaged_file(path: Path) -> None:
    path.parent.mkdir()
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "client_id": GOOD_ID,
                "last_username": "alice",
                "keyring_service": 7,
                "keyring_username": "",
            }
        )
    )

    config, warning = load_config(path)

    assert config == Config(GOOD_ID, last_username="alice")
    assert warning == (
        f"The settings file {path} was damaged (invalid keyring_service; "
        "invalid keyring_username) and has been replaced."
    )
    assert load_config(path) == (config, None)


@pytest.mark.parametrize("version", [None, 2, "1", True])
def test_unknown_version_is_replaced_keeping_the_identifier(path: Path, version: object) -> None:
    path.parent.mkdir()
    document: dict[str, object] = {"client_id": GOOD_ID}
    if version is not None:
        document["version"] = version
    path.write_text(json.dumps(document))

    config, warning = load_config(path)

    assert config.client_id == GOOD_ID
    assert warning is not None and "unknown version" in warning
    assert json.loads(path.read_text("utf-8"))["version"] == 1


def test_a_directory_where_the_file_should_be(path: Path) -> None:
    (path / "something").mkdir(parents=True)

    config, warning = load_config(path)

    assert is_uuid4(config.client_id)
    assert warning is not None
    assert warning.startswith(f"The settings file {path} was damaged (unreadable: ")
    assert "could not be replaced" in warning
    assert "will not be remembered" in warning
    assert (path / "something").is_dir()  # never deletes what it does not understand
    assert leftovers(path.parent) == []


@posix_only
@not_root
def test_unreadable_file(path: Path) -> None:
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 1, "client_id": GOOD_ID}))
    path.chmod(0)

    config, warning = load_config(path)

    assert is_uuid4(config.client_id)
    assert warning is not None and "Permission denied" in warning
    assert load_config(path) == (config, None)  # replaced by a readable file


def test_settings_folder_blocked_by_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("PLEXLOGIN_CONFIG_DIR", str(blocker))

    config, warning = load_config()

    assert is_uuid4(config.client_id)
    assert warning is not None and "will not be remembered" in warning


def test_missing_file_that_cannot_be_created(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    # Simulates a read-only folder; chmod would not stop the root user these tests run as.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)

    config, warning = load_config(path)

    assert is_uuid4(config.client_id)
    assert warning == (
        f"The settings file {path} could not be created (Permission denied); "
        "settings will not be remembered after this run."
    )


@posix_only
@not_root
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        config, warning = load_config(folder / "config.json")
    finally:
        folder.chmod(0o700)
    assert is_uuid4(config.client_id)
    assert warning is not None and "could not be created" in warning


# --- saving --------------------------------------------------------------------------------


@posix_only
def test_new_folder_and_file_are_private(path: Path) -> None:
    previous = os.umask(0)  # even with a careless umask
    try:
        save_config(Config(GOOD_ID), path)
    finally:
        os.umask(previous)
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


@posix_only
def test_save_makes_an_existing_loose_file_private(path: Path) -> None:
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)
    save_config(Config(GOOD_ID), path)
    assert mode(path) == 0o600


@posix_only
def test_existing_folder_keeps_its_permissions(tmp_path: Path) -> None:
    # $PLEXLOGIN_CONFIG_DIR may point at a folder that is not ours to lock down.
    tmp_path.chmod(0o755)
    save_config(Config(GOOD_ID), tmp_path / "config.json")
    assert mode(tmp_path) == 0o755


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_save_leaves_the_old_file_whole(
    monkeypatch: pytest.MonkeyPatch, path: Path, failing: str
) -> None:
    old = Config(GOOD_ID, last_username="alice")
    save_config(old, path)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(ConfigError) as caught:
        save_config(Config(str(uuid.uuid4()), last_username="bob"), path)
    monkeypatch.undo()

    assert str(caught.value) == (
        f"Could not save the settings file {path}: No space left on device."
    )
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []
    assert load_config(path) == (old, None)


def test_save_uses_the_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLEXLOGIN_CONFIG_DIR", str(tmp_path))
    save_config(Config(GOOD_ID))
    assert load_config() == (Config(GOOD_ID), None)
