"""A fake clock that is also the flow's waiter: waiting advances time instantly.

``clock.at(t, fn)`` runs ``fn`` when fake time reaches ``t`` (seconds after the start), so
a test can approve a PIN "after 5 s" or cancel "after 90 s" without sleeping.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count


class FakeClock:
    """Monotonic seconds that move only when the code under test waits."""

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self.now = start
        self._cancelled = False
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = count()

    def __call__(self) -> float:
        return self.now

    @property
    def elapsed(self) -> float:
        """Fake seconds since the start."""
        return self.now - self.start

    def at(self, elapsed: float, action: Callable[[], None]) -> None:
        """Run ``action`` once fake time reaches ``elapsed`` seconds after the start."""
        heapq.heappush(self._timers, (self.start + elapsed, next(self._order), action))

    # -- the threading.Event interface the flow waits on --

    def wait(self, timeout: float | None = None) -> bool:
        if self._cancelled:
            return True
        assert timeout is not None, "the flow must never wait without a bound"
        until = self.now + timeout
        while self._timers and self._timers[0][0] <= until and not self._cancelled:
            when, _, action = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            action()
        if not self._cancelled:
            self.now = max(self.now, until)
        return self._cancelled

    def set(self) -> None:
        self._cancelled = True

    def is_set(self) -> bool:
        return self._cancelled
