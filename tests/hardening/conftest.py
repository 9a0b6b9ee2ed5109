"""Fixtures of the hardening suite: the simulator, the test keyring, and child processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plexlogin.simulator import Simulator
from tests.helpers.socket_keyring import KeyringServer, keyring_server

from .harness import Child, WatchedSimulator


@pytest.fixture
def simulator() -> Iterator[WatchedSimulator]:
    """The plex.tv simulator, telling tests when a request meets an injected fault."""
    sim = WatchedSimulator()
    with sim:  # (entering gives the base type back: keep the watched one)
        yield sim


@pytest.fixture
def keyring_srv() -> Iterator[KeyringServer]:
    """The keyring a child plexlogin uses (secrets held in this process, never on disk)."""
    with keyring_server() as server:
        yield server


@pytest.fixture
def child(tmp_path: Path, simulator: Simulator, keyring_srv: KeyringServer) -> Child:
    """Starts plexlogin processes against ``simulator`` with a private config and keyring."""
    return Child(tmp_path, simulator, keyring_srv)
