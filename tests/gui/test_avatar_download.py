"""The avatar comes the way every other request goes: through the person's proxy."""

from __future__ import annotations

import pytest

from plexlogin.gui.worker import _download
from plexlogin.simulator import Simulator
from tests.test_plex_network import PROXY_VARIABLES, ForwardProxy, proxy

__all__ = ["proxy"]  # a fixture, used by name

pytestmark = pytest.mark.gui


def test_the_avatar_download_honours_the_proxy(
    sim: Simulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    avatar = f"{sim.url}/users/avatar.png"
    _download(avatar, timeout=5)
    assert [(seen.method, seen.target) for seen in proxy.seen] == [("GET", avatar)]
