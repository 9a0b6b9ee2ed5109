"""The Plex Home stage of a sign-in: offered profiles, chosen ones, PINs, stored tokens.

Every test signs in for real against the simulator (a fake clock approves the code), with
a scripted chooser standing in for the person at the window or the terminal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from plexlogin import events
from plexlogin.errors import ExitCode
from plexlogin.events import Profile, ProfilesOffered
from plexlogin.login import LoginSession, LoginSettings, Outcome, Status
from plexlogin.plex import Identity, PlexClient
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from plexlogin.tokens import MemoryKeyring, TokenStore
from tests.helpers.fake_clock import FakeClock

SERVICE = "plexlogin-home-test"
CLIENT_ID = "5a1e2b7c-3f1c-4a36-9a3b-0f3f5a1e9d2b"


class ScriptedChooser:
    """A person who answers from a script: profile titles (None: keep) and PINs."""

    def __init__(self, choices: list[str | None], pins: list[str | None] | None = None) -> None:
        self.choices = list(choices)
        self.pins = list(pins or [])
        self.offers: list[ProfilesOffered] = []
        self.pin_asks: list[tuple[str, bool]] = []

    def choose(self, offer: ProfilesOffered) -> Profile | None:
        self.offers.append(offer)
        title = self.choices.pop(0)
        return next((p for p in offer.profiles if p.title == title), None)

    def pin_for(self, profile: Profile, wrong: bool) -> str | None:
        self.pin_asks.append((profile.title, wrong))
        return self.pins.pop(0)


@pytest.fixture
def home_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim(home=DEMO_HOME)


def settings(sim: Simulator, **changes: object) -> LoginSettings:
    base = LoginSettings(
        plex_url=sim.url,
        client_id=CLIENT_ID,
        product="plexlogin",
        device_name=None,
        keyring_service=SERVICE,
        keyring_username=None,
        remember=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def sign_in(
    sim: Simulator,
    chooser: ScriptedChooser | None = None,
    heard: list[events.Event] | None = None,
    **changes: object,
) -> Outcome:
    clock = FakeClock()
    clock.at(2, lambda: sim.approve(max(p.id for p in sim.pins() if not p.approved)))
    on_event = heard.append if heard is not None else (lambda event: None)
    session = LoginSession(
        settings(sim, **changes), on_event, clock=clock, waiter=clock, chooser=chooser
    )
    try:
        return session.sign_in()
    finally:
        session.close()


def stored_title(sim: Simulator, keyring_username: str) -> str | None:
    """Whose token the keyring holds, as plex.tv sees it."""
    token = TokenStore(SERVICE).load(keyring_username)
    assert token is not None
    with PlexClient(Identity(CLIENT_ID), sim.url) as client:
        return client.get_user(token).title


@pytest.fixture(autouse=True)
def _keyring(memory_keyring: MemoryKeyring) -> Iterator[MemoryKeyring]:
    yield memory_keyring


def test_an_account_without_a_home_is_not_asked(simulator: Simulator) -> None:
    chooser = ScriptedChooser([])
    outcome = sign_in(simulator, chooser)
    assert outcome.status is Status.SIGNED_IN and outcome.profile is None
    assert chooser.offers == []


def test_the_picker_offers_the_home_signed_in_first_and_switches(home_sim: Simulator) -> None:
    chooser, heard = ScriptedChooser(["Jules"]), []
    outcome = sign_in(home_sim, chooser, heard)
    offer = chooser.offers[0]
    assert [p.title for p in offer.profiles] == ["Alex", "Sam", "Mia", "Jules"]
    assert offer.current == offer.profiles[0].uuid
    # a managed profile: no username; the keyring entry is named by its title
    assert (outcome.username, outcome.keyring_username, outcome.profile) == (None, "Jules", "Jules")
    assert stored_title(home_sim, "Jules") == "Jules"
    kinds = [type(event) for event in heard]
    assert kinds.index(events.Verified) < kinds.index(events.ProfilesOffered)
    assert kinds.index(events.ProfileSwitched) < kinds.index(events.Stored)


def test_choosing_the_signed_in_profile_changes_nothing(home_sim: Simulator) -> None:
    outcome = sign_in(home_sim, ScriptedChooser(["Alex"]))
    assert (outcome.username, outcome.profile) == ("alex", None)
    assert not [r for r in home_sim.requests if r.path.endswith("/switch")]


def test_a_wrong_pin_is_asked_again_and_back_returns_to_the_picker(home_sim: Simulator) -> None:
    chooser = ScriptedChooser(["Mia", "Mia"], ["0000", None, DEMO_PROFILE_PIN])
    outcome = sign_in(home_sim, chooser)
    assert chooser.pin_asks == [("Mia", False), ("Mia", True), ("Mia", False)]
    assert len(chooser.offers) == 2  # Back on the PIN pad showed the picker again
    assert outcome.profile == "Mia" and stored_title(home_sim, "Mia") == "Mia"


def test_back_then_keeping_the_account(home_sim: Simulator) -> None:
    outcome = sign_in(home_sim, ScriptedChooser(["Mia", None], [None]))
    assert (outcome.status, outcome.username, outcome.profile) == (Status.SIGNED_IN, "alex", None)


def test_profile_by_name_with_its_pin_needs_no_chooser(home_sim: Simulator) -> None:
    outcome = sign_in(home_sim, None, profile="mia", profile_pin=DEMO_PROFILE_PIN)
    assert (outcome.keyring_username, outcome.profile) == ("Mia", "Mia")


def test_a_wrong_pin_by_name_stores_nothing(
    home_sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    chooser = ScriptedChooser([])  # a PIN from a wizard is never asked for again
    outcome = sign_in(home_sim, chooser, profile="Mia", profile_pin="0000")
    assert (outcome.exit_code, outcome.error_kind) == (ExitCode.FAILED, "profile_pin_rejected")
    assert outcome.error is not None and "PIN was wrong" in outcome.error
    assert "0000" not in outcome.error and chooser.pin_asks == []
    assert TokenStore(SERVICE).load("alex") is None and TokenStore(SERVICE).load("Mia") is None


def test_a_protected_profile_by_name_without_anyone_to_ask(home_sim: Simulator) -> None:
    outcome = sign_in(home_sim, None, profile="Mia")
    assert outcome.exit_code is ExitCode.FAILED
    assert outcome.error is not None and "--profile-pin-stdin" in outcome.error


def test_no_such_profile_names_those_there_are(home_sim: Simulator) -> None:
    outcome = sign_in(home_sim, None, profile="Nobody")
    assert outcome.exit_code is ExitCode.FAILED and outcome.error_kind == "no_such_profile"
    assert outcome.error is not None
    assert all(title in outcome.error for title in ("Alex", "Sam", "Mia", "Jules"))


def test_no_profile_picker_keeps_the_approving_account_without_asking(
    home_sim: Simulator,
) -> None:
    chooser = ScriptedChooser([])
    outcome = sign_in(home_sim, chooser, profile_picker=False)
    assert (outcome.username, outcome.profile, chooser.offers) == ("alex", None, [])
    assert not [r for r in home_sim.requests if r.path == "/api/v2/home/users"]


def test_the_pin_is_not_in_the_settings_repr(home_sim: Simulator) -> None:
    assert DEMO_PROFILE_PIN not in repr(settings(home_sim, profile_pin=DEMO_PROFILE_PIN))
