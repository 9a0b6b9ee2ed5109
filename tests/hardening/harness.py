"""Run the real ``plexlogin`` as a child process against the simulator, and judge the result.

The child is the installed console script (what a setup wizard runs), with a private
config folder and HOME, the test keyring of :mod:`tests.helpers.socket_keyring`, and no
display unless a test asks for the window. Every run is checked for the things that must
never happen whatever the fault: a traceback, a Qt warning, the token on stdout/stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plexlogin.simulator import TOKEN_PREFIX, SimPin, Simulator
from tests.helpers.socket_keyring import KeyringServer

ROOT = Path(__file__).resolve().parents[2]
#: the keys of the --json line, exactly: wizards read them, so none may go missing
JSON_KEYS = {
    "status", "username", "keyring_service", "keyring_username", "client_id", "error", "profile"
}
SERVICE = "plexlogin-hardening"
#: generous: nothing in a healthy run comes near it; it only turns a hang into a failure
CHILD_TIMEOUT = 30.0


def plexlogin_command() -> list[str]:
    """The console script next to this interpreter, as installed by ``pip install -e``."""
    script = Path(sys.executable).with_name("plexlogin")
    if script.exists():
        return [str(script)]
    found = shutil.which("plexlogin")
    return [found] if found else [sys.executable, "-m", "plexlogin"]


@dataclass
class Result:
    """How a child ended."""

    returncode: int
    stdout: str
    stderr: str
    #: seconds from the signal (if one was sent) or from the start, to the exit
    elapsed: float

    @property
    def json(self) -> dict[str, object]:
        """The --json line: exactly one JSON object with exactly the contract's keys."""
        lines = self.stdout.splitlines()
        assert len(lines) == 1, f"expected one JSON line on stdout, got {self.stdout!r}"
        data = json.loads(lines[0])
        assert isinstance(data, dict) and set(data) == JSON_KEYS, data
        return data

    def assert_clean(self) -> None:
        """No traceback, no Qt/Python warning, no simulator token anywhere in the output."""
        both = self.stdout + self.stderr
        assert "Traceback" not in both, self.stderr
        assert "Warning" not in self.stderr and "QThread" not in self.stderr, self.stderr
        assert TOKEN_PREFIX not in both, "a token reached stdout/stderr"


class Child:
    """Starts ``plexlogin`` processes for one test (private config, HOME and keyring)."""

    def __init__(self, tmp_path: Path, sim: Simulator, keyring: KeyringServer) -> None:
        self.tmp_path = tmp_path
        self.sim = sim
        self.keyring = keyring
        self.config_dir = tmp_path / "config"
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)

    def env(self, *, window: bool = False, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DISPLAY", "WAYLAND_DISPLAY", "PLEXLOGIN_PLEX_URL")
            and not key.startswith(("PYTEST_", "COV_"))
        }
        env.update(self.keyring.env())
        env.update(
            PLEXLOGIN_CONFIG_DIR=str(self.config_dir),
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            PYTHONPATH=str(ROOT),  # so the child can import tests.helpers.socket_keyring
            PYTHONDONTWRITEBYTECODE="1",
        )
        if window:
            env["QT_QPA_PLATFORM"] = "offscreen"
        else:
            env.pop("QT_QPA_PLATFORM", None)
        env.update(extra)
        return env

    def start(
        self, *args: str, window: bool = False, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*plexlogin_command(), *args],
            env=env or self.env(window=window),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.tmp_path,
        )

    def login(
        self,
        *extra: str,
        url: str | None = None,
        window: bool = False,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[str]:
        """``plexlogin login [--terminal] --plex-url SIM --json --keyring-service SERVICE``."""
        args = ["login", "--plex-url", url or self.sim.url, "--json"]
        args += ["--keyring-service", SERVICE]
        if not window:
            args.append("--terminal")
        return self.start(*args, *extra, window=window, env=env)

    def live(self, *extra: str, **kw: object) -> Live:
        """:meth:`login`, watched while it runs."""
        return Live(self.login(*extra, **kw))  # type: ignore[arg-type]

    def run(self, *args: str, timeout: float = CHILD_TIMEOUT, **kw: object) -> Result:
        started = time.monotonic()
        process = self.start(*args, **kw)  # type: ignore[arg-type]
        return finish(process, started, timeout)


def finish(
    process: subprocess.Popen[str], since: float | None = None, timeout: float = CHILD_TIMEOUT
) -> Result:
    """Wait for ``process`` (killing it after ``timeout``: a hang is a failure)."""
    since = time.monotonic() if since is None else since
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"plexlogin hung for {timeout} s; stderr:\n{err}") from None
    return Result(process.returncode, out, err, time.monotonic() - since)


