"""The ``--json`` line: one object with every key, for every subcommand and every ending.

Setup wizards read ``data["username"]`` and the like, so every key is always present
(null when unknown) and the line never holds the token. A run fills its report as it
learns things (the keyring service from the flags, the client id from the config, the
account from plex.tv), so even a run cancelled half-way prints what it knew. Adding a key
to the contract is adding a field here.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from plexlogin.login import LoginSettings, Outcome


@dataclass
class Report:
    """The ``--json`` object, in the contract's key order."""

    status: str | None = None
    username: str | None = None
    keyring_service: str | None = None
    keyring_username: str | None = None
    client_id: str | None = None
    error: str | None = None
    #: what the entry holds: "legacy" (a long-lived token) or "jwt" (a Plex JWT)
    auth: str | None = None
    #: for a Plex JWT: when it expires, ISO 8601 in UTC (it renews itself; docs/jwt.md)
    expires_at: str | None = None
    #: the Plex Home profile switched to (its title), or null when no switch happened
    profile: str | None = None

    def learned(self, settings: LoginSettings) -> None:
        """What the sign-in's settings say about where the token goes."""
        self.keyring_service = settings.keyring_service
        self.keyring_username = self.keyring_username or settings.keyring_username
        self.client_id = settings.client_id
        self.auth = settings.auth

    def ended(self, outcome: Outcome) -> None:
        """How the sign-in ended."""
        self.status = outcome.status.value
        self.username = outcome.username
        self.keyring_username = outcome.keyring_username or self.keyring_username
        self.error = outcome.error
        self.expires_at = outcome.expires_at or self.expires_at
        self.profile = outcome.profile

    def as_json(self) -> dict[str, object]:
        """Every key, null when unknown."""
        return dataclasses.asdict(self)

    def write(self, out: TextIO | None = None) -> None:
        """The one JSON line, flushed at once (a wizard may be reading a pipe)."""
        out = out or sys.stdout
        out.write(json.dumps(self.as_json()) + "\n")
        out.flush()
