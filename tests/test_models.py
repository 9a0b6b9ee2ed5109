"""plexlogin.models against the shapes of plex.tv's real answers (tests/fixtures/plex_answers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from plexlogin.errors import PinExpired, PlexError, RateLimited, TokenRejected, UnexpectedAnswer
from plexlogin.models import parse_home_users, parse_pin, parse_user
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator

ANSWERS = Path(__file__).parent / "fixtures" / "plex_answers"
UTC = timezone.utc

#: file -> (code, expiresIn, createdAt, token, location's in_privacy_restricted_region)
PINS: dict[str, tuple[str, int, datetime, str | None, bool]] = {
    "pin_created_whole_seconds.json": (
        "7RQZ", 899, datetime(2023, 4, 12, 17, 0, 3, tzinfo=UTC), None, True
    ),
    "pin_strong_milliseconds.json": (
        "3patfx1a78ukcbr7x0n9bl26t", 1799, datetime(2019, 6, 4, 21, 21, 17, 247000, tzinfo=UTC),
        None, False,
    ),
    "pin_approved.json": (
        "7RQZ", 876, datetime(2023, 4, 12, 17, 0, 3, tzinfo=UTC), "SIMULATED-fixture-token-1", True
    ),
}
#: file -> (username, display name, account name)
USERS: dict[str, tuple[str | None, str, str]] = {
    "user_account.json": ("jane", "Jane", "jane"),
    "user_managed_home.json": (None, "Little One", "Little One"),
}
#: file -> (the request that gets it, its status, the error it means)
ERRORS: dict[str, tuple[str, int, type[PlexError]]] = {
    "error_401_user_not_authenticated.json": ("user", 401, TokenRejected),
    "error_404_pin_not_found.json": ("poll", 404, PinExpired),
    "error_429_rate_limit.json": ("create", 429, RateLimited),
}


#: file -> the profiles' (title, username, admin, protected, restricted)
HOMES: dict[str, list[tuple[str, str | None, bool, bool, bool]]] = {
    "home_users.json": [
        ("Jane", "jane", True, True, False),
        ("Little One", None, False, False, True),
    ],
}


def load(name: str) -> Any:
    return json.loads((ANSWERS / name).read_text(encoding="utf-8"))


@pytest.fixture
def client(simulator: Simulator) -> Iterator[PlexClient]:
    with PlexClient(Identity("3f1c1f9e-3b53-4a36-9a3b-0f3f5a1e2b7c"), simulator.url) as c:
        yield c


def test_every_fixture_has_an_expectation() -> None:
    """A fixture nobody checks proves nothing: each file is named below."""
    expected = set(PINS) | set(USERS) | set(ERRORS) | set(HOMES)
    assert {p.name for p in ANSWERS.glob("*.json")} == expected


@pytest.mark.parametrize("name", PINS)
def test_pin_answers_parse(name: str) -> None:
    code, expires_in, created_at, token, restricted_region = PINS[name]
    pin = parse_pin(load(name))
    assert (pin.code, pin.expires_in, pin.created_at) == (code, expires_in, created_at)
    assert pin.auth_token == (Token(token) if token else None)
    assert pin.seconds_left() == expires_in  # rounded down: trusted as sent
    assert pin.location is not None
    assert pin.location.in_privacy_restricted_region is restricted_region
    assert pin.expires_at is not None and pin.expires_at > pin.created_at


@pytest.mark.parametrize("name", PINS)
def test_pin_answers_through_the_client(
    client: PlexClient, simulator: Simulator, name: str
) -> None:
    simulator.add_fault("create", status=201, body=(ANSWERS / name).read_bytes())
    assert client.create_pin().code == PINS[name][0]


@pytest.mark.parametrize("name", USERS)
def test_user_answers_parse(name: str) -> None:
    username, display_name, account_name = USERS[name]
    user = parse_user(load(name))
    assert (user.username, user.display_name, user.account_name) == (
        username,
        display_name,
        account_name,
    )
    assert user.id > 0 and user.uuid and user.thumb
    assert user.subscription_active is True


@pytest.mark.parametrize("name", USERS)
def test_user_answers_through_the_client(
    client: PlexClient, simulator: Simulator, name: str
) -> None:
    simulator.add_fault("user", status=200, body=(ANSWERS / name).read_bytes())
    assert client.get_user(Token("SIMULATED-any")).display_name == USERS[name][1]


@pytest.mark.parametrize("name", ERRORS)
def test_error_answers_mean_what_plex_says(
    client: PlexClient, simulator: Simulator, name: str
) -> None:
    endpoint, status, error = ERRORS[name]
    body = (ANSWERS / name).read_bytes()
    simulator.add_fault(endpoint, status=status, body=body, content_type="application/json")
    call = {
        "create": lambda: client.create_pin(),
        "poll": lambda: client.poll_pin(1),
        "user": lambda: client.get_user(Token("SIMULATED-any")),
    }[endpoint]
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("missing", [{"title": None}, {"title": ""}, {"id": None}])
def test_a_user_needs_an_id_and_some_name(missing: dict[str, object]) -> None:
    """A managed user has only a title; without that too there is nobody to greet."""
    with pytest.raises(UnexpectedAnswer):
        parse_user({**load("user_managed_home.json"), **missing})


@pytest.mark.parametrize("name", HOMES)
def test_home_answers_parse_without_secrets(name: str) -> None:
    profiles = parse_home_users(load(name))
    seen = [(p.title, p.username, p.admin, p.protected, p.restricted) for p in profiles]
    assert seen == HOMES[name]
    assert all(p.uuid and p.thumb for p in profiles)


@pytest.mark.parametrize("name", HOMES)
def test_home_answers_through_the_client(
    client: PlexClient, simulator: Simulator, name: str
) -> None:
    simulator.add_fault("home_users", status=200, body=(ANSWERS / name).read_bytes())
    titles = [p.title for p in client.home_users(Token("SIMULATED-any"))]
    assert titles == [title for title, *_ in HOMES[name]]
