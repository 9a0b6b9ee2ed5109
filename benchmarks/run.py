"""plexlogin next to its physical floor, measured in one run on one machine.

    python benchmarks/run.py            # the full benchmark; rewrites docs/performance.md
    python benchmarks/run.py --quick    # CI: about a minute; exit 1 on a >2x regression

Every figure is a whole-process measurement of the real program (``plexlogin`` as
installed from source) against the local plex.tv simulator, next to a floor measured in
the same run, so a busy or slow machine moves both and the ratio stays meaningful:

* launch -> first paint / codes shown: ``time.monotonic_ns()`` just before the process
  is spawned, to the ``first-paint`` / ``codes-shown`` lines the window appends to
  ``$PLEXLOGIN_PAINT_MARK`` (CLOCK_MONOTONIC is one clock for every process). The floor
  is ``benchmarks/floor_window.py``: a bare QApplication + QLabel that writes the same
  mark, and the same window with requests, qrcode, Pillow and keyring imported first.
  Floor and plexlogin launches alternate. Half of plexlogin's launches are killed at the
  first paint (like the floors), which also gives the CPU time spent up to the first
  paint, a figure that a busy machine hardly moves; the other half sign in completely.
* approval -> token verified and stored: ``plexlogin login --terminal --json`` as a
  subprocess. The harness approves the PIN in the simulator at a chosen phase of the 1 Hz
  polling (phases spread evenly over the second, so the median does not hang on 20
  random draws) and times the "Token saved" line on stderr and the process's exit. The
  simulator's request log splits that into poll wait, verification and keyring write.
* polling: the simulator's request log (arrival times) while the window and the terminal
  wait; "after exit": every simulator is watched for a second after its client ended.
* CPU while waiting: user+sys of the process from /proc/PID/stat over the idle window.
* peak RSS: ``ru_maxrss`` from ``os.wait4`` of each process, for a whole sign-in.
* over TLS: the window against the simulator behind a TLS front, 80 ms added to every
  answer, against its own first paint plus one fresh TLS request; the TLS connections
  it opens for both PINs and their polls (2: opened ahead, kept alive).
* renewal: PINs that live 20 s; the next code's first paint (``codes-shown-2``) against
  the old codes' expiry: the time with no valid code on screen.

The token goes to a real Secret Service: unless told ``--in-session``, the harness runs
itself again under ``dbus-run-session`` with an unlocked gnome-keyring and a throwaway
HOME, so no person's keyring is touched.

Timings on a shared machine are noisy: read the ratios, not the milliseconds.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLOOR_SCRIPT = HERE / "floor_window.py"
DOCS = ROOT / "docs" / "performance.md"
SESSION_ENV = "PLEXLOGIN_BENCH_SESSION"
KEYRING_SERVICE = "plexlogin-benchmark"
KEYRING_USERNAME = "benchmark"

#: Plex asks for at most one poll per second per PIN
POLL_PERIOD = 1.0
#: the floor of approval -> stored: on average an approval waits half a poll period
APPROVAL_FLOOR = POLL_PERIOD / 2
#: how long the harness watches the simulator after its client ended
AFTER_EXIT_WATCH = 1.0

# --- goals (what a person notices) and the --quick regression limits -------------------

GOAL_FIRST_PAINT = 1.3  # x the bare window
GOAL_CODES_SHOWN = 1.25  # x the window with the sign-in libraries imported up front
GOAL_APPROVAL = 0.6  # seconds
GOAL_RATE = 1.0  # requests / s / PIN
GOAL_CPU = 1.0  # % of one core
GOAL_RSS = 1.25  # x the window with the sign-in libraries imported up front
GOAL_NETWORK = 1.3  # x (first paint + one TLS handshake + one round trip)
#: what the network-shaped run adds to every plex.tv answer (a round trip to a far server)
NETWORK_LATENCY = 0.080
#: the renewal run's PIN lifetime: short, so the swap to the next codes comes in the run
RENEWAL_LIFETIME = 20.0
GOAL_RENEWAL_GAP = 0.0  # seconds with no valid code on screen at a renewal
#: two PINs at once: one connection each, kept alive for every poll after
GOAL_CONNECTIONS = 2

#: --quick fails when a figure is more than this many times its floor in the same run
REGRESSION = 2.0
#: a poll rate from a few intervals: allow for timer jitter
RATE_SLACK = 0.02

_T = TypeVar("_T")


# --- small statistics -------------------------------------------------------------------


@dataclass
class Sample:
    """The values of one figure, and how the table shows them."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def describe(self, unit: Callable[[float], str]) -> str:
        """E.g. ``198 ms (IQR 189-214 ms, min 180 ms, n=15)``."""
        if not self.values:
            return "n/a"
        if len(self.values) < 2:
            return f"{unit(self.median)} (n=1)"
        q1, _q2, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        low, high = unit(q1), unit(q3)
        spread = f"{low.split()[0]}-{high}"
        return f"{unit(self.median)} (IQR {spread}, min {unit(min(self.values))}, n={self.n})"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.3f} s"


def mb(kib: float) -> str:
    return f"{kib / 1024:.1f} MB"


def median_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of per-pair ratios: a noisy moment spoils one pair, not the figure."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True) if b > 0]
    return statistics.median(ratios) if ratios else float("nan")


# --- processes --------------------------------------------------------------------------


class BenchmarkError(RuntimeError):
    """The benchmark could not measure something (not: plexlogin is slow)."""


