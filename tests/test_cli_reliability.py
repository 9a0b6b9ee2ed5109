"""The command line's answers to the reliability faults: a demo aimed at a real entry,
hostile names from the server, a config path that is not a file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import fail

from plexlogin.config import CONFIG_DIR_ENV, CONFIG_FILE_NAME
from plexlogin.simulator import Simulator
from plexlogin.text import for_terminal
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.keyring_fixtures import RaisingKeyring
from tests.test_cli import json_line, run_main


@pytest.mark.parametrize("service", ["plexlogin", "my-wizard"])
def test_the_demo_refuses_to_write_into_a_real_entry(
    service: str, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_keyring.set_password(service, "alice", "real-token-of-alice")
    argv = ["login", "--demo", "--terminal", "--json", "--keyring-service", service]
    code, out, err = run_main([*argv, "--keyring-username", "alice"], capsys)
    assert code == 2
    data = json_line(out)
    assert data["status"] == "error" and "--demo" in str(data["error"])
    assert "plexlogin-demo" in err and "Traceback" not in err
    assert memory_keyring.get_password(service, "alice") == "real-token-of-alice"


#: a username as an attacker (or a broken proxy) might send it: a new window title, a
#: hyperlink, a colour, a line rewrite and a right-to-left override
HOSTILE = "\x1b]0;pwned\x07\x1b]8;;https://evil\x1b\\ali\x1b[31mce\rX\u202etxt.exe"
HOSTILE_SHOWN = for_terminal(HOSTILE)


def _approve_as(sim: Simulator, username: str) -> threading.Thread:
    def approve() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pending = [pin for pin in sim.pins() if not pin.approved and not pin.strong]
            if pending:
                sim.approve(pending[0].id, username=username)
                return
            time.sleep(0.02)

    thread = threading.Thread(target=approve, daemon=True)
    thread.start()
    return thread


def _no_escapes(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text and "\x07" not in text


def test_a_hostile_username_never_reaches_the_terminal_raw(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    _approve_as(simulator, HOSTILE)
    url = ["--plex-url", simulator.url]
    code, out, err = run_main(["--terminal", *url, "--json", "-v"], capsys)
    assert code == 0, err
    _no_escapes(err)
    assert f"Signed in as {HOSTILE_SHOWN}." in err
    data = json_line(out)
    assert data["username"] == HOSTILE, "the JSON line keeps the real value (escaped by JSON)"
    assert "\x1b" not in out and "\\u001b" in out
    # the entry's name is the printable one, and the JSON line says exactly which
    assert data["keyring_username"] == HOSTILE_SHOWN
    assert memory_keyring.get_password("plexlogin", HOSTILE_SHOWN)

    code, out, err = run_main(["status", *url], capsys)
    assert code == 0 and out == f"Signed in as {HOSTILE_SHOWN}; plex.tv accepts the stored token.\n"
    code, out, err = run_main(["logout"], capsys)
    assert code == 0 and out == f"Removed the token of {HOSTILE_SHOWN} from the keyring.\n"


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_config_path_that_is_not_a_file_never_blocks_status(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv(CONFIG_DIR_ENV, str(folder))
    if kind == "fifo":
        os.mkfifo(folder / CONFIG_FILE_NAME)
    else:
        (folder / CONFIG_FILE_NAME).symlink_to("/dev/zero")  # endless bytes
    results: list[tuple[int, str, str]] = []
    worker = threading.Thread(
        target=lambda: results.append(run_main(["status", "--json"], capsys)), daemon=True
    )
    worker.start()
    worker.join(10)
    if not results:
        if kind == "fifo":  # let the stuck open go, so the test ends
            with open(folder / CONFIG_FILE_NAME, "wb"):
                pass
        worker.join(5)
        pytest.fail("status blocked on the settings path")
    code, out, err = results[0]
    assert code == 1 and json_line(out)["status"] == "missing"
    assert "not a regular file" in err and "has been replaced" in err
    assert (folder / CONFIG_FILE_NAME).is_file() and not (folder / CONFIG_FILE_NAME).is_symlink()


def test_a_demo_without_a_system_keyring_says_where_the_token_really_went(
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_keyring(fail.Keyring())  # a headless machine: no Secret Service
    monkeypatch.setattr("plexlogin.cli.DEMO_AUTO_APPROVE", 0.3)
    code, out, err = run_main(["--demo", "--terminal", "--json"], capsys)
    assert code == 0, err
    assert "keeps its (fake) token in memory only" in err
    assert "Token saved in memory only, for this run (service plexlogin-demo" in err
    assert "system keyring (service" not in err
    assert json_line(out)["keyring_service"] == "plexlogin-demo"


def test_a_real_keyring_is_named_as_such(memory_keyring: MemoryKeyring) -> None:
    assert not TokenStore("plexlogin-test").lasting()
    keyring.set_keyring(RaisingKeyring(RuntimeError()))  # any other: a lasting one
    assert TokenStore("plexlogin-test").lasting()
