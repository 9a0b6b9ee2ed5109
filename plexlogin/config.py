"""The installation's client identifier and the other non-secret settings.

plex.tv binds every token to the ``X-Plex-Client-Identifier`` that asked for it, so the
identifier is a UUID made once per installation and kept in ``config.json``: a new one per
run gets stored tokens rejected and mails the person a "New Device" alert each time.

The file holds no secrets, ever (tokens live in the keyring, see :mod:`plexlogin.tokens`).
Reading it never fails: a damaged file is replaced and the person gets a warning, because
a broken settings file must not stand between someone and signing in.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from .errors import ConfigError
from .i18n import _

CONFIG_DIR_ENV: Final = "PLEXLOGIN_CONFIG_DIR"
CONFIG_FILE_NAME: Final = "config.json"
CONFIG_VERSION: Final = 1
#: far more than any settings file plexlogin writes; a bigger file is not ours
_MOST_BYTES: Final = 1 << 20

# The hyphenated 8-4-4-4-12 form only. uuid.UUID() also accepts braces, "urn:uuid:" and bare
# hex, but plex.tv compares the identifier as a string, so one we would have to rewrite is
# as good as lost.
_UUID_FORM: Final = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_OPTIONAL_TEXT_FIELDS: Final = (
    "last_username",
    "keyring_service",
    "keyring_username",
    "auth",
    "jwt_client_id",
)


@dataclass
class Config:
    """Settings kept between runs. Nothing here is secret."""

    #: UUID4 made once per installation; plex.tv binds tokens to it.
    client_id: str
    #: The Plex account that signed in last.
    last_username: str | None = None
    #: Where the last token went, so ``token``/``status``/``logout`` work without flags.
    keyring_service: str | None = None
    keyring_username: str | None = None
    #: What that entry holds: "legacy" or "jwt" (a Plex JWT, renewed with the device key).
    auth: str | None = None
    #: The client identifier the stored Plex JWT was issued to (renewals speak as it).
    jwt_client_id: str | None = None


def new_client_id() -> str:
    """A fresh client identifier (random UUID4, canonical lowercase form)."""
    import uuid  # here, not at start-up: only a first run makes one

    return str(uuid.uuid4())


def config_dir() -> Path:
    """The settings folder: ``$PLEXLOGIN_CONFIG_DIR`` if set, else the platform's usual place."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # here: the override above is the usual case in tests and wizards

    # appauthor=False: on Windows, "%LOCALAPPDATA%\\plexlogin" rather than "plexlogin\\plexlogin".
    return Path(platformdirs.user_config_dir("plexlogin", appauthor=False))


def config_path() -> Path:
    """The settings file, ``config_dir() / "config.json"``."""
    return config_dir() / CONFIG_FILE_NAME


def load_config(path: Path | None = None) -> tuple[Config, str | None]:
    """Read the settings; never raises for a missing or broken file.

    Returns the settings and, if something was wrong, a sentence for the person. A missing
    file is created with a fresh client identifier. A damaged one (unreadable, not JSON,
    wrong types, invalid identifier) is replaced, keeping every field that was still valid,
    so one bad value does not cost the identifier. If the new file cannot be written the
    settings still work for this run and the warning says they will not be remembered.
    """
    path = config_path() if path is None else path
    return _load(path, may_create=True)


def _load(path: Path, *, may_create: bool) -> tuple[Config, str | None]:
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        if not may_create:  # made by another plexlogin and deleted again at once: odd
            return Config(client_id=new_client_id()), _(
                "The settings file {path} vanished while it was being read; "
                "settings will not be remembered after this run."
            ).format(path=path)
        config = Config(client_id=new_client_id())
        try:
            created = _write(config, path, exclusive=True)
        except OSError as exc:
            # TRANSLATORS: {reason} is the operating system's words, e.g. "Permission denied"
            return config, _(
                "The settings file {path} could not be created ({reason}); "
                "settings will not be remembered after this run."
            ).format(path=path, reason=_reason(exc))
        if not created:
            # Another plexlogin started at the same moment and made the file first. Its
            # identifier must win: two would leave a token bound to one identifier while
            # the file names the other, and plex.tv then rejects the stored token.
            return _load(path, may_create=False)
        return config, None
    except OSError as exc:  # a directory in its place, no permission, I/O error
        parsed = _Parsed(Config(client_id=new_client_id()), [f"unreadable: {_reason(exc)}"])
    else:
        parsed = _parse(raw)
    if not parsed.problems:
        return parsed.config, None
    return parsed.config, _replace_damaged(path, parsed)


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file; raises OSError otherwise.

    Opened without blocking: a FIFO at the config path would otherwise wait for a writer
    forever (and ``status`` with it), and a device could be read without end. The check is
    on the opened file (fstat), so nothing can be swapped in between checking and reading.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        raw = stream.read(_MOST_BYTES + 1)
    if len(raw) > _MOST_BYTES:
        raise OSError(errno.EFBIG, "too large to be plexlogin's settings")
    return raw


