"""Plex Home profiles as a test or the demo describes them: who is in the Home, who is protected.

Pure data: the model turns a :class:`Home` into accounts with ids, uuids and tokens, and
``home.py`` answers plex.tv's Home endpoints from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

RestrictionProfile = Literal["little_kid", "older_kid", "teen"]
_RESTRICTION_PROFILES: Final = frozenset({"little_kid", "older_kid", "teen"})

DEMO_PROFILE_PIN: Final = "1234"
"""The PIN of the demo Home's protected profile ("Mia"). Fake, like every simulator secret."""


@dataclass(frozen=True)
class HomeProfile:
    """One profile of a Plex Home.

    ``username`` None makes a *managed* user: no plex.tv login of its own, only a title,
    always restricted. ``pin`` (four digits) makes the profile protected: switching to it
    needs the PIN. ``restriction_profile`` is plex.tv's content rating preset.
    """

    title: str
    username: str | None = None
    pin: str | None = field(default=None, repr=False)  # a household secret: never in a repr
    admin: bool = False
    restriction_profile: RestrictionProfile | None = None

    def __post_init__(self) -> None:
        self.check()

    @property
    def managed(self) -> bool:
        """A managed user has no plex.tv login (and so no username or e-mail)."""
        return self.username is None

    @property
    def protected(self) -> bool:
        """Switching to this profile needs its PIN."""
        return self.pin is not None

    @property
    def restricted(self) -> bool:
        """plex.tv restricts every managed user, and any profile with a rating preset."""
        return self.managed or self.restriction_profile is not None

    def check(self) -> None:
        """Raise ``ValueError`` for a profile plex.tv could not have."""
        if not self.title.strip():
            raise ValueError("a Home profile needs a title")
        if self.username is not None and not self.username.strip():
            raise ValueError("a username must not be empty (None makes a managed user)")
        if self.pin is not None and not (
            len(self.pin) == 4 and self.pin.isascii() and self.pin.isdigit()
        ):
            raise ValueError("a profile PIN is four digits")
        if self.restriction_profile not in (None, *_RESTRICTION_PROFILES):
            raise ValueError(f"unknown restriction profile {self.restriction_profile!r}")
        if self.admin and self.managed:
            raise ValueError("the Home's admin has a plex.tv login (a username)")


@dataclass(frozen=True)
class Home:
    """A Plex Home: its name and its profiles, exactly one of them the admin."""

    profiles: tuple[HomeProfile, ...]
    name: str = "Home"

    def __post_init__(self) -> None:
        self.check()

    @property
    def admin(self) -> HomeProfile:
        """The profile that owns the Home (it approves sign-ins unless told otherwise)."""
        return next(profile for profile in self.profiles if profile.admin)

    def check(self) -> None:
        """Raise ``ValueError`` for a Home plex.tv could not have."""
        for profile in self.profiles:
            profile.check()
        if sum(profile.admin for profile in self.profiles) != 1:
            raise ValueError("a Home has exactly one admin")
        titles = [profile.title.casefold() for profile in self.profiles]
        usernames = [p.username.casefold() for p in self.profiles if p.username is not None]
        if len(set(titles)) != len(titles) or len(set(usernames)) != len(usernames):
            raise ValueError("the profiles' titles and usernames must be unique")


DEMO_HOME: Final = Home(
    name="The Demo Home",
    profiles=(
        HomeProfile("Alex", username="alex", admin=True),
        HomeProfile("Sam", username="sam"),
        HomeProfile("Mia", pin=DEMO_PROFILE_PIN, restriction_profile="little_kid"),
        HomeProfile("Jules", restriction_profile="teen"),
    ),
)
"""The Home of ``--demo``: an admin, a second adult, a protected child and an unprotected teen."""
