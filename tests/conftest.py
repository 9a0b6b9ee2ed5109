"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt aborts without a display; the Xvfb run sets QT_QPA_PLATFORM=xcb itself
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
def simulator() -> Iterator[object]:
    """The built-in plex.tv simulator on a free loopback port."""
    from plexlogin.simulator import Simulator

    with Simulator() as sim:
        yield sim
