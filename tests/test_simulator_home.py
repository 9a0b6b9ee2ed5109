"""The simulator's Plex Home: the profile list, switching, managed users (loopback HTTP)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import requests

from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Home, HomeProfile, Simulator

CLIENT_ID = "home-client-0001"
HEADERS = {
    "X-Plex-Client-Identifier": CLIENT_ID,
    "X-Plex-Product": "plexlogin-tests",
    "Accept": "application/json",
}
HOME_USER_FIELDS = {
    "id",
    "uuid",
    "title",
    "username",
    "email",
    "thumb",
    "hasPassword",
    "restricted",
    "restrictionProfile",
    "admin",
    "guest",
    "protected",
}
PIN_REQUIRED = {"code": 1041, "message": "A valid PIN is required to perform this action"}


@pytest.fixture
def home_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim(home=DEMO_HOME)


def sign_in(sim: Simulator, username: str | None = None) -> str:
    """A token for ``username`` (default: whoever approves), through a real PIN."""
    created = requests.post(f"{sim.url}/api/v2/pins", headers=HEADERS, timeout=5)
    assert created.status_code == 201
    return sim.approve(created.json()["id"], username=username)


def home_users(sim: Simulator, token: str) -> requests.Response:
    headers = {**HEADERS, "X-Plex-Token": token}
    return requests.get(f"{sim.url}/api/v2/home/users", headers=headers, timeout=5)


def switch(sim: Simulator, token: str, uuid: str, pin: str | None = None) -> requests.Response:
    return requests.post(
        f"{sim.url}/api/v2/home/users/{uuid}/switch",
        params={"pin": pin} if pin is not None else None,
        headers={**HEADERS, "X-Plex-Token": token},
        timeout=5,
    )


def profiles_by_title(sim: Simulator, token: str) -> dict[str, dict[str, Any]]:
    response = home_users(sim, token)
    assert response.status_code == 200, response.text
    return {user["title"]: user for user in response.json()["users"]}


def user_of(sim: Simulator, token: str) -> requests.Response:
    headers = {**HEADERS, "X-Plex-Token": token}
    return requests.get(f"{sim.url}/api/v2/user", headers=headers, timeout=5)


# --- the list ---------------------------------------------------------------------------------


def test_demo_home_lists_its_four_profiles(home_sim: Simulator) -> None:
    response = home_users(home_sim, sign_in(home_sim))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"id", "name", "guestUserID", "guestEnabled", "subscription", "users"}
    assert data["name"] == "The Demo Home" and data["subscription"] is True
    assert data["guestEnabled"] is False
    users = data["users"]
    assert [u["title"] for u in users] == ["Alex", "Sam", "Mia", "Jules"]
    assert all(set(u) == HOME_USER_FIELDS for u in users)
    alex, sam, mia, jules = users
    assert (alex["username"], alex["admin"], alex["protected"]) == ("alex", True, False)
    assert alex["email"] == "alex@example.com" and alex["hasPassword"] is True
    assert (sam["username"], sam["admin"], sam["restricted"]) == ("sam", False, False)
    assert mia["username"] is None and mia["email"] is None and mia["hasPassword"] is False
    assert (mia["restricted"], mia["restrictionProfile"], mia["protected"]) == (
        True,
        "little_kid",
        True,
    )
    assert (jules["username"], jules["restrictionProfile"], jules["protected"]) == (
        None,
        "teen",
        False,
    )
    assert len({u["uuid"] for u in users}) == 4
    assert DEMO_PROFILE_PIN not in response.text  # the list never tells the PIN


def test_the_admin_approves_by_default(home_sim: Simulator) -> None:
    assert user_of(home_sim, sign_in(home_sim)).json()["username"] == "alex"


def test_any_member_sees_the_same_home(home_sim: Simulator) -> None:
    from_alex = profiles_by_title(home_sim, sign_in(home_sim))
    from_sam = profiles_by_title(home_sim, sign_in(home_sim, "sam"))
    assert from_alex == from_sam


def test_home_users_refuses_a_bad_token(home_sim: Simulator) -> None:
    response = home_users(home_sim, "SIMULATED-nope")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 1001


def test_an_account_without_a_home_is_its_one_user(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(username="solo")
    response = home_users(sim, sign_in(sim))
    assert response.status_code == 200
    (only,) = response.json()["users"]
    assert (only["username"], only["admin"], only["protected"]) == ("solo", True, False)
    assert response.json()["subscription"] is False


def test_an_account_outside_the_home_is_alone(home_sim: Simulator) -> None:
    users = home_users(home_sim, sign_in(home_sim, "stranger")).json()["users"]
    assert [u["username"] for u in users] == ["stranger"]


def test_an_account_without_a_home_can_get_404(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(non_home_answer="not_found")
    response = home_users(sim, sign_in(sim))
    assert response.status_code == 404
    assert response.json()["errors"][0]["status"] == 404


def test_home_users_xml_without_accept_json(home_sim: Simulator) -> None:
    headers = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Token": sign_in(home_sim)}
    response = requests.get(f"{home_sim.url}/api/v2/home/users", headers=headers, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    assert b"<home " in response.content


# --- switching --------------------------------------------------------------------------------


def test_switch_to_an_unprotected_adult(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    sam = profiles_by_title(home_sim, token)["Sam"]
    response = switch(home_sim, token, sam["uuid"])
    assert response.status_code == 201
    data = response.json()
    assert (data["uuid"], data["username"], data["title"]) == (sam["uuid"], "sam", "Sam")
    sams_token = data["authToken"]
    assert sams_token.startswith("SIMULATED-") and sams_token != token
    assert user_of(home_sim, sams_token).json()["uuid"] == sam["uuid"]
    assert user_of(home_sim, token).json()["username"] == "alex"  # the old token still works


def test_switch_to_the_unprotected_teen_needs_no_pin(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    jules = profiles_by_title(home_sim, token)["Jules"]
    response = switch(home_sim, token, jules["uuid"])
    assert response.status_code == 201
    assert response.json()["restrictionProfile"] == "teen"


def test_switch_to_a_protected_child_with_the_right_pin(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    mia = profiles_by_title(home_sim, token)["Mia"]
    response = switch(home_sim, token, mia["uuid"], DEMO_PROFILE_PIN)
    assert response.status_code == 201
    data = response.json()
    assert (data["username"], data["email"], data["title"]) == (None, None, "Mia")
    assert data["restricted"] is True and data["protected"] is True
    assert data["home"] is True and data["homeSize"] == 4 and data["homeAdmin"] is False

    # a managed profile's own token: /api/v2/user answers without username and e-mail
    checked = user_of(home_sim, data["authToken"])
    assert checked.status_code == 200
    me = checked.json()
    assert (me["uuid"], me["title"], me["username"], me["email"]) == (
        mia["uuid"],
        "Mia",
        None,
        None,
    )
    assert me["restricted"] is True and me["thumb"] == mia["thumb"]
    # and it may list the Home too
    assert set(profiles_by_title(home_sim, data["authToken"])) == {"Alex", "Sam", "Mia", "Jules"}


@pytest.mark.parametrize("pin", [None, "0000", "12345", "١٢٣٤"])
def test_switch_with_a_wrong_or_missing_pin_is_1041(home_sim: Simulator, pin: str | None) -> None:
    token = sign_in(home_sim)
    mia = profiles_by_title(home_sim, token)["Mia"]
    response = switch(home_sim, token, mia["uuid"], pin)
    assert response.status_code == 403
    assert response.json() == {"errors": [{**PIN_REQUIRED, "status": 403}]}


def test_wrong_pin_status_can_be_401(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(home=DEMO_HOME, pin_error_status=401)
    token = sign_in(sim)
    response = switch(sim, token, profiles_by_title(sim, token)["Mia"]["uuid"], "9999")
    assert response.status_code == 401
    assert response.json() == {"errors": [{**PIN_REQUIRED, "status": 401}]}


def test_switch_to_an_unknown_profile_is_404(home_sim: Simulator) -> None:
    response = switch(home_sim, sign_in(home_sim), "0123456789abcdef")
    assert response.status_code == 404
    assert response.json()["errors"][0]["status"] == 404


def test_switch_into_another_home_is_404(home_sim: Simulator) -> None:
    sam = profiles_by_title(home_sim, sign_in(home_sim))["Sam"]
    assert switch(home_sim, sign_in(home_sim, "stranger"), sam["uuid"]).status_code == 404


def test_switch_needs_a_valid_token_and_a_client_id(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    sam = profiles_by_title(home_sim, token)["Sam"]
    assert switch(home_sim, "SIMULATED-bogus", sam["uuid"]).status_code == 401
    home_sim.revoke(token)
    assert switch(home_sim, token, sam["uuid"]).status_code == 401
    anonymous = requests.post(
        f"{home_sim.url}/api/v2/home/users/{sam['uuid']}/switch",
        headers={"Accept": "application/json", "X-Plex-Token": sign_in(home_sim)},
        timeout=5,
    )
    assert anonymous.status_code == 400
    assert anonymous.json()["errors"][0]["code"] == 1000


def test_a_custom_home(make_sim: Callable[..., Simulator]) -> None:
    home = Home(
        name="Smiths",
        profiles=(
            HomeProfile("Pat", username="pat", admin=True, pin="4321"),
            HomeProfile("Kim", restriction_profile="older_kid"),
        ),
    )
    sim = make_sim(home=home)
    token = sign_in(sim)
    profiles = profiles_by_title(sim, token)
    assert profiles["Pat"]["protected"] is True and profiles["Kim"]["protected"] is False
    assert switch(sim, token, profiles["Pat"]["uuid"]).status_code == 403  # even oneself
    assert switch(sim, token, profiles["Pat"]["uuid"], "4321").status_code == 201


@pytest.mark.parametrize(
    "make_home",
    [
        lambda: Home((HomeProfile("A", username="a"),)),  # no admin
        lambda: Home((HomeProfile("A", admin=True),)),  # a managed admin
        lambda: Home((HomeProfile("A", username="a", admin=True, pin="12a4"),)),
        lambda: Home((HomeProfile("A", username="a", admin=True), HomeProfile("a"))),
        lambda: Home((HomeProfile(" ", username="a", admin=True),)),
        lambda: Home((HomeProfile("A", username="a", admin=True, restriction_profile="x"),)),  # type: ignore[arg-type]
    ],
)
def test_impossible_homes_are_refused(make_home: Callable[[], Home]) -> None:
    with pytest.raises(ValueError):
        make_home()


def test_pin_error_status_is_checked() -> None:
    with pytest.raises(ValueError):
        Simulator(pin_error_status=500)


def test_a_profile_repr_hides_its_pin() -> None:
    assert DEMO_PROFILE_PIN not in repr(DEMO_HOME)


# --- faults, the log and the PIN's secrecy ---------------------------------------------------


def test_faults_hit_the_home_endpoints(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    sam = profiles_by_title(home_sim, token)["Sam"]
    home_sim.add_fault("home_users", status=503)
    home_sim.add_fault("switch", status=429, retry_after="3")
    assert home_users(home_sim, token).status_code == 503
    limited = switch(home_sim, token, sam["uuid"])
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert home_users(home_sim, token).status_code == 200
    assert switch(home_sim, token, sam["uuid"]).status_code == 201
    endpoints = [r.endpoint for r in home_sim.requests if r.path.startswith("/api/v2/home")]
    assert endpoints == ["home_users", "home_users", "switch", "home_users", "switch"]


def test_control_fault_names_the_home_endpoints(home_sim: Simulator) -> None:
    fault = {"endpoint": "switch", "status": 500}
    control = f"{home_sim.control_url}/_sim/fault"
    assert requests.post(control, json=fault, timeout=5).status_code == 200
    token = sign_in(home_sim)
    assert switch(home_sim, token, "whatever").status_code == 500


def test_the_profile_pin_never_reaches_the_log_or_state(home_sim: Simulator) -> None:
    token = sign_in(home_sim)
    mia = profiles_by_title(home_sim, token)["Mia"]
    assert switch(home_sim, token, mia["uuid"], DEMO_PROFILE_PIN).status_code == 201
    requests.post(  # another spelling is no way around the redaction
        f"{home_sim.url}/api/v2/home/users/{mia['uuid']}/switch?PIN={DEMO_PROFILE_PIN}",
        headers={**HEADERS, "X-Plex-Token": token},
        timeout=5,
    )
    switches = [r for r in home_sim.requests if r.endpoint == "switch"]
    assert [r.query for r in switches] == ["pin=<redacted>", "PIN=<redacted>"]
    state = requests.get(f"{home_sim.control_url}/_sim/state", timeout=5).text
    assert "pin=<redacted>" in state and f"pin={DEMO_PROFILE_PIN}" not in state


def test_the_approval_page_lists_the_profiles_and_the_demo_pin(home_sim: Simulator) -> None:
    page = requests.get(home_sim.approval_url, timeout=5).text
    assert "Alex (admin)" in page and "Jules (managed)" in page
    assert f"Mia (managed, PIN {DEMO_PROFILE_PIN})" in page


def test_no_home_no_profile_list(make_sim: Callable[..., Simulator]) -> None:
    page = requests.get(make_sim().approval_url, timeout=5).text
    assert "Plex Home" not in page


def test_command_line_home_option() -> None:
    command = [sys.executable, "-m", "plexlogin.simulator", "--port", "0", "--home"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        base = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        try:
            page = requests.get(f"{base}/", timeout=5).text
        finally:
            process.terminate()
            process.communicate(timeout=10)
    assert f"Mia (managed, PIN {DEMO_PROFILE_PIN})" in page
    assert "<b>alex</b>" in page  # the admin approves


def test_the_demo_note_names_the_demo_homes_protected_profile_and_its_pin() -> None:
    from plexlogin.home import DEMO_HOME_NOTE

    protected = [p for p in DEMO_HOME.profiles if p.protected]
    assert [p.title for p in protected] == ["Mia"]
    assert f"Mia (PIN {DEMO_PROFILE_PIN})" in DEMO_HOME_NOTE
    assert all(p.title in DEMO_HOME_NOTE for p in DEMO_HOME.profiles)