class Proc:
    """A child process with time-stamped output lines, its exit time and its own rusage."""

    def __init__(self, argv: Sequence[str], env: dict[str, str]) -> None:
        self.stdout: list[tuple[float, str]] = []
        self.stderr: list[tuple[float, str]] = []
        self.exit_at: float | None = None
        self.returncode: int | None = None
        self.rusage: resource.struct_rusage | None = None
        self._done = threading.Event()
        self.launched = time.monotonic_ns() / 1e9
        self.popen = subprocess.Popen(
            list(argv),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.pid = self.popen.pid
        self._readers = [
            threading.Thread(target=self._read, args=(self.popen.stdout, self.stdout)),
            threading.Thread(target=self._read, args=(self.popen.stderr, self.stderr)),
        ]
        for reader in self._readers:
            reader.daemon = True
            reader.start()
        threading.Thread(target=self._reap, daemon=True).start()

    @staticmethod
    def _read(pipe: Any, lines: list[tuple[float, str]]) -> None:
        for raw in iter(pipe.readline, b""):
            lines.append((time.monotonic(), raw.decode("utf-8", "replace").rstrip("\n")))

    def _reap(self) -> None:
        # os.wait4 rather than Popen.wait: it also gives this child's peak RSS and CPU time
        _pid, status, usage = os.wait4(self.pid, 0)
        self.exit_at = time.monotonic()
        self.rusage = usage
        self.returncode = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.returncode  # Popen must not wait for it again
        self._done.set()

    def wait(self, timeout: float) -> int:
        if not self._done.wait(timeout):
            self.kill()
            raise BenchmarkError(f"process {self.pid} did not end within {timeout:.0f} s")
        for reader in self._readers:
            reader.join(2.0)
        assert self.returncode is not None
        return self.returncode

    def alive(self) -> bool:
        return not self._done.is_set()

    def signal(self, number: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self._done.wait(10.0)

    def cpu_seconds(self) -> float:
        """user+sys so far, all threads (from /proc, while it runs)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime and stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def status_kib(self, key: str) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
        raise BenchmarkError(f"no {key} in /proc/{self.pid}/status")

    def json_line(self) -> dict[str, Any]:
        for _at, line in reversed(self.stdout):
            if line.startswith("{"):
                data = json.loads(line)
                assert isinstance(data, dict)
                return data
        raise BenchmarkError(f"no --json line; stderr: {self.stderr_text()[-600:]}")

    def stderr_text(self) -> str:
        return "\n".join(line for _at, line in self.stderr)

    @property
    def total_cpu(self) -> float:
        assert self.rusage is not None
        return self.rusage.ru_utime + self.rusage.ru_stime

    @property
    def peak_rss_kib(self) -> float:
        assert self.rusage is not None
        return float(self.rusage.ru_maxrss)  # KiB on Linux


def wait_until(
    what: str,
    check: Callable[[], _T | None],
    timeout: float,
    proc: Proc | None = None,
    interval: float = 0.005,
) -> _T:
    """Call ``check`` every ``interval`` s until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if proc is not None and not proc.alive():
            raise BenchmarkError(
                f"process ended (exit {proc.returncode}) before {what}: {proc.stderr_text()[-600:]}"
            )
        if time.monotonic() > deadline:
            raise BenchmarkError(f"timed out waiting for {what}")
        time.sleep(interval)


def read_marks(path: Path) -> dict[str, float]:
    """``first-paint`` / ``codes-shown`` -> monotonic seconds (the first of each)."""
    marks: dict[str, float] = {}
    with contextlib.suppress(FileNotFoundError):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                marks.setdefault(parts[0], int(parts[1]) / 1e9)
    return marks


def mark_in(path: Path, what: str) -> Callable[[], float | None]:
    """A cheap check for ``wait_until``: stat the file, read it only when it grew."""

    def check() -> float | None:
        try:
            if path.stat().st_size == 0:
                return None
        except FileNotFoundError:
            return None
        return read_marks(path).get(what)

    return check


# --- one run's shared state ---------------------------------------------------------------


class Bench:
    """What one benchmark run shares: environment, temp dir, simulators being watched."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.tmp = Path(tempfile.mkdtemp(prefix="plexlogin-bench-run-"))
        self.python = sys.executable
        script = Path(sys.executable).parent / "plexlogin"
        self.plexlogin = [str(script)] if script.exists() else [self.python, "-m", "plexlogin"]
        self.env = dict(os.environ)
        for name in ("PLEXLOGIN_PLEX_URL", "PLEXLOGIN_PAINT_MARK", "PYTHONPROFILEIMPORTTIME"):
            self.env.pop(name, None)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # a source install has its .pyc
        self.env.update(QT_QPA_PLATFORM="offscreen", PLEXLOGIN_CONFIG_DIR=str(self.tmp / "cfg"))
        self.counter = 0
        self.watched: list[tuple[Any, float]] = []  # (simulator, exit time of its client)
        self.late_requests = 0
        self.watched_exits = 0

    def close(self) -> None:
        self.flush_watch(wait=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mark_file(self) -> Path:
        self.counter += 1
        return self.tmp / f"marks-{self.counter}.txt"

    def env_for(self, marks: Path | None = None, source: str | None = None) -> dict[str, str]:
        """The environment of one launch; ``source`` goes first on PYTHONPATH (a variant)."""
        env = dict(self.env)
        if marks is not None:
            env["PLEXLOGIN_PAINT_MARK"] = str(marks)
        if source is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
        return env

    def simulator(self) -> Any:
        from plexlogin.simulator import Simulator

        return Simulator().start()

    def plexlogin_argv(self, url: str, *extra: str) -> list[str]:
        return [
            *self.plexlogin,
            "login",
            "--plex-url",
            url,
            "--json",
            "--keyring-service",
            KEYRING_SERVICE,
            "--keyring-username",
            KEYRING_USERNAME,
            *extra,
        ]

    def watch_after_exit(self, sim: Any, exit_at: float | None) -> None:
        """Count what ``sim`` receives in the second after its client ended, then stop it."""
        assert exit_at is not None
        self.watched.append((sim, exit_at))
        self.flush_watch(wait=False)

    def flush_watch(self, *, wait: bool) -> None:
        keep = []
        for sim, exit_at in self.watched:
            remaining = exit_at + AFTER_EXIT_WATCH - time.monotonic()
            if remaining > 0 and not wait:
                keep.append((sim, exit_at))
                continue
            time.sleep(max(0.0, remaining))
            self.late_requests += sum(1 for r in sim.requests if r.at > exit_at)
            self.watched_exits += 1
            sim.stop()
        self.watched = keep


# --- the measurements -------------------------------------------------------------------


@dataclass
class Results:
    """Every sample of one run (or of one --variant in it)."""

    floor_paint: Sample = field(default_factory=Sample)
    floor_cpu: Sample = field(default_factory=Sample)
    floor_rss: Sample = field(default_factory=Sample)
    heavy_paint: Sample = field(default_factory=Sample)
    heavy_cpu: Sample = field(default_factory=Sample)
    heavy_rss: Sample = field(default_factory=Sample)
    qt_paint: Sample = field(default_factory=Sample)  # the bare window + the window's Qt types
    qt_cpu: Sample = field(default_factory=Sample)
    # plexlogin, with the floor launched just before each value (for per-pair ratios)
    first_paint: Sample = field(default_factory=Sample)
    first_paint_floor: list[float] = field(default_factory=list)
    paint_cpu: Sample = field(default_factory=Sample)
    paint_cpu_floor: list[float] = field(default_factory=list)
    codes_shown: Sample = field(default_factory=Sample)
    codes_floor: list[float] = field(default_factory=list)
    codes_heavy: list[float] = field(default_factory=list)
    paint_to_request: Sample = field(default_factory=Sample)
    pin_gap: Sample = field(default_factory=Sample)  # second PIN request after the first
    net_codes: Sample = field(default_factory=Sample)  # over TLS with NETWORK_LATENCY
    net_floor: list[float] = field(default_factory=list)  # paint + handshake + round trip
    net_trip: Sample = field(default_factory=Sample)  # one fresh TLS request, measured
    net_pin_gap: Sample = field(default_factory=Sample)
    net_paint_to_request: Sample = field(default_factory=Sample)
    net_connections: Sample = field(default_factory=Sample)  # TLS connections, PINs + polls
    renewal_gap: Sample = field(default_factory=Sample)  # no valid code on screen
    renewal_ahead: Sample = field(default_factory=Sample)  # next codes made before expiry
    renewal_swap: Sample = field(default_factory=Sample)  # swap painted, before the expiry
    request_to_codes: Sample = field(default_factory=Sample)
    gui_rss: Sample = field(default_factory=Sample)
    gui_cpu_total: Sample = field(default_factory=Sample)
    gui_approve_exit: Sample = field(default_factory=Sample)
    approve_stored: Sample = field(default_factory=Sample)
    approve_exit: Sample = field(default_factory=Sample)
    poll_wait: Sample = field(default_factory=Sample)
    verify: Sample = field(default_factory=Sample)
    store_report: Sample = field(default_factory=Sample)
    stored_exit: Sample = field(default_factory=Sample)
    term_rss: Sample = field(default_factory=Sample)
    rates: dict[str, float] = field(default_factory=dict)  # "window, code PIN" -> req/s
    min_gap: float = float("inf")
    polls_after_end: int = 0
    late_requests: int = 0
    watched_exits: int = 0
    idle: dict[str, dict[str, float]] = field(default_factory=dict)
    idle_seconds: float = 0.0


def until_first_paint(argv: list[str], env: dict[str, str], marks: Path) -> Proc:
    """Launch, and SIGKILL the process as soon as its first-paint mark is written.

    Its CPU time then is (almost exactly) the cost of getting to the first paint: at
    most the millisecond of polling after the mark is added to it.
    """
    proc = Proc(argv, env)
    try:
        wait_until("first paint", mark_in(marks, "first-paint"), 30, proc, interval=0.001)
    finally:
        proc.kill()
    proc.wait(10)
    return proc


def window_qt_types(package: Path = ROOT / "plexlogin") -> list[str]:
    """``QtModule.Name`` of every PySide6 name the window's modules import at load time.

    Follows the module-level ``from plexlogin... import`` statements from
    ``plexlogin.gui.app`` (what ``plexlogin login`` loads before its first paint); imports
    inside functions are made later and are left out.
    """
    names: list[str] = []
    seen: set[str] = set()
    todo = ["plexlogin.gui.app"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = package.parent / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        if not path.exists():  # a name from a module, not a submodule
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            if node.module.startswith("PySide6.Qt"):
                qt_module = node.module.removeprefix("PySide6.")
                names += [f"{qt_module}.{a.name}" for a in node.names if a.name != "*"]
            elif node.module.startswith("plexlogin"):  # the module, or its submodules
                todo += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return sorted(set(names))


def floor_launch(
    bench: Bench, results: Results, *, heavy: bool = False, qt_types: Sequence[str] = ()
) -> None:
    """The bare window, killed at paint: or with the sign-in libraries imported first, or
    with the Qt types of plexlogin's window made first."""
    marks = bench.mark_file()
    argv = [bench.python, str(FLOOR_SCRIPT), "--stay", "60", *(["--heavy"] if heavy else [])]
    if qt_types:
        argv += ["--qt-types", ",".join(qt_types)]
    proc = until_first_paint(argv, bench.env_for(marks), marks)
    painted = read_marks(marks)["first-paint"] - proc.launched
    if qt_types:
        results.qt_paint.add(painted)
        results.qt_cpu.add(proc.total_cpu)
    elif heavy:
        results.heavy_paint.add(painted)
        results.heavy_cpu.add(proc.total_cpu)
        results.heavy_rss.add(proc.peak_rss_kib)
    else:
        results.floor_paint.add(painted)
        results.floor_cpu.add(proc.total_cpu)
        results.floor_rss.add(proc.peak_rss_kib)


def window_to_paint(
    bench: Bench, results: Results, floor: Results, source: str | None = None
) -> None:
    """plexlogin's window killed at its first paint, like the floor."""
    sim = bench.simulator()
    marks = bench.mark_file()
    try:
        proc = until_first_paint(bench.plexlogin_argv(sim.url), bench.env_for(marks, source), marks)
    finally:
        sim.stop()
    results.first_paint.add(read_marks(marks)["first-paint"] - proc.launched)
    results.first_paint_floor.append(floor.floor_paint.values[-1])
    results.paint_cpu.add(proc.total_cpu)
    results.paint_cpu_floor.append(floor.floor_cpu.values[-1])


def window_signin(
    bench: Bench, results: Results, floor: Results, source: str | None = None
) -> None:
    """Launch the window, time its marks, approve, and let it sign in and close itself."""
    sim = bench.simulator()
    marks = bench.mark_file()
    proc = Proc(bench.plexlogin_argv(sim.url), bench.env_for(marks, source))
    try:
        shown = wait_until("codes shown", mark_in(marks, "codes-shown"), 30, proc)
        sim.approve()
        approved_at = time.monotonic()
        code = proc.wait(30)
    finally:
        proc.kill()
    if code != 0 or proc.json_line().get("status") != "signed_in":
        raise BenchmarkError(f"the window did not sign in (exit {code}): {proc.stderr_text()}")
    painted = read_marks(marks)["first-paint"]
    results.first_paint.add(painted - proc.launched)
    results.first_paint_floor.append(floor.floor_paint.values[-1])
    results.codes_shown.add(shown - proc.launched)
    results.codes_floor.append(floor.floor_paint.values[-1])
    results.codes_heavy.append(floor.heavy_paint.values[-1])
    creates = sorted(r.at for r in sim.requests if r.endpoint == "create")
    results.paint_to_request.add(creates[0] - painted)
    results.pin_gap.add(creates[1] - creates[0])
    results.request_to_codes.add(shown - creates[1])
    results.gui_rss.add(proc.peak_rss_kib)
    results.gui_cpu_total.add(proc.total_cpu)
    assert proc.exit_at is not None
    results.gui_approve_exit.add(proc.exit_at - approved_at)
    _count_polls_after_token(sim, results)
    _note_gaps(sim, results)
    bench.watch_after_exit(sim, proc.exit_at)


def one_fresh_request(url: str, ca_file: Path) -> float:
    """A new TLS connection and one request through it: a handshake and a round trip."""
    import requests

    started = time.monotonic()
    with requests.Session() as session:
        session.get(f"{url}/api/v2/user", verify=str(ca_file), timeout=10)
    return time.monotonic() - started


def network_signin(bench: Bench, results: Results, source: str | None = None) -> None:
    """The window against the simulator over TLS, every answer NETWORK_LATENCY late.

    The floor is this launch's own first paint plus one fresh TLS request measured right
    after (a handshake and a round trip), the least a client that paints first and then
    asks plex.tv can take. Killed once both PINs were polled twice: every TLS connection
    is one the simulator accepts from the front, so keep-alive shows as 2 for it all.
    """
    from tests.helpers.tls_front import TlsFront

    sim = bench.simulator()
    sim.add_fault("any", delay=NETWORK_LATENCY, times=-1)
    folder = Path(tempfile.mkdtemp(dir=bench.tmp))
    marks = bench.mark_file()
    try:
        with TlsFront(sim.url, folder) as front:
            env = bench.env_for(marks, source)
            env["REQUESTS_CA_BUNDLE"] = str(front.ca_file)
            proc = Proc(bench.plexlogin_argv(front.url), env)
            try:
                shown = wait_until("codes shown over TLS", mark_in(marks, "codes-shown"), 30, proc)
                wait_until("two polls of each PIN", partial(all_polled_twice, sim), 30, proc)
            finally:
                proc.kill()
            connections = sim.connections_accepted
            trip = one_fresh_request(front.url, front.ca_file)
        creates = sorted(r.at for r in sim.requests if r.endpoint == "create")
    finally:
        sim.stop()
    painted = read_marks(marks)["first-paint"]
    results.net_codes.add(shown - proc.launched)
    results.net_trip.add(trip)
    results.net_floor.append(painted - proc.launched + trip)
    results.net_pin_gap.add(creates[1] - creates[0])
    results.net_paint_to_request.add(creates[0] - painted)
    results.net_connections.add(connections)


def all_polled_twice(sim: Any) -> bool:
    """Whether every PIN of the first two has been polled at least twice."""
    first = sim.pins()[:2]  # oldest first
    return len(first) == 2 and all(polled_twice(sim, int(pin.id)) for pin in first)


def renewal_run(bench: Bench, results: Results) -> None:
    """The window with PINs that live RENEWAL_LIFETIME s: how the swap to new codes goes.

    The old codes stop working at their expiry (the simulator's clock); the next ones
    must be painted by then ("codes-shown-2"), so no moment passes without a valid code
    on screen. Also noted: how long before the expiry the next PINs were asked for.
    """
    from plexlogin.simulator import Simulator

    lifetime = RENEWAL_LIFETIME
    sim = Simulator(pin_lifetime=lifetime, strong_pin_lifetime=lifetime).start()
    marks = bench.mark_file()
    proc = Proc(bench.plexlogin_argv(sim.url), bench.env_for(marks))
    try:
        wait_until("codes", mark_in(marks, "codes-shown"), 30, proc)
        # the server clock is the wall clock: the first codes' expiry on the monotonic one
        offset = time.time() - time.monotonic()
        expiry = min(pin.expires_at.timestamp() for pin in sim.pins()) - offset
        renewed = wait_until("renewed codes", mark_in(marks, "codes-shown-2"), lifetime + 30, proc)
    finally:
        proc.kill()
        sim.stop()
    next_made = sorted(r.at for r in sim.requests if r.endpoint == "create")[2]
    results.renewal_gap.add(max(0.0, renewed - expiry))
    results.renewal_swap.add(expiry - renewed)
    results.renewal_ahead.add(expiry - next_made)


def short_pin_id(sim: Any) -> int | None:
    return next((int(pin.id) for pin in sim.pins() if not pin.strong), None)


def polls(sim: Any, pin_id: int) -> list[float]:
    return [r.at for r in sim.requests if r.endpoint == "poll" and r.pin_id == pin_id]


def polled_twice(sim: Any, pin_id: int) -> bool:
    """Whether ``sim`` has seen PIN ``pin_id`` polled at least twice (the poll loop is on)."""
    return len(polls(sim, pin_id)) >= 2


def terminal_signin(
    bench: Bench, results: Results, phase: float, source: str | None = None
) -> None:
    """``--terminal --json``: approve ``phase`` s after a poll; time "stored" and the exit."""
    sim = bench.simulator()
    proc = Proc(bench.plexlogin_argv(sim.url, "--terminal"), bench.env_for(source=source))
    try:
        pin_id = wait_until("a PIN", lambda: short_pin_id(sim), 30, proc)
        # two polls: the flow has settled into its rhythm
        wait_until("polling", lambda: len(polls(sim, pin_id)) >= 2, 30, proc)
        target = polls(sim, pin_id)[-1] + POLL_PERIOD + phase
        time.sleep(max(0.0, target - time.monotonic()))
        approved_at = time.monotonic()
        sim.approve(pin_id)
        code = proc.wait(30)
    finally:
        proc.kill()
    if code != 0 or proc.json_line().get("status") != "signed_in":
        raise BenchmarkError(f"the terminal did not sign in (exit {code}): {proc.stderr_text()}")
    stored_at = next((at for at, line in proc.stderr if line.startswith("Token saved")), None)
    if stored_at is None:
        raise BenchmarkError("no 'Token saved' line on stderr: did terminal.py's wording change?")
    assert proc.exit_at is not None
    seen_at = min(at for at in polls(sim, pin_id) if at >= approved_at)
    verified_at = min(r.at for r in sim.requests if r.endpoint == "user" and r.at >= seen_at)
    results.approve_stored.add(stored_at - approved_at)
    results.approve_exit.add(proc.exit_at - approved_at)
    results.poll_wait.add(seen_at - approved_at)
    results.verify.add(verified_at - seen_at)
    results.store_report.add(stored_at - verified_at)
    results.stored_exit.add(proc.exit_at - stored_at)
    results.term_rss.add(proc.peak_rss_kib)
    _count_polls_after_token(sim, results)
    _note_gaps(sim, results)
    bench.watch_after_exit(sim, proc.exit_at)


def _count_polls_after_token(sim: Any, results: Results) -> None:
    """Polls after the one that carried the token: the flow should stop at once."""
    approved = {pin.id for pin in sim.pins() if pin.approved}
    token_polls = [r.at for r in sim.requests if r.endpoint == "poll" and r.pin_id in approved]
    if token_polls:
        done = max(token_polls)  # the approved PIN's last poll is the one with the token
        results.polls_after_end += sum(
            1 for r in sim.requests if r.endpoint == "poll" and r.at > done
        )


def _note_gaps(sim: Any, results: Results) -> None:
    by_pin: dict[int, list[float]] = {}
    for r in sim.requests:
        if r.endpoint == "poll" and r.pin_id is not None:
            by_pin.setdefault(r.pin_id, []).append(r.at)
    for times in by_pin.values():
        for before, after in itertools.pairwise(times):
            results.min_gap = min(results.min_gap, after - before)


def idle_runs(bench: Bench, results: Results, seconds: float) -> None:
    """The window and the terminal wait ``seconds`` for an approval that never comes.

    Both at once: CPU time is each process's own, whatever else runs. Each is then
    cancelled with SIGTERM, as a setup wizard would, and must exit 3.
    """
    running: dict[str, tuple[Any, Proc]] = {}
    for name, extra in {"window": [], "terminal": ["--terminal"]}.items():
        sim = bench.simulator()
        marks = bench.mark_file()
        running[name] = (sim, Proc(bench.plexlogin_argv(sim.url, *extra), bench.env_for(marks)))
    try:
        for sim, proc in running.values():
            pin_id = wait_until("a PIN", partial(short_pin_id, sim), 30, proc)
            wait_until("polling", partial(polled_twice, sim, pin_id), 30, proc)
        time.sleep(1.0)  # start-up work (imports, QR, the first timers) is over
        start = time.monotonic()
        cpu0 = {name: proc.cpu_seconds() for name, (_sim, proc) in running.items()}
        rss0 = {name: proc.status_kib("VmRSS") for name, (_sim, proc) in running.items()}
        time.sleep(seconds)
        end = time.monotonic()
        cpu1 = {name: proc.cpu_seconds() for name, (_sim, proc) in running.items()}
        rss1 = {name: proc.status_kib("VmRSS") for name, (_sim, proc) in running.items()}
        cancelled_at = {}
        for name, (_sim, proc) in running.items():
            cancelled_at[name] = time.monotonic()
            proc.signal(signal.SIGTERM)
        for name, (sim, proc) in running.items():
            code = proc.wait(15)
            if code != 3:
                raise BenchmarkError(f"{name}: SIGTERM should cancel (exit 3), got {code}")
            for pin in sim.pins():
                times = [t for t in polls(sim, pin.id) if start <= t <= end]
                if len(times) >= 2:
                    kind = "QR PIN" if pin.strong else "code PIN"
                    results.rates[f"{name}, {kind}"] = (len(times) - 1) / (times[-1] - times[0])
            # a request already on its way when the signal came is fair; later ones are not
            results.polls_after_end += sum(
                1 for r in sim.requests if r.at > cancelled_at[name] + 0.05
            )
            _note_gaps(sim, results)
            assert proc.exit_at is not None
            results.idle[name] = {
                "cpu_percent": 100 * (cpu1[name] - cpu0[name]) / (end - start),
                "rss_start_kib": rss0[name],
                "rss_end_kib": rss1[name],
                "cancel_to_exit": proc.exit_at - cancelled_at[name],
            }
            bench.watch_after_exit(sim, proc.exit_at)
        results.idle_seconds = end - start
    finally:
        for _sim, proc in running.values():
            proc.kill()


# --- the table ---------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    measured: str
    floor: str
    ratio: str
    goal: str
    met: bool | None  # None: information, no goal
    regression: str | None = None  # why --quick fails on this row, if it does


def build_rows(r: Results) -> list[Row]:
    rows: list[Row] = []
    floor = r.floor_paint.median
    paint_ratio = r.first_paint.median / floor
    paint_pairs = median_ratio(r.first_paint.values, r.first_paint_floor)
    cpu_ratio = median_ratio(r.paint_cpu.values, r.paint_cpu_floor)
    rows.append(
        Row(
            "launch → window painted (offscreen, source install)",
            f"{r.first_paint.describe(ms)}; CPU to the first paint {r.paint_cpu.describe(ms)}",
            f"bare window {r.floor_paint.describe(ms)}, CPU {r.floor_cpu.describe(ms)}; "
            f"with requests, qrcode, Pillow, keyring up front {r.heavy_paint.describe(ms)}; "
            f"with the Qt types plexlogin's window uses made first {r.qt_paint.describe(ms)}, "
            f"CPU {r.qt_cpu.describe(ms)}",
            f"{paint_ratio:.2f}x (per launch {paint_pairs:.2f}x; CPU {cpu_ratio:.2f}x); "
            f"{r.first_paint.median / r.qt_paint.median:.2f}x the window with its Qt types "
            f"(CPU {r.paint_cpu.median / r.qt_cpu.median:.2f}x)",
            f"≤ {GOAL_FIRST_PAINT}x",
            paint_ratio <= GOAL_FIRST_PAINT,
            f"first paint {paint_pairs:.2f}x the bare window (median per launch)"
            if not paint_pairs <= REGRESSION
            else None,
        )
    )
    codes_ratio = r.codes_shown.median / floor
    codes_heavy = median_ratio(r.codes_shown.values, r.codes_heavy)
    codes_pairs = median_ratio(r.codes_shown.values, r.codes_floor)
    rows.append(
        Row(
            "launch → code and QR visible (local simulator)",
            r.codes_shown.describe(ms),
            f"bare window {ms(floor)}; with the sign-in libraries up front "
            f"{ms(r.heavy_paint.median)}",
            f"{codes_ratio:.2f}x (per launch {codes_pairs:.2f}x"
            f"; {codes_heavy:.2f}x the window with the libraries)",
            f"≤ {GOAL_CODES_SHOWN}x the window with the libraries",
            codes_heavy <= GOAL_CODES_SHOWN,
            f"codes shown {codes_heavy:.2f}x the window with the sign-in libraries"
            if not codes_heavy <= REGRESSION
            else None,
        )
    )
    rows.extend(network_rows(r))
    rows.extend(renewal_rows(r))
    stored = r.approve_stored.median
    limit = REGRESSION * APPROVAL_FLOOR
    rows.append(
        Row(
            "approval → token verified and stored (--terminal --json: the 'Token saved' line)",
            r.approve_stored.describe(secs),
            f"{APPROVAL_FLOOR} s (half the 1 s poll period); measured poll wait "
            f"{secs(r.poll_wait.median)}",
            f"{stored / APPROVAL_FLOOR:.2f}x",
            f"≤ {GOAL_APPROVAL} s",
            stored <= GOAL_APPROVAL,
            f"approval → stored {secs(stored)} > {limit} s" if not stored <= limit else None,
        )
    )
    done = r.approve_exit.median
    rows.append(
        Row(
            "approval → process exit (--terminal --json: what a setup wizard waits for)",
            r.approve_exit.describe(secs),
            f"{APPROVAL_FLOOR} s",
            f"{done / APPROVAL_FLOOR:.2f}x",
            f"≤ {GOAL_APPROVAL} s (the same goal, applied to the exit)",
            done <= GOAL_APPROVAL,
            f"approval → exit {secs(done)} > {limit} s" if not done <= limit else None,
        )
    )
    worst = max(r.rates.values()) if r.rates else float("nan")
    rates = ", ".join(f"{name} {rate:.3f}" for name, rate in sorted(r.rates.items()))
    after = r.late_requests + r.polls_after_end
    trouble = []
    if not worst <= GOAL_RATE + RATE_SLACK:
        trouble.append(f"polling {worst:.3f} requests/s/PIN > {GOAL_RATE}")
    if after:
        trouble.append(f"{after} request(s) after the end")
    rows.append(
        Row(
            "requests per second per PIN while waiting; requests after exit",
            f"{worst:.3f} at most ({rates}); shortest gap between two polls of a PIN "
            f"{r.min_gap:.3f} s; {r.late_requests} request(s) after exit "
            f"({r.watched_exits} exits, each watched {AFTER_EXIT_WATCH:.0f} s); "
            f"{r.polls_after_end} poll(s) after the token came or after SIGTERM",
            "Plex's rule: 1",
            "-",
            f"≤ {GOAL_RATE}; 0",
            worst <= GOAL_RATE + RATE_SLACK and after == 0,
            "; ".join(trouble) or None,
        )
    )
    window = r.idle.get("window", {})
    terminal = r.idle.get("terminal", {})
    cpu = window.get("cpu_percent", float("nan"))
    rows.append(
        Row(
            f"CPU while waiting {r.idle_seconds:.0f} s (user+sys, the window)",
            f"{cpu:.2f} % of one core (terminal mode "
            f"{terminal.get('cpu_percent', float('nan')):.2f} %); RSS "
            f"{mb(window.get('rss_start_kib', 0))} → {mb(window.get('rss_end_kib', 0))}",
            "-",
            "-",
            f"≤ {GOAL_CPU} % of one core",
            cpu <= GOAL_CPU,
            f"CPU while waiting {cpu:.2f} % > {REGRESSION * GOAL_CPU} %"
            if not cpu <= REGRESSION * GOAL_CPU
            else None,
        )
    )
    rss = r.gui_rss.median / r.floor_rss.median
    rss_heavy = r.gui_rss.median / r.heavy_rss.median
    rows.append(
        Row(
            "peak memory (RSS) of a whole sign-in with the window",
            f"{r.gui_rss.describe(mb)}; terminal mode {mb(r.term_rss.median)}",
            f"bare window {r.floor_rss.describe(mb)}; with the sign-in libraries up front "
            f"{mb(r.heavy_rss.median)}",
            f"{rss:.2f}x ({rss_heavy:.2f}x the window with the libraries)",
            f"≤ {GOAL_RSS}x the window with the libraries",
            rss_heavy <= GOAL_RSS,
            f"peak RSS {rss_heavy:.2f}x the window with the sign-in libraries"
            if not rss_heavy <= REGRESSION
            else None,
        )
    )
    rows.append(
        Row(
            "one-folder / one-file app: size and launch → window painted",
            "not measured here",
            "PyInstaller build of the bare window",
            "-",
            "see the packaging issue",
            None,
        )
    )
    return rows


def network_rows(r: Results) -> list[Row]:
    """Launch → codes over TLS with latency, and how far apart the two PINs were asked for."""
    if not r.net_codes.values:
        return []  # a --variant: measured locally only
    net = median_ratio(r.net_codes.values, r.net_floor)
    latency = ms(NETWORK_LATENCY)
    gap = max(r.pin_gap.median, r.net_pin_gap.median)
    apart = NETWORK_LATENCY / 2  # one after the other would be a whole round trip apart
    return [
        Row(
            f"launch → code and QR visible over TLS, {latency} added to every answer",
            r.net_codes.describe(ms),
            f"first paint + one TLS handshake + one round trip: "
            f"{ms(statistics.median(r.net_floor))} (the request alone "
            f"{r.net_trip.describe(ms)})",
            f"{net:.2f}x (median per launch)",
            f"≤ {GOAL_NETWORK}x",
            net <= GOAL_NETWORK,
            f"codes over TLS {net:.2f}x paint + handshake + round trip"
            if not net <= REGRESSION
            else None,
        ),
        Row(
            "second PIN requested after the first (both at once)",
            f"local {r.pin_gap.describe(ms)}; over TLS with {latency} {r.net_pin_gap.describe(ms)}",
            "0 (in parallel); one after the other would be a round trip",
            "-",
            f"≤ a few ms (< {ms(apart)})",
            gap < apart,
            f"the PINs were requested {ms(gap)} apart (one after the other?)"
            if not gap < apart
            else None,
        ),
        _keep_alive_row(r),
    ]


def _keep_alive_row(r: Results) -> Row:
    most = max(r.net_connections.values)
    return Row(
        "TLS connections for both PINs and two polls of each (opened ahead, kept alive)",
        f"{most:.0f} at most (n={r.net_connections.n}); first paint → first PIN request "
        f"{r.net_paint_to_request.describe(ms)}",
        "one per PIN made at once",
        "-",
        f"≤ {GOAL_CONNECTIONS}",
        most <= GOAL_CONNECTIONS,
        f"{most:.0f} TLS connections for 2 PINs (keep-alive lost?)"
        if most > GOAL_CONNECTIONS
        else None,
    )


def renewal_rows(r: Results) -> list[Row]:
    """The swap to the next codes: never a moment without a valid code on screen."""
    if not r.renewal_gap.values:
        return []
    gap = max(r.renewal_gap.values)
    return [
        Row(
            f"no valid code on screen at a renewal (PINs living {RENEWAL_LIFETIME:.0f} s)",
            f"{secs(gap)} (n={r.renewal_gap.n}); the new codes painted "
            f"{r.renewal_swap.describe(ms)} before the old ones expired, asked for "
            f"{r.renewal_ahead.describe(secs)} before",
            "0 s (made ahead, swapped at the deadline)",
            "-",
            f"{GOAL_RENEWAL_GAP:g} s",
            gap <= GOAL_RENEWAL_GAP,
            f"{secs(gap)} without a valid code at a renewal (made ahead no more?)"
            if gap > GOAL_RENEWAL_GAP
            else None,
        ),
    ]


def breakdown(r: Results) -> list[tuple[str, str]]:
    window = r.idle.get("window", {})
    terminal = r.idle.get("terminal", {})
    return [
        ("window: first paint → first request to plex.tv", r.paint_to_request.describe(ms)),
        ("window: second PIN created → code and QR painted", r.request_to_codes.describe(ms)),
        ("approval → the poll that carries the token", r.poll_wait.describe(ms)),
        ("that poll → the verification request (GET /api/v2/user)", r.verify.describe(ms)),
        ("verification request → 'Token saved'", r.store_report.describe(ms)),
        ("'Token saved' → process exit", r.stored_exit.describe(ms)),
        ("window: approval → exit (2 s 'Signed in as' pause)", r.gui_approve_exit.describe(secs)),
        ("window: CPU of a whole sign-in (user+sys)", r.gui_cpu_total.describe(ms)),
        ("SIGTERM → exit while waiting: window", ms(window.get("cancel_to_exit", 0))),
        ("SIGTERM → exit while waiting: terminal", ms(terminal.get("cancel_to_exit", 0))),
    ]


def variant_lines(label: str, source: str, v: Results, base: Results) -> list[str]:
    """A --variant next to plexlogin as it is, both against this run's floors."""

    def cmp(name: str, mine: Sample, theirs: Sample, unit: Callable[[float], str]) -> str:
        return f"    {name}: {mine.describe(unit)} (as it is: {unit(theirs.median)})"

    return [
        f"\nvariant {label} ({source}):",
        cmp("first paint", v.first_paint, base.first_paint, ms)
        + f"; per launch {median_ratio(v.first_paint.values, v.first_paint_floor):.2f}x bare",
        cmp("CPU to the first paint", v.paint_cpu, base.paint_cpu, ms)
        + f"; {median_ratio(v.paint_cpu.values, v.paint_cpu_floor):.2f}x bare",
        cmp("codes shown", v.codes_shown, base.codes_shown, ms)
        + f"; per launch {median_ratio(v.codes_shown.values, v.codes_floor):.2f}x bare",
        cmp("first paint → first request", v.paint_to_request, base.paint_to_request, ms),
        cmp("second PIN → codes painted", v.request_to_codes, base.request_to_codes, ms),
        cmp("approval → stored", v.approve_stored, base.approve_stored, secs),
        cmp("approval → exit", v.approve_exit, base.approve_exit, secs),
        cmp("verification → 'Token saved'", v.store_report, base.store_report, ms),
        cmp("peak RSS, window sign-in", v.gui_rss, base.gui_rss, mb),
        cmp("codes over TLS", v.net_codes, base.net_codes, ms)
        + f"; per launch {median_ratio(v.net_codes.values, v.net_floor):.2f}x its floor",
        cmp(
            "over TLS, first paint → first request",
            v.net_paint_to_request,
            base.net_paint_to_request,
            ms,
        ),
    ]


VERDICT = {True: "met", False: "**missed**", None: "-"}


def markdown(rows: list[Row], r: Results, machine: dict[str, str], quick: bool) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [
        f"Measured {machine['date']} ({'quick' if quick else 'full'} run, {machine['took']}), "
        f"plexlogin {machine['plexlogin']}.",
        "",
        "| figure | plexlogin: median (IQR, min, n) | floor measured in the same run "
        "| ratio | goal | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        out.append(
            f"| {cell(row.figure)} | {cell(row.measured)} | {cell(row.floor)} | "
            f"{cell(row.ratio)} | {cell(row.goal)} | {VERDICT[row.met]} |"
        )
    out += ["", "Where the time goes (medians):", "", "| step | time |", "| --- | --- |"]
    out += [f"| {cell(step)} | {cell(value)} |" for step, value in breakdown(r)]
    out += ["", "Machine:", ""]
    out += [f"- {key}: {value}" for key, value in machine.items() if key in MACHINE_KEYS]
    return "\n".join(out) + "\n"


def print_table(rows: list[Row], r: Results) -> None:
    verdict = {True: "met", False: "MISSED", None: "-"}
    for row in rows:
        print(f"\n{row.figure}\n    plexlogin: {row.measured}\n    floor:     {row.floor}")
        print(f"    ratio {row.ratio}; goal {row.goal}: {verdict[row.met]}")
    print("\nwhere the time goes:")
    for step, value in breakdown(r):
        print(f"    {step}: {value}")


MACHINE_KEYS = ("CPU", "OS", "Python", "keyring", "load")


def machine_info(started: float, load_before: str) -> dict[str, str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        from importlib.metadata import version

        pyside = version("PySide6-Essentials")
    except Exception:  # information only
        pyside = "?"
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "plexlogin": f"commit {commit or '?'} (source install)",
        "CPU": f"{cpu}, {os.cpu_count()} cores, shared with other work",
        "load": f"load average {load_before} before the run, "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + " after",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": f"{platform.python_version()}, PySide6-Essentials {pyside}, "
        "QT_QPA_PLATFORM=offscreen",
        "keyring": "gnome-keyring (Secret Service) in a private D-Bus session",
        "took": f"{time.monotonic() - started:.0f} s",
    }


RESULTS_BEGIN = "<!-- results: benchmarks/run.py rewrites everything down to 'results end' -->"
RESULTS_END = "<!-- results end -->"


def write_docs(path: Path, table: str) -> None:
    """Replace the results between the markers and keep the prose around them."""
    block = f"{RESULTS_BEGIN}\n{table}{RESULTS_END}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Performance\n\n{block}\n")
        return
    text = path.read_text()
    pattern = re.compile(re.escape(RESULTS_BEGIN) + ".*?" + re.escape(RESULTS_END), re.S)
    if pattern.search(text):
        path.write_text(pattern.sub(lambda _m: block, text, count=1))
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + block + "\n")


