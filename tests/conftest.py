"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plexlogin.simulator import Simulator
from tests.helpers.fake_clock import FakeClock

# Qt aborts without a display; the Xvfb run sets QT_QPA_PLATFORM=xcb itself
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: fixtures every test may ask for by name, registered once here (use_keyring, memory_keyring)
pytest_plugins = ["tests.helpers.keyring_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own config folder: the person's real one is never touched."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("PLEXLOGIN_CONFIG_DIR", str(folder))
    monkeypatch.delenv("PLEXLOGIN_PLEX_URL", raising=False)
    return folder


@pytest.fixture
def make_sim() -> Iterator[Callable[..., Simulator]]:
    """Start simulators with any options; all are stopped after the test."""
    started: list[Simulator] = []

    def make(**options: Any) -> Simulator:
        sim = Simulator(**options).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(make_sim: Callable[..., Simulator]) -> Simulator:
    """The built-in plex.tv simulator on a free loopback port, with plex.tv's lifetimes."""
    return make_sim()


@pytest.fixture
def clock() -> FakeClock:
    """Fake monotonic time that moves only when the code under test waits."""
    return FakeClock()
