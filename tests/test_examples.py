"""The integration guide's examples run, unchanged, against the simulator: the guide cannot rot.

Each one runs as a wizard would run it, in a process of its own; plexlogin finds the
simulator through ``PLEXLOGIN_PLEX_URL`` and keeps the token in the test's keyring server,
which every process of the run shares like a real Secret Service. (The PySide6 wizard
page is driven in-process: tests/gui/test_examples_qt.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plexlogin.simulator import Simulator
from tests.helpers.qr_decode import decode_qr_picture, matrix_picture
from tests.helpers.socket_keyring import KeyringServer, keyring_server

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture
def keyring_srv() -> Iterator[KeyringServer]:
    with keyring_server() as server:
        yield server


@pytest.fixture
def wizard_env(
    tmp_path: Path, make_sim: Callable[..., Simulator], keyring_srv: KeyringServer
) -> dict[str, str]:
    """A wizard's environment: plexlogin on PATH, the simulator as plex.tv, a private
    config, the shared test keyring, and an offscreen display for the window."""
    sim = make_sim(auto_approve_after=0.3)
    env = dict(os.environ)
    env.update(keyring_srv.env())
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PLEXLOGIN_PLEX_URL=sim.url,
        PLEXLOGIN_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT),  # the child's keyring backend is tests.helpers.socket_keyring
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_subprocess_example_signs_in_once_then_finds_the_token(
    wizard_env: dict[str, str], keyring_srv: KeyringServer
) -> None:
    example = [sys.executable, str(EXAMPLES / "launch_plexlogin.py")]
    first = run(example, wizard_env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "Signed in as demo-user.",
        f"Read the token from the keyring ({len(token(keyring_srv))} characters).",
    ]
    again = run(example, wizard_env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == "Already signed in as demo-user."
    assert len(keyring_srv.ops("set")) == 1, "the person was not asked twice"


@pytest.mark.skipif(shutil.which("jq") is None, reason="the shell example needs jq")
def test_the_shell_example_signs_in_once_then_finds_the_token(
    wizard_env: dict[str, str], keyring_srv: KeyringServer
) -> None:
    example = ["sh", str(EXAMPLES / "wizard.sh")]
    first = run(example, wizard_env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "Signed in as demo-user.",
        f"Read the token ({len(token(keyring_srv))} characters).",
    ]
    again = run(example, wizard_env)
    assert again.stdout.splitlines()[0] == "Already signed in as demo-user.", again.stderr
    assert token(keyring_srv) not in first.stdout + first.stderr + again.stdout + again.stderr


def test_the_headless_example_draws_a_qr_code_a_phone_can_read(
    wizard_env: dict[str, str], keyring_srv: KeyringServer
) -> None:
    done = run([sys.executable, str(EXAMPLES / "headless_text.py")], wizard_env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Sign in to Plex: go to ") and lines[-2:] == [
        "Signed in as demo-user.",
        f"Read the token from the keyring ({len(token(keyring_srv))} characters).",
    ]
    drawn = [line for line in lines if set(line) <= {" ", "\u2588"}]
    matrix = [[line[i : i + 2] == "  " for i in range(0, len(line), 2)] for line in drawn]
    [auth_url] = decode_qr_picture(matrix_picture(matrix))
    assert auth_url.startswith(wizard_env["PLEXLOGIN_PLEX_URL"] + "/auth")


def token(keyring_srv: KeyringServer) -> str:
    stored = keyring_srv.get("plexlogin", "demo-user")
    assert stored is not None and stored.startswith("SIMULATED-")
    return stored


# --- the guide shows the examples as they are ---------------------------------------------

GUIDE = ROOT / "docs" / "integration.md"
_INCLUDED = re.compile(
    r"<!-- example: docs/examples/(?P<name>[\w.]+) [^>]*-->\n```\w+\n(?P<code>.*?)```\n", re.S
)


def test_the_guide_shows_every_example_exactly_as_the_tests_run_it() -> None:
    included = {m["name"]: m["code"] for m in _INCLUDED.finditer(GUIDE.read_text())}
    files = {path.name: path.read_text() for path in EXAMPLES.iterdir()}
    assert included.keys() == files.keys()
    for name, code in included.items():
        assert code == files[name], f"docs/integration.md shows an old {name}: paste it again"


@pytest.mark.parametrize("flag", ["--tv", "--profile"])
def test_the_guide_calls_an_option_coming_only_while_it_is_missing(flag: str) -> None:
    from plexlogin.cli import OPTIONS

    exists = any(flag in option.flags for option in OPTIONS.values())
    row = next(line for line in GUIDE.read_text().splitlines() if line.startswith(f"| `{flag}"))
    assert ("(coming)" in row) != exists, row
