"""Accounts and what tokens say about them: users, Home members, grants, refusals.

Plain records shared by the model, the answers and the JWT side (``devices.py``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Final

from plexlogin.simulator.profiles import HomeProfile

TOKEN_PREFIX: Final = "SIMULATED-"
"""Every token the simulator issues starts with this, so a fake one is never mistaken for real."""


class Refused(Exception):
    """plex.tv refuses the request: its HTTP status and the message of its error body."""

    def __init__(self, status: int, message: str = "User could not be authenticated") -> None:
        """A refusal with ``status`` (401 gets plex.tv's code 1001, others their status)."""
        super().__init__(message)
        self.status = status
        self.message = message

    def error(self) -> dict[str, object]:
        """The entry of plex.tv's ``{"errors": [...]}``."""
        code = 1001 if self.status == 401 else self.status
        return {"code": code, "message": self.message, "status": self.status}


def is_simulated_token(token: str) -> bool:
    """Whether ``token`` is one of the simulator's own: a ``SIMULATED-`` token, or a JWT
    signed with its ``SIMULATED-`` key (a real token is never written to the log)."""
    if token.startswith(TOKEN_PREFIX):
        return True
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except ValueError:
        return False
    kid = decoded.get("kid") if isinstance(decoded, dict) else None
    return isinstance(kid, str) and kid.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class User:
    """A plex.tv account: made up the first time a PIN was approved for it, or a Home profile.

    ``username`` is None for a Home's managed user, which has only a ``title``.
    """

    id: int
    uuid: str
    username: str | None
    joined: int
    title: str
    restriction_profile: str | None = None

    @property
    def restricted(self) -> bool:
        """Managed users are restricted, and so is anyone with a rating preset."""
        return self.username is None or self.restriction_profile is not None


@dataclass(frozen=True)
class Member:
    """A Home profile and the account behind it."""

    profile: HomeProfile
    user: User


@dataclass(frozen=True)
class Membership:
    """What an account's Home looks like to it; ``members`` is empty when it has no Home."""

    home_id: int
    name: str
    members: tuple[Member, ...]

    def member(self, user: User) -> Member | None:
        """``user``'s own profile, when ``user`` is in this Home."""
        return next((m for m in self.members if m.user.uuid == user.uuid), None)


@dataclass(frozen=True)
class Grant:
    """Who a token signs in, and which client it was issued to."""

    uuid: str
    client_id: str
    kid: str | None = None  # a Plex JWT's device key; None for a legacy token
