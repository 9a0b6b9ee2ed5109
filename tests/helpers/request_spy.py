"""Watch every request a PlexClient makes, without mocking anything under it."""

from __future__ import annotations

from collections.abc import Callable

from plexlogin.plex import PlexClient

#: the client's three calls to plex.tv
REQUESTS = ("create_pin", "poll_pin", "get_user")


def spy_on_requests(client: PlexClient, on_call: Callable[[str, object], None]) -> None:
    """Call ``on_call(name, first argument or None)`` before each real request."""
    for name in REQUESTS:
        real = getattr(client, name)

        def spy(*args: object, _real: Callable[..., object] = real, _name: str = name) -> object:
            on_call(_name, args[0] if args else None)
            return _real(*args)

        setattr(client, name, spy)
