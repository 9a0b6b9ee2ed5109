"""What the window is told: small, Qt-free snapshots the worker sends across threads.

The worker translates the flow's events into these so the window never imports
:mod:`plexlogin.flow` (which pulls in ``requests``): the window must paint before any slow
import. Everything here is immutable, so handing it from thread to thread is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plexlogin.errors import PlexLoginError


@dataclass(frozen=True)
class QrBitmap:
    """A QR code as one byte per module (0 dark, 255 light), quiet zone included."""

    side: int
    pixels: bytes

    def __post_init__(self) -> None:
        if self.side <= 0 or len(self.pixels) != self.side * self.side:
            raise ValueError("a QR bitmap is side x side bytes")


@dataclass(frozen=True)
class CodesShown:
    """New codes: the short one for plex.tv/link and the QR for the strong PIN's URL.

    ``deadline`` is in the flow's clock (monotonic seconds), like the window's clock.
    """

    code: str
    auth_url: str
    deadline: float
    lifetime: float
    renewed: bool
    qr: QrBitmap


@dataclass(frozen=True)
class CodesExpiring:
    """The codes are being replaced; ``reason`` says why in plain words."""

    reason: str


@dataclass(frozen=True)
class TroubleShown:
    """A request failed and will be retried; ``describe(now)`` gives the status line."""

    describe: Callable[[float], str]


@dataclass(frozen=True)
class TroubleCleared:
    """Requests work again."""


@dataclass(frozen=True)
class Approving:
    """plex.tv handed over a token; the account is being checked."""


@dataclass(frozen=True)
class AccountVerified:
    """The token belongs to this account."""

    username: str
    display_name: str


@dataclass(frozen=True)
class TokenSaved:
    """The token is in the keyring under ``service`` / ``keyring_username``."""

    service: str
    keyring_username: str


@dataclass(frozen=True)
class SaveFailed:
    """The keyring refused the token; it is still held in memory for "Try again"."""

    error: PlexLoginError


@dataclass(frozen=True)
class SignInFailed:
    """The sign-in ended without a token (not by cancelling: the window did that itself)."""

    error: PlexLoginError


State = (
    CodesShown
    | CodesExpiring
    | TroubleShown
    | TroubleCleared
    | Approving
    | AccountVerified
    | TokenSaved
    | SaveFailed
    | SignInFailed
)


def initials(name: str) -> str:
    """One or two letters for the avatar placeholder: "Jane Doe" -> "JD", "plexfan" -> "P"."""
    words = [word for word in name.replace("_", " ").replace(".", " ").split() if word]
    letters = [word[0] for word in words if word[0].isalnum()][:2]
    return "".join(letters).upper() or "?"


def spell_out(code: str) -> str:
    """The code as a screen reader should say it: "7RQZ" -> "7 R Q Z"."""
    return " ".join(code)
