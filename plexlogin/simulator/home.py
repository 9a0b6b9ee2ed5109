"""Plex Home's endpoints: the list of profiles, and switching to one of them.

- ``GET /api/v2/home/users``: the Home of the ``X-Plex-Token``'s account. An account that is
  not in a Home gets itself as the one user (or 404, with ``non_home_answer="not_found"``:
  plex.tv is reported to answer either way).
- ``POST /api/v2/home/users/{uuid}/switch[?pin=1234]``: 201 with the profile's user object,
  whose ``authToken`` is a new token of that profile for the same client identifier; a
  wrong or missing PIN for a protected profile is 403 (or 401) with code 1041; a uuid
  that is not in the caller's Home is 404.
"""

from __future__ import annotations

from typing import Final

from plexlogin.simulator import answers
from plexlogin.simulator.accounts import Member, Membership, Refused, User
from plexlogin.simulator.answers import Answer
from plexlogin.simulator.profiles import HomeProfile
from plexlogin.simulator.request import Request

ERROR_PIN_REQUIRED: Final = {
    "code": 1041,
    "message": "A valid PIN is required to perform this action",
}
# Not documented by Plex: the simulator's own answers, in plex.tv's error shape.
ERROR_NOT_A_HOME: Final = {"code": 404, "message": "Not a Plex Home", "status": 404}
ERROR_NO_SUCH_PROFILE: Final = {"code": 404, "message": "User not found", "status": 404}


def home_user_json(member: Member) -> dict[str, object]:
    """One entry of the Home's ``users`` list."""
    user, profile = member.user, member.profile
    return {
        "id": user.id,
        "uuid": user.uuid,
        "title": user.title,
        "username": user.username,
        "email": answers.email_of(user),
        "thumb": answers.thumb_of(user),
        "hasPassword": user.username is not None,
        "restricted": user.restricted,
        "restrictionProfile": user.restriction_profile,
        "admin": profile.admin,
        "guest": False,
        "protected": profile.protected,
    }


def home_json(membership: Membership, members: tuple[Member, ...]) -> dict[str, object]:
    """The answer of ``GET /api/v2/home/users``."""
    return {
        "id": membership.home_id,
        "name": membership.name,
        "guestUserID": membership.home_id * 10,
        "guestEnabled": False,
        "subscription": bool(membership.members),  # Plex Home needs Plex Pass
        "users": [home_user_json(member) for member in members],
    }


def _alone(user: User) -> tuple[Member, ...]:
    """An account without a Home, as the one user of its own (it is its own admin)."""
    return (Member(HomeProfile(user.title, username=user.username, admin=True), user),)


def list_home_users(request: Request) -> Answer:
    """``GET /api/v2/home/users``: the caller's Home and its profiles."""
    model = request.model
    try:
        user, _grant = model.authenticate(request.token)
    except Refused as refused:
        return answers.refusal_answer(refused, request.wants_json)
    membership = model.membership(user)
    members = membership.members
    if not members:
        if model.settings.non_home_answer == "not_found":
            return answers.error_answer(404, ERROR_NOT_A_HOME, request.wants_json)
        members = _alone(user)
    data = home_json(membership, members)
    if request.wants_json:
        return answers.json_answer(200, data)
    # plex.tv's XML nests the users; the simulator's XML writer keeps only attributes.
    return answers.data_answer(200, "home", data, wants_json=False)


def switch_profile(request: Request) -> Answer:
    """``POST /api/v2/home/users/{uuid}/switch``: the profile's account and a token for it."""
    model = request.model
    if not request.client_id:
        return answers.error_answer(400, answers.ERROR_CLIENT_ID_MISSING, request.wants_json)
    try:
        user, token = model.switch(
            request.token, request.params["uuid"], request.query_value("pin"), request.client_id
        )
    except Refused as refused:
        return answers.refusal_answer(refused, request.wants_json)
    except KeyError:
        return answers.error_answer(404, ERROR_NO_SUCH_PROFILE, request.wants_json)
    except PermissionError:
        status = model.settings.pin_error_status
        error = {**ERROR_PIN_REQUIRED, "status": status}
        return answers.error_answer(status, error, request.wants_json)
    data = answers.user_json(user, token, model.now(), model.membership(user))
    return answers.data_answer(201, "user", data, request.wants_json)