def interrupt(process: subprocess.Popen[str], signal_number: int = signal.SIGTERM) -> Result:
    """Send ``signal_number`` and measure the time from the signal to the exit."""
    sent = time.monotonic()
    process.send_signal(signal_number)
    return finish(process, sent, timeout=10)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 15.0) -> object:
    """Poll ``condition`` until it is truthy; fail (not hang) after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def pending(sim: Simulator, *, strong: bool | None = None) -> list[SimPin]:
    return [
        pin for pin in sim.pins() if not pin.approved and (strong is None or pin.strong == strong)
    ]


def approve_when_shown(
    sim: Simulator, *, strong: bool = False, username: str | None = None, timeout: float = 15
) -> str:
    """Wait until the child made its PINs, then approve the newest one; returns the token."""

    def ready() -> list[SimPin]:
        # both PINs exist once the child shows its codes
        return pending(sim, strong=strong) if pending(sim, strong=not strong) else []

    pins = wait_for(ready, "the child's PINs", timeout)
    assert isinstance(pins, list)
    newest = max(pins, key=lambda pin: pin.id)
    return sim.approve(newest.id, username=username)


def requests_to(sim: Simulator, endpoint: str) -> list[float]:
    """Arrival times of the simulator's requests to ``endpoint``."""
    return [r.at for r in sim.requests if r.endpoint == endpoint]


def max_polls_per_second(sim: Simulator) -> int:
    """The most polls of any one PIN that arrived within a second of each other (+1)."""
    by_pin: dict[int | None, list[float]] = {}
    for record in sim.requests:
        if record.endpoint == "poll":
            by_pin.setdefault(record.pin_id, []).append(record.at)
    worst = 0
    for times in by_pin.values():
        for index, start in enumerate(times):
            worst = max(worst, sum(1 for t in times[index:] if t - start < 1.0))
    return worst


def scan_for(secret: str, paths: Sequence[Path]) -> list[str]:
    """Every file under ``paths`` whose bytes contain ``secret``."""
    hits = []
    needle = secret.encode()
    for root in paths:
        if not root.exists():
            continue
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                try:
                    if needle in path.read_bytes():
                        hits.append(str(path))
                except OSError:
                    pass
    return hits


# --- watching a child while it runs --------------------------------------------------------------


class Live:
    """A running child whose stdout/stderr are read as they come (for mid-run checks)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.started = time.monotonic()
        self._out: list[str] = []
        self._err: list[str] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(process.stdout, self._out), daemon=True),
            threading.Thread(target=self._pump, args=(process.stderr, self._err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._err)

    def _close(self) -> None:
        for reader in self._readers:
            reader.join(5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def wait_for_stderr(self, text: str, timeout: float = 15) -> None:
        wait_for(
            lambda: text in self.stderr or self.process.poll() is not None, repr(text), timeout
        )
        assert text in self.stderr, f"exited before saying {text!r}:\n{self.stderr}"

    def handles_sigterm(self) -> bool:
        """Whether the process has a SIGTERM handler yet (/proc/PID/status, SigCgt)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return False
        caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
        return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))

    def signal(self, number: int = signal.SIGTERM) -> Result:
        """Send ``number``; the result's ``elapsed`` runs from the signal to the exit."""
        sent = time.monotonic()
        self.process.send_signal(number)
        return self.finish(since=sent, timeout=10)

    def finish(self, *, since: float | None = None, timeout: float = CHILD_TIMEOUT) -> Result:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self._close()
            raise AssertionError(
                f"plexlogin hung for {timeout} s; stderr:\n{self.stderr}"
            ) from None
        ended = time.monotonic()
        self._close()
        elapsed = ended - (self.started if since is None else since)
        return Result(self.process.returncode, "".join(self._out), self.stderr, elapsed)


class WatchedSimulator(Simulator):
    """The simulator, telling the test the moment a request meets one of its faults.

    (The request log only has a request once it is answered; a test that wants to act
    while a delayed request is in flight needs to know that it has arrived.)
    """

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.fault_met = {name: threading.Event() for name in ("create", "poll", "user", "other")}

    def take_fault(self, endpoint):  # type: ignore[no-untyped-def]
        fault = super().take_fault(endpoint)
        if fault is not None:
            self.fault_met[endpoint].set()
        return fault
