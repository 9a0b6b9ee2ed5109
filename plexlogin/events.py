"""What a sign-in tells its front-end: the one vocabulary of the flow, the terminal and the window.

Every front-end (window, terminal, tests, a Python caller) hears these same events, so a new
stage is told once. This module imports neither ``requests`` nor Qt: the window imports it
before its first paint, and the values cross threads safely because they are immutable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from plexlogin.errors import KeyringError, PlexLoginError
from plexlogin.i18n import N_, format_number, ngettext


@dataclass(frozen=True)
class Account:
    """The account a token belongs to, as much as a front-end needs to show it.

    ``username`` is None for a Plex Home managed profile, which has no account name of its
    own; ``display_name`` always says something.
    """

    username: str | None
    display_name: str
    title: str | None = None
    thumb: str | None = None
    uuid: str | None = None


@dataclass(frozen=True)
class Profile:
    """One profile of a Plex Home: who a device may sign in as (GET /api/v2/home/users).

    ``username`` is None for a managed user (no plex.tv login, only a title). No token and
    no PIN ever live here: a profile is safe to show and to print as JSON.
    """

    id: int
    uuid: str
    title: str
    username: str | None = None
    thumb: str | None = None
    admin: bool = False
    protected: bool = False
    restricted: bool = False
    restriction_profile: str | None = None

    def is_named(self, name: str) -> bool:
        """Whether ``name`` is this profile's title or username, ignoring case."""
        wanted = name.strip().casefold()
        return wanted in (self.title.casefold(), (self.username or "").casefold())


@dataclass(frozen=True)
class CodesReady:
    """New codes to show; ``deadline`` is in the flow's clock (monotonic seconds)."""

    code: str
    auth_url: str
    deadline: float
    lifetime: float
    expires_at: datetime  # local wall-clock time, for display only
    renewed: bool


@dataclass(frozen=True)
class Renewing:
    """The codes expired (or the token was rejected): new ones are on their way."""

    reason: str


@dataclass(frozen=True)
class Trouble:
    """A request failed; the flow retries at ``retry_at`` (flow clock) by itself."""

    message: str
    retry_at: float
    error: PlexLoginError

    def describe(self, now: float) -> str:
        """E.g. "Can't reach plex.tv — retrying in 8 s"."""
        seconds = max(0, round(self.retry_at - now))
        # TRANSLATORS: {message} is a short phrase such as "Can't reach plex.tv";
        # "s" abbreviates seconds
        return ngettext(
            "{message} — retrying in {count} s",
            "{message} — retrying in {count} s",
            seconds,
        ).format(message=self.message, count=format_number(seconds))


@dataclass(frozen=True)
class Recovered:
    """Requests succeed again after Trouble."""


@dataclass(frozen=True)
class Approved:
    """plex.tv handed over a token; it is being checked."""

    via_qr: bool


@dataclass(frozen=True)
class Verified:
    """plex.tv accepted the token: it belongs to ``account``; saving it comes next."""

    account: Account


@dataclass(frozen=True)
class ProfilesOffered:
    """The approving account is in a Plex Home: the person may sign this device in as one of
    ``profiles`` (the signed-in one, ``current`` by uuid, first). Nothing is stored yet."""

    profiles: tuple[Profile, ...]
    current: str | None


@dataclass(frozen=True)
class ProfileSwitched:
    """plex.tv switched to ``profile`` and accepted its own token (``account``); saving is next."""

    profile: Profile
    account: Account


@dataclass(frozen=True)
class Stored:
    """The token is in the keyring under ``service``/``username``."""

    service: str
    username: str
    #: False when the keyring lives only in this process (--demo without a system keyring);
    #: each front-end says which in a whole sentence of its own
    lasting: bool = True


@dataclass(frozen=True)
class WaitingForKeyring:
    """The keyring is locked: the verified token waits in memory and the write is tried
    again until the keyring opens, the person cancels or ``--timeout`` runs out."""

    error: KeyringError
    #: marked for the catalog; a front-end shows ``_(message)``
    message: str = N_("The system keyring is locked. Unlock your keyring; waiting…")


@dataclass(frozen=True)
class StoreFailed:
    """The keyring refused the token; it is still held in memory for another try."""

    error: KeyringError


@dataclass(frozen=True)
class Failed:
    """The sign-in ended without a token (cancelled, timed out, or gave up)."""

    error: PlexLoginError


Event = (
    CodesReady
    | Renewing
    | Trouble
    | Recovered
    | Approved
    | Verified
    | ProfilesOffered
    | ProfileSwitched
    | Stored
    | WaitingForKeyring
    | StoreFailed
    | Failed
)
