"""A sign-in left waiting for an hour: renewals on schedule, memory and threads flat.

The hour is fake (the flow's clock), the HTTP is real: every one of the ~7000 polls goes
over loopback to a simulator in a separate process, so that its request log (which grows
by design) is not counted against plexlogin's memory.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from plexlogin import events, flow
from plexlogin.plex import Identity, PlexClient
from tests.helpers.fake_clock import FakeClock

pytestmark = pytest.mark.slow

CLIENT_ID = "1c1e5a57-7a0e-4b8c-9f4e-2d6b8a3c5e71"
HOUR = 3600.0


@pytest.fixture
def simulator_process() -> Iterator[str]:
    """``python -m plexlogin.simulator --port 0`` in its own process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "plexlogin.simulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, process.stderr.read() if process.stderr else line
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.communicate(timeout=10)


def control(url: str, action: str, body: dict[str, object] | None = None) -> object:
    request = urllib.request.Request(
        f"{url}/_sim/{action}",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_an_hour_of_waiting(simulator_process: str) -> None:
    clock = FakeClock()
    samples: list[tuple[float, int, int]] = []  # (fake time, threads, fds) at each new code
    memory: dict[str, int] = {}
    ready: list[events.CodesReady] = []
    # per PIN: (last poll, shortest gap); counters, so the test itself does not grow
    polls: dict[int, tuple[float, float]] = {}
    poll_count = [0]

    def on_event(event: events.Event) -> None:
        if isinstance(event, events.CodesReady):
            ready.append(event)
            samples.append((clock.elapsed, threading.active_count(), open_fds()))

    def measure(name: str) -> None:
        gc.collect()
        # pymalloc's count of live blocks: as telling as tracemalloc for a leak, and free
        memory[name] = sys.getallocatedblocks()

    def approve_the_code_on_screen() -> None:
        with urllib.request.urlopen(f"{simulator_process}/_sim/state", timeout=10) as answer:
            pins = json.loads(answer.read())["pins"]
        newest = max(
            (p for p in pins if not p["strong"] and not p["approved"]), key=lambda p: p["id"]
        )
        control(simulator_process, "approve", {"id": newest["id"], "username": "patient"})

    # the first ten minutes warm every cache up; then the next 47 minutes must be flat
    clock.at(10 * 60 + 30, lambda: measure("start"))
    clock.at(57 * 60 + 30, lambda: measure("end"))
    clock.at(HOUR - 100, approve_the_code_on_screen)

    with PlexClient(Identity(CLIENT_ID), simulator_process) as client:
        real_poll = client.poll_pin

        def poll(pin_id: int) -> object:
            last, shortest = polls.get(pin_id, (-HOUR, HOUR))
            polls[pin_id] = (clock.elapsed, min(shortest, clock.elapsed - last))
            poll_count[0] += 1
            return real_poll(pin_id)

        client.poll_pin = poll  # type: ignore[method-assign]
        signin = flow.SignInFlow(
            client, on_event, timeout=2 * HOUR, clock=clock, waiter=clock, random=lambda: 1.0
        )
        result = signin.run()

    assert result.user.username == "patient"
    assert result.token.reveal().startswith("SIMULATED-")
    assert clock.elapsed == pytest.approx(HOUR - 100, abs=2)  # the next poll after approval
    # renewed on schedule: each pair shown at the deadline of the one before (899 s, the
    # short PIN's life as plex.tv's expiresIn says it: rounded down), made RENEW_AHEAD
    # before it, so later pairs last 899 - RENEW_AHEAD s on screen
    shown_at = [r.deadline - r.lifetime - clock.start for r in ready]
    step = 899 - flow.RENEW_AHEAD
    assert shown_at == pytest.approx([0, 899, 899 + step, 899 + 2 * step], abs=2)
    assert [r.renewed for r in ready] == [False, True, True, True]
    # polled about once a second each, never faster, for the whole hour
    assert len(polls) == 2 * len(ready)
    assert min(shortest for _, shortest in polls.values()) >= 1.0
    assert poll_count[0] >= 2 * (HOUR - 100 - 10)
    # flat: the same threads and file descriptors at every renewal, and no memory growing
    # with the ~5600 requests of those 47 minutes (one leaked object a poll: +5600 blocks)
    assert len({threads for _, threads, _ in samples}) == 1, samples
    assert max(fds for _, _, fds in samples) - min(fds for _, _, fds in samples) <= 2, samples
    growth = memory["end"] - memory["start"]
    assert growth < 1000, f"{growth} more memory blocks after 47 minutes of polling"
