"""Measure the numbers docs/packaging.md reports: bundle sizes and launch -> window painted.

    python packaging/measure.py [--runs 9] [--no-bare]

Needs a build in dist/ (packaging/build.sh). Builds the bare-PySide6-window floor itself
(packaging/bench/bare.spec, slimmed and with PyInstaller's defaults) unless --no-bare.

"Painted" is the ``first-paint <monotonic ns>`` line the window appends to
$PLEXLOGIN_PAINT_MARK from its first paintEvent; the clock starts just before the process
is spawned. Every run is offscreen in a throwaway HOME, pointed at a closed loopback port
(the window paints before it talks to plex.tv), and ends with SIGTERM once painted.
Variants take turns run by run so a busy machine slows all of them alike; one warm-up
run each is not counted. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import app_metadata  # noqa: E402

#: a loopback port nothing listens on: the sign-in fails after the window has painted
CLOSED_URL = "http://127.0.0.1:9"


def tree_size(path: Path) -> int:
    """Bytes in a file, or in all files below a folder (symlinks count as themselves)."""
    if path.is_file():
        return path.stat().st_size
    return sum(
        item.lstat().st_size for item in path.rglob("*") if item.is_file() or item.is_symlink()
    )


def launch_to_paint(command: list[str], home: Path, timeout: float = 60.0) -> float:
    """Seconds from spawning ``command`` to its window's first paint."""
    mark = home / "paint-mark"
    mark.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": str(home / "tmp"),
        "QT_QPA_PLATFORM": "offscreen",
        "PLEXLOGIN_PAINT_MARK": str(mark),
    }
    (home / "tmp").mkdir(exist_ok=True)
    started = time.monotonic_ns()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if mark.exists():
                for line in mark.read_text(encoding="utf-8").splitlines():
                    what, _, ns = line.partition(" ")
                    if what == "first-paint":
                        return (int(ns) - started) / 1e9
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited {process.returncode}: {process.stderr}")
            time.sleep(0.002)
        raise RuntimeError(f"{command[0]} did not paint within {timeout} s")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the one-file bootloader passes it on
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        leftovers = list((home / "tmp").iterdir())
        if leftovers:  # a one-file app must clean up the folder it unpacked itself into
            raise RuntimeError(f"{command[0]} left {leftovers} behind")


def source_command() -> list[str]:
    """The pip-installed console script beside this Python, else ``python -m plexlogin``."""
    script = Path(sys.executable).with_name("plexlogin")
    return [str(script)] if script.exists() else [sys.executable, "-m", "plexlogin"]


def build_bare(plain: bool) -> Path:
    """Build the bare window (slimmed, or with PyInstaller defaults); returns its dist/."""
    kind = "plain" if plain else "slim"
    dist = ROOT / "build" / "bench" / kind / "dist"
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
        "--distpath", str(dist), "--workpath", str(ROOT / "build" / "bench" / kind / "work"),
        str(HERE / "bench" / "bare.spec"), "--", *(["--plain"] if plain else []),
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)
    return dist


def plexlogin_bundles(version: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Commands to launch plexlogin each way it ships, and the size of each bundle."""
    onedir = ROOT / "dist" / "plexlogin"
    onefile = ROOT / "dist" / f"plexlogin-{version}-linux-{os.uname().machine}"
    tarball = onefile.with_name(onefile.name + ".tar.gz")
    for path in (onedir, onefile, tarball):
        if not path.exists():
            sys.exit(f"measure.py: {path} is missing: run packaging/build.sh first")
    plexlogin_args = ["--plex-url", CLOSED_URL]
    variants: dict[str, list[str]] = {
        "plexlogin, source install": [*source_command(), *plexlogin_args],
        "plexlogin, one-folder": [str(onedir / "plexlogin"), *plexlogin_args],
        "plexlogin, one-file": [str(onefile), *plexlogin_args],
    }
    sizes: dict[str, int] = {
        "plexlogin one-folder": tree_size(onedir),
        "plexlogin one-file": tree_size(onefile),
        "plexlogin .tar.gz": tree_size(tarball),
    }
    return variants, sizes


def add_bare_floor(variants: dict[str, list[str]], sizes: dict[str, int]) -> None:
    """Build the bare-window floor both ways; add its sizes, and launches of the slim one."""
    for plain in (False, True):
        dist = build_bare(plain)
        label = "PyInstaller defaults" if plain else "slimmed like plexlogin"
        sizes[f"bare window one-folder ({label})"] = tree_size(dist / "bare")
        sizes[f"bare window one-file ({label})"] = tree_size(dist / "bare-onefile")
        if not plain:
            bare_source = HERE / "bench" / "bare_window.py"
            variants["bare window, source"] = [sys.executable, str(bare_source)]
            variants["bare window, one-folder"] = [str(dist / "bare" / "bare")]
            variants["bare window, one-file"] = [str(dist / "bare-onefile")]


def time_launches(variants: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Seconds from launch to the first paint, ``runs`` times for each command."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    home = Path(tempfile.mkdtemp(prefix="plexlogin-measure-"))
    try:
        for round_ in range(runs + 1):
            for name, command in variants.items():
                seconds = launch_to_paint(command, home)
                if round_:  # round 0 warms caches and writes plexlogin's config
                    times[name].append(seconds)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return times


def print_tables(sizes: dict[str, int], times: dict[str, list[float]]) -> None:
    """The two Markdown tables docs/packaging.md quotes."""
    print("| bundle | size |\n|---|---:|")
    for name, size in sizes.items():
        print(f"| {name} | {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB) |")
    print("\n| launch -> window painted (offscreen) | median | min | max |\n|---|---:|---:|---:|")
    for name, values in times.items():
        print(
            f"| {name} | {statistics.median(values) * 1000:.0f} ms "
            f"| {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per variant (default 9)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-window floor")
    args = parser.parse_args()

    version = app_metadata.project_version()
    variants, sizes = plexlogin_bundles(version)
    if not args.no_bare:
        add_bare_floor(variants, sizes)
    times = time_launches(variants, args.runs)
    print(f"plexlogin {version}, {args.runs} runs each, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    print_tables(sizes, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
