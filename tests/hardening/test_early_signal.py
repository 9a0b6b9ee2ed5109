"""SIGTERM in plexlogin's first milliseconds: exit 3 and the --json line from our first code on.

The console script's entry (plexlogin.entry) takes SIGTERM over before anything slow is
imported and writes a ``sigterm-handled`` start-up mark at that moment. A signal sent after
the mark must end in exit 3 with the one JSON line; one sent before it lands in the
interpreter's own start-up, where only the default action exists (killed, nothing on
stdout). Never anything else: no traceback, no half line, no other exit code.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from plexlogin.simulator import Simulator

from .harness import SERVICE, Child, finish

#: after spawning; the last ones come long after any start-up, even on a loaded machine
DELAYS_MS = (5, 15, 30, 45, 60, 100, 1000)


def _handled_at(marks: Path) -> int | None:
    if not marks.exists():
        return None
    for line in marks.read_text().splitlines():
        what, _, ns = line.partition(" ")
        if what == "sigterm-handled":
            return int(ns)
    return None


@pytest.mark.slow
def test_sigterm_at_any_early_moment(child: Child, simulator: Simulator, tmp_path: Path) -> None:
    seen: list[tuple[int, int, bool]] = []
    for delay in DELAYS_MS:
        marks = tmp_path / f"marks-{delay}"
        env = child.env(PLEXLOGIN_PAINT_MARK=str(marks))
        args = ["login", "--terminal", "--json", "--plex-url", simulator.url]
        spawned = time.monotonic_ns()
        process = child.start(*args, "--keyring-service", SERVICE, env=env)
        time.sleep(max(0.0, spawned / 1e9 + delay / 1000 - time.monotonic()))
        sent = time.monotonic_ns()
        process.send_signal(signal.SIGTERM)
        result = finish(process, timeout=10)
        result.assert_clean()
        handled = _handled_at(marks)
        ours = handled is not None and handled < sent
        seen.append((delay, result.returncode, ours))
        if ours or result.returncode != -signal.SIGTERM:
            assert result.returncode == 3, (delay, result.stderr)
            data = result.json
            assert data["status"] == "cancelled" and data["keyring_service"] in (SERVICE, None)
        else:  # still in the interpreter's start-up: no code of ours ran yet
            assert result.stdout == "" and handled is None, (delay, result.stderr)
    assert seen[-1][1:] == (3, True), f"a second in, SIGTERM must be ours: {seen}"
