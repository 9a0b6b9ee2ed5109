"""One recorder for sign-in tests: every event the flow emits and every request it makes.

Times are the fake clock's ``now``, the same clock the events' own times (``retry_at``,
``deadline``) are on, so a test compares them directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TypeVar

from plexlogin.plex import PlexClient
from tests.helpers.fake_clock import FakeClock
from tests.helpers.request_spy import spy_on_requests

E = TypeVar("E")

#: a flow that asks this often without ever waiting is looping: fake time would never pass
RUNAWAY_REQUESTS = 20_000


@dataclass
class FlowRecorder:
    """The flow's event sink (call it with an event) and a spy on its client's requests."""

    clock: FakeClock
    #: (fake time, request name, PIN id or token) of every request, in order
    calls: list[tuple[float, str, object]] = field(default_factory=list)
    #: every event, in order (the recorder does not care which module defines them)
    events: list[object] = field(default_factory=list)
    #: fake time at which each event was emitted
    emitted: list[float] = field(default_factory=list)
    #: real ``time.monotonic()`` at which each event was emitted (requests take real time)
    real: list[float] = field(default_factory=list)

    def __call__(self, event: object) -> None:
        self.record(event)

    def record(self, event: object) -> None:
        """Keep ``event`` and the fake time it came."""
        self.events.append(event)
        self.emitted.append(self.clock.now)
        self.real.append(time.monotonic())

    def of(self, kind: type[E]) -> list[E]:
        """The events of one kind, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    def times(self, name: str) -> list[float]:
        """When each request to ``name`` (``create_pin``, ``poll_pin``, ``get_user``) went out."""
        return [t for t, call, _ in self.calls if call == name]

    def watch(self, client: PlexClient) -> None:
        """Record every request ``client`` makes from now on."""

        def on_call(name: str, arg: object) -> None:
            self.calls.append((self.clock.now, name, arg))
            assert len(self.calls) < RUNAWAY_REQUESTS, "runaway: requests without waiting"

        spy_on_requests(client, on_call)