# --- the run -----------------------------------------------------------------------------


#: label -> (source folder, its results) of every --variant
Variants = dict[str, tuple[str, Results]]


def parse_variants(specs: list[str]) -> Variants:
    """``LABEL=DIR`` options as label -> (absolute DIR, empty results)."""
    variants: Variants = {}
    for spec in specs:
        label, _, directory = spec.partition("=")
        if not directory or not Path(directory, "plexlogin").is_dir():
            raise BenchmarkError(f"--variant {spec!r}: want LABEL=DIR, with DIR/plexlogin")
        variants[label] = (str(Path(directory).resolve()), Results())
    return variants


def launch_rounds(bench: Bench, results: Results, variants: Variants, launches: int) -> None:
    """Warm up, then ``launches`` rounds of the floors, the window and every variant."""
    print(f"warming up, then {launches} rounds of launches", flush=True)
    scratch = Results()
    qt_types = window_qt_types()
    floor_launch(bench, scratch, heavy=False)
    floor_launch(bench, scratch, heavy=True)
    floor_launch(bench, scratch, qt_types=qt_types)
    window_signin(bench, Results(), scratch)
    for index in range(launches):
        # alternating, so that a busy moment hits the floors and plexlogin alike
        floor_launch(bench, results, heavy=False)
        window_to_paint(bench, results, results)
        floor_launch(bench, results, heavy=True)
        window_signin(bench, results, results)
        floor_launch(bench, results, qt_types=qt_types)
        network_signin(bench, results)
        for source, variant in variants.values():
            window_to_paint(bench, variant, results, source)
            window_signin(bench, variant, results, source)
            network_signin(bench, variant, source)
        print(
            f"  {index + 1}/{launches}: bare window {ms(results.floor_paint.values[-1])}"
            f", plexlogin painted {ms(results.first_paint.values[-1])}"
            f", codes {ms(results.codes_shown.values[-1])}",
            flush=True,
        )


