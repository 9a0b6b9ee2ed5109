"""Plex Home: after the approving account's token is verified, which profile this device uses.

The stage between "verified" and "stored" in every front-end: ask plex.tv for the Home's
profiles; one profile (or not a Home) changes nothing. Otherwise a name from the command
line, or the front-end's :class:`ProfileChooser`, picks one; a protected one needs its PIN;
plex.tv switches and hands over the profile's own token, which is verified like any other.

The profile PIN is a household secret: it is passed straight to the switch request and
dropped; it is never logged, never part of an error's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from plexlogin.errors import NoSuchProfile, PlexError, ProfilePinRejected
from plexlogin.events import Event, Profile, ProfilesOffered, ProfileSwitched
from plexlogin.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from plexlogin.flow import SignIn
    from plexlogin.plex import PlexClient

log = logging.getLogger(__name__)

#: what ``--demo``'s Plex Home holds, and the (fake, documented) PIN of its protected profile
#: marked for the catalog; a front-end shows ``_(DEMO_HOME_NOTE)``
DEMO_HOME_NOTE = N_("The demo account is a Plex Home: Alex, Sam, Mia (PIN 1234) and Jules.")


class ProfileChooser(Protocol):
    """What a front-end provides to let the person choose (called in the sign-in's thread).

    Either method may raise :class:`plexlogin.errors.Cancelled` (the person closed the window).
    """

    def choose(self, offer: ProfilesOffered) -> Profile | None:
        """The profile to sign in as, or None to keep the approving account."""

    def pin_for(self, profile: Profile, wrong: bool) -> str | None:
        """``profile``'s PIN (``wrong``: the last one was refused), or None to choose again."""


@dataclass(frozen=True)
class ProfileRequest:
    """What the command line asked for: a profile by name, its PIN, whether to ask at all."""

    name: str | None = None
    pin: str | None = None
    picker: bool = True

    def __repr__(self) -> str:  # the PIN never shows, not even in a traceback's locals
        return f"ProfileRequest(name={self.name!r}, picker={self.picker!r})"


def find_profile(profiles: Sequence[Profile], name: str) -> Profile:
    """The profile called ``name`` (title or username, any case); NoSuchProfile names the rest."""
    for profile in profiles:
        if profile.is_named(name):
            return profile
    if not profiles:
        raise NoSuchProfile(
            _("There is no profile {name}: this account is not in a Plex Home.").format(
                name=repr(name)
            )
        )
    names = _(", ").join(profile.title for profile in profiles)
    raise NoSuchProfile(
        # TRANSLATORS: {profiles} lists the Home's profile names
        _("There is no profile {name} in this Plex Home; its profiles: {profiles}.").format(
            name=repr(name), profiles=names
        )
    )


def current_first(profiles: Sequence[Profile], current: str | None) -> tuple[Profile, ...]:
    """The signed-in profile first, the others in plex.tv's order."""
    return tuple(sorted(profiles, key=lambda profile: profile.uuid != current))


class HomeStage:
    """Choose, switch and verify a Home profile for one verified sign-in."""

    def __init__(
        self,
        client: PlexClient,
        request: ProfileRequest,
        chooser: ProfileChooser | None,
        emit: Callable[[Event], None],
    ) -> None:
        self._client = client
        self._request = request
        self._chooser = chooser
        self._emit = emit

    def run(self, signin: SignIn) -> tuple[SignIn, Profile | None]:
        """The sign-in to store, and the profile switched to (None: the approving account)."""
        request = self._request
        if request.name is None and (not request.picker or self._chooser is None):
            return signin, None  # nobody will choose: don't even ask plex.tv
        profiles = self._profiles(signin)
        current = signin.user.uuid
        if request.name is not None:
            if not profiles and signin.user.account_name.casefold() == request.name.casefold():
                return signin, None  # not a Home, and the name is the account's own
            chosen: Profile | None = find_profile(profiles, request.name)
            pin = request.pin
        elif len(profiles) < 2:
            return signin, None
        else:
            chosen, pin = None, None
        offer = ProfilesOffered(current_first(profiles, current), current)
        return self._switch_loop(signin, offer, chosen, pin)

    def _profiles(self, signin: SignIn) -> list[Profile]:
        try:
            return self._client.home_users(signin.token)
        except PlexError as error:
            if self._request.name is not None:
                raise  # asked for by name: a sign-in as someone else would be wrong
            # only a convenience is lost: the approving account signs in, as before Homes
            log.debug("could not list the Home's profiles: %s", error)
            return []

    def _switch_loop(
        self, signin: SignIn, offer: ProfilesOffered, chosen: Profile | None, pin: str | None
    ) -> tuple[SignIn, Profile | None]:
        while True:
            if chosen is None:
                chosen = self._ask(offer)
                if chosen is None or chosen.uuid == offer.current:
                    return signin, None
            elif chosen.uuid == offer.current:
                return signin, None
            switched = self._switch(signin, chosen, pin)
            pin = None  # used once at most: a wrong one is asked for again, not retried
            if switched is not None:
                return switched, chosen
            chosen = None  # Back on the PIN pad: choose again

    def _ask(self, offer: ProfilesOffered) -> Profile | None:
        if self._chooser is None or not self._request.picker:
            return None
        self._emit(offer)
        return self._chooser.choose(offer)

    def _switch(self, signin: SignIn, profile: Profile, pin: str | None) -> SignIn | None:
        """The profile's verified sign-in; None when the person went back from the PIN."""
        from plexlogin.flow import SignIn, account_of

        from_request = pin is not None
        wrong = False
        while True:
            if profile.protected and pin is None:
                if self._chooser is None:
                    raise ProfilePinRejected(
                        _(
                            "The profile {title} is protected: give its PIN with "
                            "--profile-pin-stdin."
                        ).format(title=repr(profile.title))
                    )
                pin = self._chooser.pin_for(profile, wrong)
                if pin is None:
                    return None
            try:
                user, token = self._client.switch_profile(signin.token, profile.uuid, pin)
            except ProfilePinRejected:
                if from_request or self._chooser is None:
                    raise  # a wizard's PIN is not asked for again: it would only repeat
                wrong, pin = True, None
                continue
            pin = None
            user = self._client.get_user(token)  # the profile's own token must work too
            self._emit(ProfileSwitched(profile, account_of(user)))
            return SignIn(user, token)
