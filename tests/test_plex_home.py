"""The client's Plex Home calls against the simulator: list, switch, PINs, not-a-Home."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from plexlogin.errors import ProfilePinRejected, TokenRejected, UnexpectedAnswer
from plexlogin.events import Profile
from plexlogin.models import parse_home_users
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator

CLIENT_ID = "home-client-test-0001"


@pytest.fixture
def home_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim(home=DEMO_HOME)


def approved_token(sim: Simulator, client: PlexClient) -> Token:
    """The admin's token through a real PIN."""
    pin = client.create_pin()
    return Token(sim.approve(pin.id))


def client_for(sim: Simulator) -> Iterator[PlexClient]:
    with PlexClient(Identity(CLIENT_ID), sim.url) as client:
        yield client


@pytest.fixture
def home_client(home_sim: Simulator) -> Iterator[PlexClient]:
    yield from client_for(home_sim)


def by_title(profiles: list[Profile], title: str) -> Profile:
    return next(p for p in profiles if p.title == title)


def test_the_demo_home_lists_its_four_profiles(
    home_sim: Simulator, home_client: PlexClient
) -> None:
    profiles = home_client.home_users(approved_token(home_sim, home_client))
    assert [(p.title, p.username, p.admin, p.protected) for p in profiles] == [
        ("Alex", "alex", True, False),
        ("Sam", "sam", False, False),
        ("Mia", None, False, True),
        ("Jules", None, False, False),
    ]
    assert by_title(profiles, "Mia").restricted and by_title(profiles, "Mia").is_named("MIA")
    assert by_title(profiles, "Sam").is_named(" sam ") and not by_title(profiles, "Sam").is_named(
        "a"
    )


@pytest.mark.parametrize("answer", ["alone", "not_found"])
def test_an_account_without_a_home_has_no_profiles(
    make_sim: Callable[..., Simulator], answer: str
) -> None:
    options = {"non_home_answer": "not_found"} if answer == "not_found" else {}
    sim = make_sim(**options)
    for client in client_for(sim):
        assert client.home_users(approved_token(sim, client)) == []


def test_switching_to_a_managed_profile_gives_its_own_token(
    home_sim: Simulator, home_client: PlexClient
) -> None:
    token = approved_token(home_sim, home_client)
    jules = by_title(home_client.home_users(token), "Jules")
    user, profile_token = home_client.switch_profile(token, jules.uuid)
    assert (user.username, user.account_name) == (None, "Jules")
    assert profile_token != token
    # the profile's token is a token of its own: plex.tv accepts it, as the managed user
    assert home_client.get_user(profile_token).title == "Jules"


def test_a_protected_profile_needs_its_pin_and_never_repeats_it(
    home_sim: Simulator, home_client: PlexClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = approved_token(home_sim, home_client)
    mia = by_title(home_client.home_users(token), "Mia")
    for wrong in (None, "9999"):
        with pytest.raises(ProfilePinRejected) as rejected:
            home_client.switch_profile(token, mia.uuid, wrong)
        assert "PIN was wrong" in str(rejected.value)
        assert "9999" not in str(rejected.value) + repr(rejected.value)
    user, _token = home_client.switch_profile(token, mia.uuid, DEMO_PROFILE_PIN)
    assert user.title == "Mia"
    assert DEMO_PROFILE_PIN not in caplog.text and "9999" not in caplog.text


def test_the_pin_goes_in_the_query_only_when_given(
    home_sim: Simulator, home_client: PlexClient
) -> None:
    token = approved_token(home_sim, home_client)
    sam = by_title(home_client.home_users(token), "Sam")
    mia = by_title(home_client.home_users(token), "Mia")
    home_client.switch_profile(token, sam.uuid)
    home_client.switch_profile(token, mia.uuid, DEMO_PROFILE_PIN)
    queries = {
        r.path.split("/")[-2]: r.query for r in home_sim.requests if r.path.endswith("/switch")
    }
    assert "pin=" not in queries[sam.uuid]
    assert "pin=<redacted>" in queries[mia.uuid]


def test_a_rejected_token_and_odd_answers(home_sim: Simulator, home_client: PlexClient) -> None:
    with pytest.raises(TokenRejected):
        home_client.home_users(Token("SIMULATED-nobody"))
    with pytest.raises(UnexpectedAnswer):
        home_client.switch_profile(Token("SIMULATED-x"), "../../pins")
    home_sim.add_fault("switch", status=201, body=b'{"id": 1, "title": "No token"}')
    token = approved_token(home_sim, home_client)
    with pytest.raises(UnexpectedAnswer):
        home_client.switch_profile(token, by_title(home_client.home_users(token), "Sam").uuid)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"users": "many"},
        {"users": [{"id": 1, "title": "No uuid"}, {"id": 2, "uuid": "a", "title": "B"}]},
        {
            "users": [
                {"id": 1, "uuid": "a/b", "title": "Slash"},
                {"id": 2, "uuid": "c", "title": "D"},
            ]
        },
    ],
)
def test_answers_that_are_not_a_home_list(data: object) -> None:
    with pytest.raises(UnexpectedAnswer):
        parse_home_users(data)