def signin_rounds(bench: Bench, results: Results, variants: Variants, signins: int) -> None:
    """``signins`` terminal sign-ins, approved at phases spread over the poll period."""
    print(f"{signins} terminal sign-ins, approved at spread poll phases", flush=True)
    phases = [(i + 0.5) / signins * POLL_PERIOD for i in range(signins)]
    bench.random.shuffle(phases)
    for index, phase in enumerate(phases):
        terminal_signin(bench, results, phase)
        for source, variant in variants.values():
            terminal_signin(bench, variant, phase, source)
        print(
            f"  {index + 1}/{signins}: approved {phase:.2f} s after a poll, "
            f"stored after {secs(results.approve_stored.values[-1])}, "
            f"exit after {secs(results.approve_exit.values[-1])}",
            flush=True,
        )


def measure(args: argparse.Namespace, bench: Bench, results: Results, variants: Variants) -> None:
    """Every measurement of one run, into ``results`` (and each variant's)."""
    launch_rounds(bench, results, variants, args.launches)
    print(f"a renewal: PINs that live {RENEWAL_LIFETIME:.0f} s", flush=True)
    renewal_run(bench, results)
    signin_rounds(bench, results, variants, args.signins)
    print(f"waiting {args.idle:.0f} s with the window and the terminal open", flush=True)
    idle_runs(bench, results, args.idle)
    bench.flush_watch(wait=True)
    results.late_requests = bench.late_requests
    results.watched_exits = bench.watched_exits


