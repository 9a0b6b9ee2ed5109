"""One request as the handlers see it: method, path, query, headers, body and the model.

Its own module so that every group of handlers (``routes.py``, ``home.py``,
``jwt_routes.py``) can use it without importing the route table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from plexlogin.simulator.model import Model


@dataclass
class Request:
    """One request, read and parsed; ``params`` holds the route pattern's named groups."""

    method: str
    path: str  # no query string, no trailing slash
    query: str
    headers: Message
    body: bytes
    model: Model
    base_url: str  # what the client used to reach the API, e.g. http://127.0.0.1:5000
    base: str = ""  # the path the pages' links start with
    trusted: bool = False  # the path carried the run's secret (see guard.py)
    params: dict[str, str] = field(default_factory=dict)

    def header_or_query(self, name: str) -> str | None:
        """A header, or (as plex.tv also accepts) a query parameter of the same name."""
        header = self.headers.get(name)
        if header is not None:
            return str(header).strip()
        from_query = parse_qs(self.query).get(name)
        return from_query[0].strip() if from_query else None

    @property
    def wants_json(self) -> bool:
        """plex.tv answers XML unless the client accepts JSON."""
        return "application/json" in self.headers.get("Accept", "").lower()

    @property
    def pin_id(self) -> int | None:
        """The PIN id in the path, when it is one (``/api/v2/pins/abc`` has none)."""
        raw = self.params.get("pin", "")
        return int(raw) if raw.isascii() and raw.isdigit() else None

    def form(self) -> dict[str, list[str]]:
        """The body as an HTML form."""
        return parse_qs(self.body.decode("utf-8", "replace")) if self.body else {}

    def query_value(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or None."""
        values = parse_qs(self.query).get(name)
        return values[0] if values else None

    @property
    def client_id(self) -> str:
        """``X-Plex-Client-Identifier`` (header or query), or ``""`` when it is missing."""
        return self.header_or_query("X-Plex-Client-Identifier") or ""

    @property
    def token(self) -> str | None:
        """``X-Plex-Token`` (header or query), or None when it is missing or empty."""
        return self.header_or_query("X-Plex-Token") or None

    def json_body(self) -> dict[str, Any] | None:
        """The body as a JSON object, or None when it is empty or not one."""
        if not self.body.strip():
            return None
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
