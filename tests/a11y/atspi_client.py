"""Reads plexlogin's window the way a screen reader does: through AT-SPI (what Orca uses).

Run with Debian's ``/usr/bin/python3`` (it has ``gi`` and the Atspi typelib; the project's
virtualenv does not). It finds the application named ``sys.argv[1]`` on the accessibility
bus, listens to the events a screen reader listens to, and answers one command per line on
stdin with one JSON line on stdout:

- ``tree``: every node of the application (role, name, description, states, relations)
- ``events``: the events heard since the last ``events`` (type, source, detail, data)
"""

from __future__ import annotations

import json
import sys
from typing import Any

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

EVENTS = (
    "object:announcement",
    "object:state-changed:focused",
    "object:text-changed:insert",
    "object:property-change:accessible-name",
)
STATES = ("showing", "focusable", "focused", "enabled")


def find_application(name: str) -> Any:
    """The application called ``name`` on the bus, or None."""
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(index)
        if app is not None and app.get_name() == name:
            return app
    return None


def describe(node: Any) -> dict[str, Any]:
    """What a screen reader can say about ``node``."""
    states = node.get_state_set()
    entry: dict[str, Any] = {
        "role": node.get_role_name(),
        "name": node.get_name(),
        "description": node.get_description(),
        "states": [s for s in STATES if states.contains(getattr(Atspi.StateType, s.upper()))],
        "labelled_by": [],
    }
    for relation in node.get_relation_set() or []:
        if relation.get_relation_type() == Atspi.RelationType.LABELLED_BY:
            entry["labelled_by"] += [
                relation.get_target(i).get_name() for i in range(relation.get_n_targets())
            ]
    return entry


def walk(node: Any, depth: int = 0) -> list[dict[str, Any]]:
    """``node`` and everything under it, depth first (the reading order)."""
    entries = [dict(describe(node), depth=depth)]
    for index in range(node.get_child_count()):
        child = node.get_child_at_index(index)
        if child is not None:
            entries += walk(child, depth + 1)
    return entries


class Client:
    """Holds the application and the events heard so far."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.heard: list[dict[str, Any]] = []
        self.listener = Atspi.EventListener.new(self.hear)
        for event in EVENTS:
            self.listener.register(event)

    def hear(self, event: Any) -> None:
        """Keep an event from our application (other applications are not ours)."""
        try:
            source = event.source
            if source.get_application().get_name() != self.name:
                return
            data = event.any_data
            self.heard.append(
                {
                    "type": event.type,
                    "role": source.get_role_name(),
                    "name": source.get_name(),
                    "detail1": event.detail1,
                    "detail2": event.detail2,
                    "data": data if isinstance(data, (str, int, float)) else None,
                }
            )
        except GLib.Error:
            pass  # the source went away meanwhile

    def answer(self, command: str) -> Any:
        """The answer to one command."""
        if command == "events":
            heard, self.heard = self.heard, []
            return heard
        app = find_application(self.name)
        return None if app is None else walk(app)


def main() -> int:
    """Answer commands until stdin closes."""
    client = Client(sys.argv[1])
    loop = GLib.MainLoop()

    def on_input(channel: Any, condition: Any) -> bool:
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        print(json.dumps({"answer": client.answer(line.strip())}), flush=True)
        return True

    GLib.io_add_watch(
        GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.IO_IN | GLib.IO_HUP, on_input
    )
    print(json.dumps({"ready": True}), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