def write_json(path: Path, rows: list[Row], results: Results, machine: dict[str, str]) -> None:
    """Every row and raw sample, for tools that compare runs."""
    samples = {k: v.values for k, v in vars(results).items() if isinstance(v, Sample)}
    report = {
        "machine": machine,
        "rows": [vars(row) for row in rows],
        "samples": samples,
        "rates": results.rates,
        "idle": results.idle,
    }
    path.write_text(json.dumps(report, indent=2))


def verdict(rows: list[Row], *, fail_on_regression: bool) -> int:
    """Say whether any figure is over :data:`REGRESSION` times its floor; the exit code."""
    regressions = [row.regression for row in rows if row.regression]
    if regressions:
        print(f"\nREGRESSION: more than {REGRESSION:g}x the floor of this run:")
        for regression in regressions:
            print(f"  - {regression}")
        return 1 if fail_on_regression else 0
    print(f"no figure is more than {REGRESSION:g}x its floor")
    return 0


def run(args: argparse.Namespace) -> int:
    """Measure, print the table, write what was asked; 1 on a regression in --quick/--strict."""
    started = time.monotonic()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    variants = parse_variants(args.variant)
    bench = Bench(args.seed)
    results = Results()
    try:
        measure(args, bench, results, variants)
    finally:
        bench.close()

    rows = build_rows(results)
    print_table(rows, results)
    for label, (source, variant) in variants.items():
        print("\n".join(variant_lines(label, source, variant, results)))
    machine = machine_info(started, load_before)
    if args.docs:
        write_docs(Path(args.docs), markdown(rows, results, machine, args.quick))
        print(f"\nwrote {args.docs}")
    if args.json:
        write_json(Path(args.json), rows, results, machine)
    print(f"\ntook {machine['took']}")
    return verdict(rows, fail_on_regression=args.quick or args.strict)


