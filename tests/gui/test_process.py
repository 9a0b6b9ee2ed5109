"""The window as the command line runs it: a real process, real signals, real scaling."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from plexlogin.simulator import Simulator

from .conftest import decode_qr

pytestmark = [pytest.mark.gui, pytest.mark.slow]

#: the child that opens the window at 2x scale and grabs it (Qt reads the scale at start-up)
GRAB_WINDOW = Path(__file__).parents[1] / "helpers" / "grab_window.py"
pytest.importorskip("zxingcpp")


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment for a child plexlogin: in-memory keyring, private config."""
    env = dict(os.environ)
    env.update(
        PLEXLOGIN_CONFIG_DIR=str(tmp_path / "config"),
        # keyring loads this backend by name: the child never touches a real keyring
        PYTHON_KEYRING_BACKEND="plexlogin.tokens.MemoryKeyring",
        PLEXLOGIN_PAINT_MARK=str(tmp_path / "marks"),
        PYTHONFAULTHANDLER="1",
    )
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra)
    return env


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` (a file appearing, a process ending) for at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def marks(tmp_path: Path) -> dict[str, int]:
    try:
        text = (tmp_path / "marks").read_text()
    except FileNotFoundError:
        return {}
    return {name: int(ns) for name, ns in (line.split() for line in text.splitlines())}


def start_login(sim: Simulator, tmp_path: Path, *more: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "plexlogin", "login", "--plex-url", sim.url, "--json"]
    command += ["--keyring-service", "plexlogin-test", *more]
    return subprocess.Popen(
        command,
        env=child_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 10) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"plexlogin did not exit; stderr:\n{err}") from None


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_waiting_cancels_with_exit_3_within_a_second(
    signal_number: int, sim: Simulator, tmp_path: Path
) -> None:
    process = start_login(sim, tmp_path)
    wait_for(lambda: "codes-shown" in marks(tmp_path), 20, "the codes on screen")
    assert marks(tmp_path)["first-paint"] <= marks(tmp_path)["codes-shown"]

    sent = time.monotonic()
    process.send_signal(signal_number)
    out, err = finish(process)
    elapsed = time.monotonic() - sent

    assert process.returncode == 3, err
    assert elapsed < 1.0
    assert json.loads(out)["status"] == "cancelled"
    # nothing from Qt: no "QThread: Destroyed while thread is still running", no warnings
    assert err.splitlines() == ["plexlogin: Sign-in cancelled."]


def test_approval_in_the_browser_exits_0_after_the_success_pause(
    sim: Simulator, tmp_path: Path
) -> None:
    process = start_login(sim, tmp_path)
    wait_for(lambda: "codes-shown" in marks(tmp_path), 20, "the codes on screen")

    strong = next(pin for pin in sim.pins() if pin.strong)
    approved = time.monotonic()
    sim.approve(strong.id, username="jane")
    out, err = finish(process)
    elapsed = time.monotonic() - approved

    assert process.returncode == 0, err
    result = json.loads(out)
    assert result["status"] == "signed_in"
    assert result["username"] == "jane"
    assert result["keyring_username"] == "jane"
    assert "SIMULATED-" not in out  # the token itself never reaches stdout
    assert elapsed < 2.0 + 2.5  # one poll, the check, the keyring, the 2 s pause
    assert err == ""


def test_the_qr_scans_from_a_hidpi_screen(sim: Simulator, tmp_path: Path) -> None:
    shot = tmp_path / "hidpi.png"
    result = subprocess.run(
        [sys.executable, str(GRAB_WINDOW), sim.url, str(shot)],
        env=child_env(tmp_path, QT_SCALE_FACTOR="2"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["dpr"] == 2.0
    assert report["width"] == 2 * report["logical_width"]

    image = QImage(str(shot))
    assert decode_qr(image) == [report["url"]]
    strong = next(pin for pin in sim.pins() if pin.strong)
    assert f"code={strong.code}" in report["url"]


def test_the_window_modules_load_nothing_slow_before_the_first_paint() -> None:
    probe = (
        "import sys, plexlogin.gui as g; assert 'PySide6' not in sys.modules;"
        "import plexlogin.cli, plexlogin.config, plexlogin.gui.app, plexlogin.preconnect;"
        "app = plexlogin.gui.app.application();"  # the icon too: read from plain files
        "slow = ['requests', 'keyring', 'qrcode', 'PIL', 'plexlogin.flow', 'plexlogin.plex',"
        " 'importlib.metadata', 'uuid', 'platformdirs', 'importlib.resources', 'ssl', 'babel',"
        " 'plexlogin.events', 'plexlogin.home'];"
        "print([name for name in slow if name in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