def save_config(config: Config, path: Path | None = None) -> None:
    """Write the settings atomically (temp file + ``os.replace``); raises ConfigError.

    The folder is created private (0700) and the file is 0600: nothing in it is secret, but
    the account name and client identifier are nobody else's business either. An existing
    folder keeps its permissions, since ``$PLEXLOGIN_CONFIG_DIR`` may point anywhere.
    """
    path = config_path() if path is None else path
    try:
        _write(config, path)
    except OSError as exc:
        raise ConfigError(
            _("Could not save the settings file {path}: {reason}.").format(
                path=path, reason=_reason(exc)
            )
        ) from exc


def _write(config: Config, path: Path, *, exclusive: bool = False) -> bool:
    """save_config without the error translation; raises OSError.

    With ``exclusive``, an existing file is left alone and False returned: the whole new
    file appears at once (a hard link to the finished temp file) or not at all, so a
    plexlogin reading at the same moment never sees half of it.
    """
    document = {"version": CONFIG_VERSION, **asdict(config)}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp makes the file 0600, in the same folder so that os.replace is atomic: a crash
    # mid-write leaves the old file whole, never half of a new one.
    import tempfile  # here, off the path to the window's first paint

    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if exclusive and _link(temp_name, path):
            os.unlink(temp_name)
            return True
        if exclusive and path.exists():
            os.unlink(temp_name)
            return False
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return True


def _link(source: str, target: Path) -> bool:
    """Hard-link ``source`` as ``target``: True if done, False if the filesystem cannot."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:  # no hard links here (FAT, some network mounts): fall back to replace
        return False
    return True


@dataclass
class _Parsed:
    """What _parse made of a file: usable settings, and what was wrong (empty if nothing)."""

    config: Config
    problems: list[str]
    #: False when the stored client identifier had to be replaced by a new one.
    kept_client_id: bool = False


def _parse(raw: bytes) -> _Parsed:
    """The settings in ``raw``. Invalid fields are dropped, an invalid identifier replaced."""
    try:
        document: Any = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or absurdly nested
        return _Parsed(Config(client_id=new_client_id()), ["not valid JSON"])
    if not isinstance(document, dict):
        return _Parsed(Config(client_id=new_client_id()), ["not a JSON object"])

    problems: list[str] = []
    version = document.get("version")
    if version != CONFIG_VERSION or isinstance(version, bool):
        problems.append(f"unknown version {version!r}")

    stored_id = document.get("client_id")
    if isinstance(stored_id, str) and _UUID_FORM.fullmatch(stored_id):
        config, kept_client_id = Config(client_id=stored_id), True
    else:
        problems.append("invalid client_id")
        config, kept_client_id = Config(client_id=new_client_id()), False

    for field in _OPTIONAL_TEXT_FIELDS:
        value = document.get(field)
        if value is None or (isinstance(value, str) and value):
            setattr(config, field, value)
        else:
            problems.append(f"invalid {field}")
    return _Parsed(config, problems, kept_client_id)


def _replace_damaged(path: Path, parsed: _Parsed) -> str:
    """Write the salvaged settings over a damaged file; the warning for the person."""
    # the problems name the file's fields ("invalid client_id"): technical, kept as they are
    problems = "; ".join(parsed.problems)
    try:
        _write(parsed.config, path)
    except OSError as exc:
        # TRANSLATORS: {problems} names the file's damaged fields; {reason} is the OS's words
        warning = _(
            "The settings file {path} was damaged ({problems}) and could not be replaced "
            "({reason}); settings will not be remembered after this run."
        ).format(path=path, problems=problems, reason=_reason(exc))
    else:
        warning = _("The settings file {path} was damaged ({problems}) and has been replaced.")
        warning = warning.format(path=path, problems=problems)
    if not parsed.kept_client_id:
        new_device = _(
            "plex.tv will see this computer as a new device, so you may have to sign in again."
        )
        warning = f"{warning} {new_device}"
    return warning


def _reason(exc: OSError) -> str:
    """The OS's words for an error, without Python's "[Errno 2]" decoration."""
    return exc.strerror or str(exc)