# --- a private Secret Service -----------------------------------------------------------


def in_keyring_session(argv: list[str]) -> int:
    """Run this script again under dbus-run-session, with a throwaway HOME."""
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            print(f"benchmark: {tool} is needed (or pass --in-session)", file=sys.stderr)
            return 2
    home = Path(tempfile.mkdtemp(prefix="plexlogin-bench-home-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ)
    for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env.pop(name, None)
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), **{SESSION_ENV: "1"})
    try:
        return subprocess.call(
            ["dbus-run-session", "--", sys.executable, str(Path(__file__).resolve()), *argv],
            env=env,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description="plexlogin next to its floor",
        epilog="Exit status: 0 done, 1 a figure is more than 2x its floor (--quick, "
        "--strict), 2 the benchmark could not measure.",
    )
    parser.add_argument("--quick", action="store_true", help="CI: fewer runs, exit 1 on >2x")
    parser.add_argument("--launches", type=int, help="rounds of launches (15; quick 7)")
    parser.add_argument("--signins", type=int, help="terminal sign-ins (20; quick 6)")
    parser.add_argument("--idle", type=float, help="seconds of waiting (60; quick 10)")
    parser.add_argument("--docs", help=f"write the results here (default {DOCS}; quick: no)")
    parser.add_argument("--no-docs", action="store_true", help="write no docs")
    parser.add_argument("--json", metavar="PATH", help="also write every sample as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on a regression, too")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="also run a patched copy of plexlogin (DIR/plexlogin, put first on "
        "PYTHONPATH) in the same rounds, and print it next to plexlogin as it is",
    )
    parser.add_argument("--seed", type=int, default=6, help="order of the approval phases")
    parser.add_argument(
        "--in-session", action="store_true", help="use this D-Bus session's keyring as is"
    )
    args = parser.parse_args(argv)
    if not args.in_session and os.environ.get(SESSION_ENV) != "1":
        return in_keyring_session(argv)
    if os.environ.get(SESSION_ENV) == "1":
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=b"benchmark",
            stdout=subprocess.DEVNULL,
            check=True,
        )
    args.launches = args.launches or (7 if args.quick else 15)
    args.signins = args.signins or (6 if args.quick else 20)
    args.idle = args.idle or (10.0 if args.quick else 60.0)
    if args.no_docs:
        args.docs = None
    elif args.docs is None and not args.quick:
        args.docs = str(DOCS)
    sys.path.insert(0, str(ROOT))  # the simulator, also from a checkout that is not installed
    try:
        return run(args)
    except BenchmarkError as error:
        print(f"benchmark: could not measure: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
