"""The Plex Home contract of the command line: --profile, --profile-pin-stdin,
--no-profile-picker, ``profiles`` and ``switch``, and a managed profile's token through
``status``, ``token`` and ``logout``. In-process through ``main(argv)``, stdin a pipe."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from plexlogin.tokens import MemoryKeyring
from tests.test_cli import approve_when_shown, json_line, run_main

PROFILE_KEYS = {"title", "username", "uuid", "admin", "protected", "restricted", "current"}


@pytest.fixture
def home_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim(home=DEMO_HOME)


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def login(sim: Simulator, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    approve_when_shown(sim)
    return run_main(["login", "--terminal", "--plex-url", sim.url, "--json", *extra], capsys)


def tokens_of(sim: Simulator) -> set[str]:
    return {p.token for p in sim.pins() if p.token}


def test_a_pipe_gets_no_picker_and_keeps_the_approving_account(
    home_sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = login(home_sim, capsys)
    assert code == 0, err
    data = json_line(out)
    assert (data["username"], data["keyring_username"], data["profile"]) == ("alex", "alex", None)


def test_profile_with_its_pin_from_stdin_then_status_token_logout(
    home_sim: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin(monkeypatch, f"{DEMO_PROFILE_PIN}\n")
    code, out, err = login(home_sim, capsys, "--profile", "MIA", "--profile-pin-stdin")
    assert code == 0, err
    data = json_line(out)
    # a managed profile: no username; its title names the keyring entry
    assert (data["username"], data["keyring_username"], data["profile"]) == (None, "Mia", "Mia")
    assert "Signed in as Mia" in err and DEMO_PROFILE_PIN not in out + err
    stored = memory_keyring.get_password("plexlogin", "Mia")
    assert stored and stored not in tokens_of(home_sim), "the profile's own token, not Alex's"

    code, out, _ = run_main(["token"], capsys)
    assert (code, out) == (0, f"{stored}\n")
    code, out, _ = run_main(["status", "--json", "--plex-url", home_sim.url], capsys)
    status = json_line(out)
    assert (code, status["status"], status["username"]) == (0, "valid", None)
    code, out, _ = run_main(["status", "--plex-url", home_sim.url], capsys)
    assert code == 0 and "Signed in as Mia" in out
    assert run_main(["logout"], capsys)[0] == 0
    assert memory_keyring.get_password("plexlogin", "Mia") is None


def test_a_wrong_pin_from_stdin_exits_1_and_stores_nothing(
    home_sim: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin(monkeypatch, "0000\n")
    code, out, err = login(home_sim, capsys, "--profile", "Mia", "--profile-pin-stdin")
    assert code == 1
    assert "The PIN was wrong" in str(json_line(out)["error"])
    assert "PIN was wrong" in err and "0000" not in out + err
    assert memory_keyring.get_password("plexlogin", "alex") is None
    assert memory_keyring.get_password("plexlogin", "Mia") is None


def test_no_such_profile_names_the_ones_there_are(
    home_sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = login(home_sim, capsys, "--profile", "Grandma")
    assert code == 1
    assert all(title in err for title in ("Alex", "Sam", "Mia", "Jules"))
    assert json_line(out)["status"] == "error"


def test_no_profile_picker_with_profile_still_switches(
    home_sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = login(home_sim, capsys, "--no-profile-picker", "--profile", "sam")
    assert code == 0 and json_line(out)["profile"] == "Sam"


@pytest.mark.parametrize("line", ["12\n", "", "abcd\n", "12345\n"])
def test_a_pin_line_that_is_not_four_digits_is_a_usage_error(
    home_sim: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    line: str,
) -> None:
    stdin(monkeypatch, line)
    code, _out, err = run_main(
        ["--terminal", "--plex-url", home_sim.url, "--profile", "Mia", "--profile-pin-stdin"],
        capsys,
    )
    assert code == 2 and "4 digits" in err
    assert line.strip() == "" or line.strip() not in err


def test_profiles_json_lists_the_home_without_secrets(
    home_sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login(home_sim, capsys)[0] == 0
    code, out, _ = run_main(["profiles", "--json", "--plex-url", home_sim.url], capsys)
    assert code == 0 and len(out.splitlines()) == 1
    profiles = json.loads(out)["profiles"]
    assert all(set(entry) == PROFILE_KEYS for entry in profiles)
    assert [(p["title"], p["current"], p["protected"]) for p in profiles] == [
        ("Alex", True, False),
        ("Sam", False, False),
        ("Mia", False, True),
        ("Jules", False, False),
    ]
    assert not any(token in out for token in tokens_of(home_sim))
    code, out, _ = run_main(["profiles", "--plex-url", home_sim.url], capsys)
    assert code == 0 and "* Alex (admin)" in out and "Mia (PIN)" in out


def test_profiles_of_an_account_without_a_home(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login(simulator, capsys)[0] == 0
    code, out, _ = run_main(["profiles", "--json", "--plex-url", simulator.url], capsys)
    assert (code, json.loads(out)) == (0, {"profiles": []})


def test_switch_stores_the_profiles_token_in_the_same_entry(
    home_sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login(home_sim, capsys)[0] == 0
    alex_token = memory_keyring.get_password("plexlogin", "alex")
    code, out, err = run_main(["switch", "jules", "--json", "--plex-url", home_sim.url], capsys)
    assert code == 0, err
    data = json_line(out)
    assert (data["status"], data["username"], data["profile"]) == ("signed_in", None, "Jules")
    assert data["keyring_username"] == "alex"
    switched = memory_keyring.get_password("plexlogin", "alex")
    assert switched and switched != alex_token
    code, out, _ = run_main(["status", "--json", "--plex-url", home_sim.url], capsys)
    assert code == 0 and json_line(out)["username"] is None


def test_switch_with_a_wrong_pin_or_no_such_profile_changes_nothing(
    home_sim: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert login(home_sim, capsys)[0] == 0
    before = memory_keyring.get_password("plexlogin", "alex")
    stdin(monkeypatch, "0000\n")
    argv = ["switch", "Mia", "--profile-pin-stdin", "--json", "--plex-url", home_sim.url]
    code, out, err = run_main(argv, capsys)
    assert code == 1 and "PIN was wrong" in err and "0000" not in out + err
    assert json_line(out)["status"] == "error"
    code, out, err = run_main(["switch", "Nobody", "--plex-url", home_sim.url], capsys)
    assert code == 1 and "Alex, Sam, Mia, Jules" in err
    assert memory_keyring.get_password("plexlogin", "alex") == before
    stdin(monkeypatch, f"{DEMO_PROFILE_PIN}\n")
    code, out, err = run_main(argv, capsys)
    assert code == 0 and json_line(out)["profile"] == "Mia"
    assert memory_keyring.get_password("plexlogin", "alex") != before
