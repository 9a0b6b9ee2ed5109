"""The plex.tv simulator, exercised over real loopback HTTP (no mocks)."""

from __future__ import annotations

import email.utils
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from plexlogin.simulator import TOKEN_PREFIX, Simulator

CLIENT_ID = "test-client-0000"
PRODUCT = "plexlogin-tests"
HEADERS = {
    "X-Plex-Client-Identifier": CLIENT_ID,
    "X-Plex-Product": PRODUCT,
    "Accept": "application/json",
}
PIN_FIELDS = {
    "id",
    "code",
    "product",
    "trusted",
    "qr",
    "clientIdentifier",
    "location",
    "expiresIn",
    "createdAt",
    "expiresAt",
    "authToken",
    "newRegistration",
}
LOCATION_FIELDS = {
    "code",
    "european_union_member",
    "continent_code",
    "country",
    "city",
    "time_zone",
    "postal_code",
    "in_privacy_restricted_country",
    "in_privacy_restricted_region",
    "subdivisions",
    "coordinates",
}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ISO_UTC_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
NOT_FOUND_1020 = {"errors": [{"code": 1020, "message": "Code not found or expired", "status": 404}]}


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def create(
    http: requests.Session,
    sim: Simulator,
    *,
    strong: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = http.post(
        f"{sim.url}/api/v2/pins",
        params={"strong": "true"} if strong else None,
        headers={**HEADERS, **(headers or {})},
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def poll(http: requests.Session, sim: Simulator, pin_id: int, **kwargs: Any) -> requests.Response:
    headers = {**HEADERS, **kwargs.pop("headers", {})}
    return http.get(f"{sim.url}/api/v2/pins/{pin_id}", headers=headers, **kwargs)


def user(http: requests.Session, sim: Simulator, token: str) -> requests.Response:
    return http.get(f"{sim.url}/api/v2/user", headers={**HEADERS, "X-Plex-Token": token})


# --- create ------------------------------------------------------------------------------


def test_create_answers_the_full_pin_object(sim: Simulator, http: requests.Session) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    pin = create(http, sim)

    assert set(pin) == PIN_FIELDS
    assert isinstance(pin["id"], int) and not isinstance(pin["id"], bool)
    assert re.fullmatch(r"[A-Z0-9]{4}", pin["code"])
    assert pin["product"] == PRODUCT
    assert pin["trusted"] is False
    assert pin["qr"] == f"{sim.url}/api/v2/pins/qr/{pin['code']}"
    assert pin["clientIdentifier"] == CLIENT_ID
    assert set(pin["location"]) == LOCATION_FIELDS
    assert pin["expiresIn"] == 899 and isinstance(pin["expiresIn"], int)  # rounded down
    assert ISO_UTC.match(pin["createdAt"]) and ISO_UTC.match(pin["expiresAt"])
    created = datetime.fromisoformat(pin["createdAt"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(pin["expiresAt"].replace("Z", "+00:00"))
    assert before <= created <= before + timedelta(seconds=5)
    assert expires - created == timedelta(seconds=900)
    assert pin["authToken"] is None
    assert pin["newRegistration"] is None


def test_timestamps_come_whole_and_with_milliseconds(
    sim: Simulator, http: requests.Session
) -> None:
    first, second = create(http, sim), create(http, sim, strong=True)
    assert ISO_UTC.match(first["createdAt"]) and ISO_UTC.match(first["expiresAt"])
    assert ISO_UTC_MILLIS.match(second["createdAt"]) and ISO_UTC_MILLIS.match(second["expiresAt"])
    assert second["createdAt"][-5:] == second["expiresAt"][-5:]  # the same fraction


def test_strong_pin_has_a_long_lowercase_code_and_longer_life(
    sim: Simulator, http: requests.Session
) -> None:
    pin = create(http, sim, strong=True)
    assert re.fullmatch(r"[a-z0-9]{25}", pin["code"])
    assert pin["expiresIn"] == 1799  # plex.tv rounds down
    assert [p.strong for p in sim.pins()] == [True]


def test_strong_may_come_as_a_form_body(sim: Simulator, http: requests.Session) -> None:
    response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS, data={"strong": "true"})
    assert response.status_code == 201
    assert len(response.json()["code"]) == 25


def test_lifetimes_are_configurable(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    sim = make_sim(pin_lifetime=60, strong_pin_lifetime=120)
    assert create(http, sim)["expiresIn"] == 59
    assert create(http, sim, strong=True)["expiresIn"] == 119


def test_create_without_client_identifier_is_400(sim: Simulator, http: requests.Session) -> None:
    response = http.post(f"{sim.url}/api/v2/pins", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"code": 1000, "message": "X-Plex-Client-Identifier is missing", "status": 400}]
    }
    assert sim.pins() == []


def test_live_codes_and_ids_are_unique_under_concurrent_creates(
    sim: Simulator, http: requests.Session
) -> None:
    results: list[int] = []

    def worker() -> None:
        with requests.Session() as own:
            for _ in range(5):
                results.append(create(own, sim)["id"])

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pins = sim.pins()
    assert len(results) == len(set(results)) == len(pins) == 40
    assert len({p.code for p in pins}) == 40
    assert [r.endpoint for r in sim.requests] == ["create"] * 40


# --- XML ----------------------------------------------------------------------------------


def test_without_accept_json_the_answer_is_xml(sim: Simulator, http: requests.Session) -> None:
    headers = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Product": PRODUCT}
    response = http.post(f"{sim.url}/api/v2/pins", headers=headers)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "pin"
    assert re.fullmatch(r"[A-Z0-9]{4}", root.attrib["code"])
    assert root.attrib["clientIdentifier"] == CLIENT_ID
    assert root.find("location") is not None

    missing = http.get(f"{sim.url}/api/v2/pins/1", headers=headers)
    error = ET.fromstring(missing.content).find("error")
    assert missing.status_code == 404
    assert error is not None and error.attrib["code"] == "1020"


# --- poll ---------------------------------------------------------------------------------


def test_poll_answers_the_pin_with_remaining_seconds(
    sim: Simulator, http: requests.Session
) -> None:
    pin = create(http, sim)
    response = poll(http, sim, pin["id"])
    assert response.status_code == 200
    polled = response.json()
    assert set(polled) == PIN_FIELDS
    assert polled["code"] == pin["code"]
    assert isinstance(polled["expiresIn"], int) and 0 < polled["expiresIn"] <= 900
    assert polled["authToken"] is None


@pytest.mark.parametrize("pin_id", ["999", "not-a-number"])
def test_poll_unknown_pin_is_404_1020(sim: Simulator, http: requests.Session, pin_id: str) -> None:
    response = http.get(f"{sim.url}/api/v2/pins/{pin_id}", headers=HEADERS)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND_1020


def test_poll_from_another_client_is_404_1020(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    response = poll(http, sim, pin["id"], headers={"X-Plex-Client-Identifier": "someone-else"})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND_1020


def test_identity_may_come_in_the_query(sim: Simulator, http: requests.Session) -> None:
    query = {"X-Plex-Client-Identifier": CLIENT_ID, "X-Plex-Product": PRODUCT}
    accept = {"Accept": "application/json"}
    created = http.post(f"{sim.url}/api/v2/pins", params=query, headers=accept)
    assert created.status_code == 201 and created.json()["product"] == PRODUCT
    polled = http.get(f"{sim.url}/api/v2/pins/{created.json()['id']}", params=query, headers=accept)
    assert polled.status_code == 200


# --- expiry --------------------------------------------------------------------------------


def test_pins_expire_by_themselves(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    sim = make_sim(pin_lifetime=0.2)
    pin = create(http, sim)
    assert pin["expiresIn"] == 1  # a live PIN never claims 0 seconds left
    time.sleep(0.25)
    assert poll(http, sim, pin["id"]).json() == NOT_FOUND_1020
    assert sim.pins() == []


def test_expire_forgets_one_pin_or_all(sim: Simulator, http: requests.Session) -> None:
    first, second, third = (create(http, sim)["id"] for _ in range(3))
    sim.expire(first)
    assert poll(http, sim, first).status_code == 404
    assert poll(http, sim, second).status_code == 200
    sim.expire(first)  # already gone: not an error
    sim.expire()
    assert poll(http, sim, third).status_code == 404
    assert sim.pins() == []


def test_pins_snapshot(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    [snapshot] = sim.pins()
    assert snapshot.id == pin["id"] and snapshot.code == pin["code"]
    assert snapshot.client_id == CLIENT_ID and snapshot.product == PRODUCT
    assert not snapshot.strong and not snapshot.approved and snapshot.token is None
    assert snapshot.created_at.tzinfo is not None
    assert snapshot.expires_at - snapshot.created_at == timedelta(seconds=900)
    with pytest.raises(AttributeError):
        snapshot.code = "XXXX"  # type: ignore[misc]


# --- approve, user, revoke ------------------------------------------------------------------


def test_approve_gives_the_pin_a_token_that_user_accepts(
    sim: Simulator, http: requests.Session
) -> None:
    pin = create(http, sim)
    token = sim.approve(pin["id"])
    assert token.startswith(TOKEN_PREFIX)

    polled = poll(http, sim, pin["id"]).json()
    assert polled["authToken"] == token
    assert sim.pins()[0].approved and sim.pins()[0].token == token

    response = user(http, sim, token)
    assert response.status_code == 200
    account = response.json()
    for key in ("id", "uuid", "username", "title", "friendlyName", "email", "thumb", "locale"):
        assert key in account
    assert isinstance(account["id"], int)
    assert account["username"] == "demo-user"
    assert account["thumb"].startswith("https://") and account["uuid"] in account["thumb"]
    assert isinstance(account["subscription"], dict)
    assert account["twoFactorEnabled"] is False
    # undocumented fields plex.tv really sends, so the client is tested against them
    assert isinstance(account["profile"], dict) and account["subscriptions"] == []
    assert {"pastSubscriptions", "trials", "adsConsent", "attributionPartner"} <= set(account)


def test_approve_by_code_is_case_insensitive_and_takes_a_username(
    sim: Simulator, http: requests.Session
) -> None:
    pin = create(http, sim)
    token = sim.approve(code=pin["code"].lower(), username="alice")
    assert user(http, sim, token).json()["username"] == "alice"


def test_approve_without_arguments_takes_the_oldest_pending(
    sim: Simulator, http: requests.Session
) -> None:
    first, second = create(http, sim), create(http, sim)
    sim.approve()
    assert poll(http, sim, first["id"]).json()["authToken"] is not None
    assert poll(http, sim, second["id"]).json()["authToken"] is None
    sim.approve()
    with pytest.raises(KeyError):
        sim.approve()  # nothing pending any more
    with pytest.raises(KeyError):
        sim.approve(first["id"])  # already approved
    with pytest.raises(KeyError):
        sim.approve(code="ZZZZZ")


def test_user_rejects_unknown_missing_and_revoked_tokens(
    sim: Simulator, http: requests.Session
) -> None:
    # documented without "status"; plex.tv sends it with one
    not_authenticated = {
        "errors": [{"code": 1001, "message": "User could not be authenticated", "status": 401}]
    }
    for token in ("SIMULATED-never-issued", ""):
        response = user(http, sim, token)
        assert response.status_code == 401
        assert response.json() == not_authenticated

    create(http, sim)
    token = sim.approve()
    assert user(http, sim, token).status_code == 200
    sim.revoke(token)
    response = user(http, sim, token)
    assert response.status_code == 401
    assert response.json() == not_authenticated


def test_auto_approve(make_sim: Callable[..., Simulator], http: requests.Session) -> None:
    eager = make_sim(auto_approve_after=0.0, username="auto")
    pin = create(http, eager)
    token = poll(http, eager, pin["id"]).json()["authToken"]
    assert token.startswith(TOKEN_PREFIX)
    assert user(http, eager, token).json()["username"] == "auto"

    patient = make_sim(auto_approve_after=60.0)
    pin = create(http, patient)
    assert poll(http, patient, pin["id"]).json()["authToken"] is None


# --- clock ----------------------------------------------------------------------------------


def test_clock_offset_shifts_date_header_and_timestamps(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    offset = 3 * 3600.0
    sim = make_sim(clock_offset=offset)
    response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
    server_now = email.utils.parsedate_to_datetime(response.headers["Date"])
    expected = datetime.now(timezone.utc) + timedelta(seconds=offset)
    assert abs((server_now - expected).total_seconds()) < 5
    created = datetime.fromisoformat(response.json()["createdAt"].replace("Z", "+00:00"))
    assert abs((created - expected).total_seconds()) < 5
    assert abs((sim.pins()[0].created_at - expected).total_seconds()) < 5
    assert response.json()["expiresIn"] == 899  # the offset does not change the lifetime


def test_every_answer_has_a_date_header(sim: Simulator, http: requests.Session) -> None:
    sim.add_fault("poll", status=503)
    for response in (
        http.post(f"{sim.url}/api/v2/pins", headers=HEADERS),
        poll(http, sim, 1),
        user(http, sim, "x"),
        http.get(f"{sim.url}/nowhere"),
        http.get(f"{sim.url}/"),
    ):
        assert email.utils.parsedate_to_datetime(response.headers["Date"]).tzinfo is not None


# --- faults ---------------------------------------------------------------------------------


def test_fault_status_with_retry_after_seconds(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    sim.add_fault("poll", status=429, retry_after="5")
    limited = poll(http, sim, pin["id"])
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "5"
    assert poll(http, sim, pin["id"]).status_code == 200  # times=1: used up


def test_fault_retry_after_http_date_and_times(sim: Simulator, http: requests.Session) -> None:
    when = "Wed, 21 Oct 2037 07:28:00 GMT"
    sim.add_fault("create", status=429, retry_after=when, times=2)
    statuses = []
    for _ in range(3):
        response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["Retry-After"] == when
    assert statuses == [429, 429, 201]
    assert len(sim.pins()) == 1  # a faulted create makes no PIN


def test_fault_until_cleared_and_any(sim: Simulator, http: requests.Session) -> None:
    sim.add_fault(
        "any", status=502, body="<html>Bad gateway</html>", content_type="text/html", times=-1
    )
    for _ in range(3):
        response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
        assert response.status_code == 502
        assert response.headers["Content-Type"] == "text/html"
        assert response.text == "<html>Bad gateway</html>"
    assert user(http, sim, "x").status_code == 502
    sim.clear_faults()
    assert http.post(f"{sim.url}/api/v2/pins", headers=HEADERS).status_code == 201


def test_fault_only_hits_its_endpoint(sim: Simulator, http: requests.Session) -> None:
    sim.add_fault("user", status=500)
    pin = create(http, sim)
    assert poll(http, sim, pin["id"]).status_code == 200
    assert user(http, sim, "x").status_code == 500


def test_fault_extra_headers_decorate_the_normal_answer(
    sim: Simulator, http: requests.Session
) -> None:
    sim.add_fault("create", headers={"X-Test": "yes"}, retry_after="1")
    response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
    assert response.status_code == 201
    assert response.headers["X-Test"] == "yes" and response.headers["Retry-After"] == "1"
    assert set(response.json()) == PIN_FIELDS


def test_fault_delay_then_normal_answer(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    sim.add_fault("poll", delay=0.15)
    started = time.monotonic()
    response = poll(http, sim, pin["id"])
    assert time.monotonic() - started >= 0.15
    assert response.status_code == 200 and response.json()["id"] == pin["id"]


def test_fault_delay_makes_a_client_time_out(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    sim.add_fault("poll", delay=5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        poll(http, sim, pin["id"], timeout=0.1)
    assert poll(http, sim, pin["id"], timeout=2).status_code == 200


def test_fault_drop_closes_without_an_answer(sim: Simulator, http: requests.Session) -> None:
    sim.add_fault("create", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
    assert sim.requests[-1].status == 0
    assert http.post(f"{sim.url}/api/v2/pins", headers=HEADERS).status_code == 201


def test_fault_drop_mid_response(sim: Simulator, http: requests.Session) -> None:
    sim.add_fault("create", status=201, body_size=10_000, drop=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)


def test_fault_body_size(sim: Simulator, http: requests.Session) -> None:
    size = 2 * 1024 * 1024
    sim.add_fault("poll", body_size=size)
    response = poll(http, sim, 1)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == size == len(response.content)
    assert len(response.json()["padding"]) == size - len('{"padding":""}')

    sim.add_fault("user", status=200, body="ab", body_size=5)
    assert user(http, sim, "x").content == b"ababa"


def test_fault_arguments_are_checked(sim: Simulator) -> None:
    with pytest.raises(ValueError):
        sim.add_fault("pins")
    with pytest.raises(ValueError):
        sim.add_fault("poll", times=0)
    with pytest.raises(ValueError):
        sim.add_fault("poll", delay=-1)


# --- request log ----------------------------------------------------------------------------


def test_request_log(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim)
    poll(http, sim, pin["id"])
    poll(http, sim, 12345)
    user(http, sim, "real-looking-token")
    http.get(f"{sim.url}/api/v2/somewhere-else?x=1")
    http.get(f"{sim.approval_url}")  # pages and control requests are not API requests
    http.get(f"{sim.control_url}/_sim/state")

    log = sim.requests
    assert [(r.method, r.path, r.endpoint, r.pin_id, r.status) for r in log] == [
        ("POST", "/api/v2/pins", "create", pin["id"], 201),
        ("GET", f"/api/v2/pins/{pin['id']}", "poll", pin["id"], 200),
        ("GET", "/api/v2/pins/12345", "poll", 12345, 404),
        ("GET", "/api/v2/user", "user", None, 401),
        ("GET", "/api/v2/somewhere-else", "other", None, 404),
    ]
    assert [r.at for r in log] == sorted(r.at for r in log)
    assert log[0].headers["X-Plex-Client-Identifier"] == CLIENT_ID
    assert log[3].headers["X-Plex-Token"] == "<redacted>"  # only fake tokens are kept
    assert log[4].query == "x=1"


# --- control endpoints -----------------------------------------------------------------------


def test_control_endpoints(sim: Simulator, http: requests.Session) -> None:
    control = f"{sim.control_url}/_sim"
    pin = create(http, sim)

    approved = http.post(f"{control}/approve", json={"code": pin["code"].lower()})
    assert approved.status_code == 200
    token = approved.json()["token"]
    assert token.startswith(TOKEN_PREFIX) and approved.json()["id"] == pin["id"]
    assert http.post(f"{control}/approve", json={}).status_code == 404  # nothing pending

    state = http.get(f"{control}/state").json()
    assert state["pins"][0]["token"] == token and state["pins"][0]["approved"] is True
    assert [r["endpoint"] for r in state["requests"]] == ["create"]

    assert http.post(f"{control}/revoke", json={"token": token}).status_code == 200
    assert user(http, sim, token).status_code == 401

    assert http.post(f"{control}/expire", json={"id": pin["id"]}).status_code == 200
    assert poll(http, sim, pin["id"]).status_code == 404

    fault = {"endpoint": "create", "status": 429, "retry_after": "7", "times": -1}
    assert http.post(f"{control}/fault", json=fault).status_code == 200
    limited = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert http.post(f"{control}/clear", json={}).status_code == 200
    assert http.post(f"{sim.url}/api/v2/pins", headers=HEADERS).status_code == 201

    assert http.post(f"{control}/expire", json={}).status_code == 200
    assert sim.pins() == []


def test_control_endpoints_reject_bad_requests(sim: Simulator, http: requests.Session) -> None:
    control = f"{sim.control_url}/_sim"
    json_type = {"Content-Type": "application/json"}
    assert http.post(f"{control}/approve", data=b"{not json", headers=json_type).status_code == 400
    assert http.post(f"{control}/approve", json={"id": "12"}).status_code == 400
    assert http.post(f"{control}/fault", json={"endpoint": "nope"}).status_code == 400
    assert http.post(f"{control}/revoke", json={}).status_code == 400
    assert http.post(f"{control}/nothing", json={}).status_code == 404
    assert http.get(f"{control}/approve").status_code == 405


# --- pages -----------------------------------------------------------------------------------


def test_home_page_lists_pending_pins_and_approves(sim: Simulator, http: requests.Session) -> None:
    pin = create(http, sim, headers={"X-Plex-Product": "<script>alert(1)</script>"})
    page = http.get(sim.approval_url)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert pin["code"] in page.text
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "Refresh" in page.headers or 'http-equiv="refresh"' in page.text

    answer = http.post(
        f"{sim.control_url}/approve", data={"id": str(pin["id"])}, allow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(f"/s/{sim.control_secret}/")
    assert sim.pins()[0].approved
    assert pin["code"] not in http.get(sim.approval_url).text  # no longer pending
    again = http.post(
        f"{sim.control_url}/approve", data={"id": str(pin["id"])}, allow_redirects=False
    )
    assert again.headers["Location"] == f"/s/{sim.control_secret}/?missing=1"


def test_link_page_approves_a_typed_short_code(sim: Simulator, http: requests.Session) -> None:
    link = f"{sim.control_url}/link"
    assert http.get(link).status_code == 200
    prefilled = http.get(link, params={"code": '"><b>x'})
    assert '"><b>x' not in prefilled.text

    strong = create(http, sim, strong=True)
    short = create(http, sim)
    assert http.post(link, data={"code": strong["code"]}).status_code == 404
    assert http.post(link, data={"code": "ZZZZ"}).status_code == 404

    linked = http.post(link, data={"code": short["code"].lower()})
    assert linked.status_code == 200
    assert PRODUCT in linked.text
    assert poll(http, sim, short["id"]).json()["authToken"].startswith(TOKEN_PREFIX)
    assert poll(http, sim, strong["id"]).json()["authToken"] is None


def test_qr_url_leads_to_the_link_page(sim: Simulator, http: requests.Session) -> None:
    # a client that was given the URL with the secret gets QR links a person can open
    pin = http.post(f"{sim.control_url}/api/v2/pins", headers=HEADERS).json()
    assert pin["qr"].startswith(sim.control_url)
    page = http.get(pin["qr"])
    assert page.status_code == 200 and pin["code"] in page.text


def test_auth_page(make_sim: Callable[..., Simulator], http: requests.Session) -> None:
    sim = make_sim(username="<Ann & Bob>")
    pin = create(http, sim, strong=True)
    # The client's parameters are in the fragment, which a browser never sends.
    page = http.get(f"{sim.control_url}/auth#?clientID={CLIENT_ID}&code={pin['code']}")
    assert page.status_code == 200
    assert "&lt;Ann &amp; Bob&gt;" in page.text
    assert "location.hash" in page.text and "/_sim/approve" in page.text
    nonce = re.search(r"script-src 'nonce-([^']+)'", page.headers["Content-Security-Policy"])
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page.text


# --- robustness and lifecycle ----------------------------------------------------------------


def raw_exchange(sim: Simulator, data: bytes) -> bytes:
    host, port = sim.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_malformed_requests_do_not_hurt_the_server(
    sim: Simulator, http: requests.Session, capfd: pytest.CaptureFixture[str]
) -> None:
    # Python answers an unparseable request line the HTTP/0.9 way: a bare error page.
    assert b"400" in raw_exchange(sim, b"\x00\xff garbage\r\n\r\n")
    assert b" 400 " in raw_exchange(
        sim, b"POST /api/v2/pins HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"
    )
    assert b" 400 " in raw_exchange(
        sim, b"POST /_sim/approve HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    raw_exchange(sim, b"GET /api/v2/pins/1 HTTP/1.1\r\nHost: x\r\n")  # hangs up half-way
    assert create(http, sim)["code"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # quiet: no access log, no tracebacks


def test_stop_is_prompt_with_a_delayed_request_in_flight(
    make_sim: Callable[..., Simulator],
) -> None:
    sim = make_sim()
    sim.add_fault("create", delay=30)
    errors: list[BaseException] = []

    def client() -> None:
        try:
            requests.post(f"{sim.url}/api/v2/pins", headers=HEADERS, timeout=10).close()
        except requests.RequestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    deadline = time.monotonic() + 2
    while not sim.open_connections and time.monotonic() < deadline:  # wait until it is in flight
        time.sleep(0.01)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 1.0
    thread.join(5)
    assert len(errors) == 1 and isinstance(errors[0], requests.exceptions.ConnectionError)
    sim.stop()  # idempotent


def test_lifecycle_edges() -> None:
    sim = Simulator()
    with pytest.raises(RuntimeError):
        _ = sim.url
    sim.stop()  # never started: nothing to do
    with pytest.raises(RuntimeError):
        sim.start()
    with Simulator() as running:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.url)
        assert running.start() is running
    with pytest.raises(ValueError):
        Simulator(pin_lifetime=0)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_command_line_serves_until_signalled(signum: int) -> None:
    command = [sys.executable, "-m", "plexlogin.simulator", "--port", "0", "--auto-approve", "8"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(
            r"plexlogin simulator listening on (http://127\.0\.0\.1:\d+/s/[\w-]{20,})\n", line
        )
        assert match, line
        with requests.get(f"{match.group(1)}/_sim/state", timeout=5) as response:
            assert json.loads(response.text) == {"pins": [], "requests": []}
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == "" and err == ""


# --- a local web server people click: the secret, Host, Origin, content types, fault limits ---


def test_controls_and_pages_need_the_runs_secret(sim: Simulator, http: requests.Session) -> None:
    create(http, sim)
    wrong = sim.control_url.replace(sim.control_secret, "x" * len(sim.control_secret))
    for base in (sim.url, wrong):
        assert http.get(f"{base}/_sim/state").status_code == 403  # tokens stay private
        assert http.post(f"{base}/_sim/approve", json={}).status_code == 403
        assert http.get(f"{base}/").status_code == 403
        assert http.post(f"{base}/link", data={"code": "ABCD"}).status_code == 403
    assert not any(pin.approved for pin in sim.pins())
    assert http.get(f"{sim.control_url}/_sim/state").status_code == 200
    assert sim.approval_url == f"{sim.control_url}/" and sim.control_secret in sim.approval_url
    assert sim.url not in (sim.control_url, sim.approval_url)  # the API base stays plain


def test_each_run_has_its_own_secret(make_sim: Callable[..., Simulator]) -> None:
    first, second = make_sim(), make_sim()
    assert first.control_secret != second.control_secret
    assert len(first.control_secret) >= 20


def test_host_must_name_the_simulator(sim: Simulator, http: requests.Session) -> None:
    # a DNS-rebinding page reaches 127.0.0.1 under its own name
    port = sim.url.rsplit(":", 1)[1]
    evil = {"Host": f"evil.example:{port}"}
    assert http.get(f"{sim.control_url}/_sim/state", headers=evil).status_code == 403
    assert http.get(sim.approval_url, headers=evil).status_code == 403
    assert http.get(sim.approval_url, headers={"Host": f"localhost:{port}"}).status_code == 200
    # plex.tv's API does not care
    assert http.post(f"{sim.url}/api/v2/pins", headers={**HEADERS, **evil}).status_code == 201


def test_origin_must_be_absent_or_the_simulators_own(
    sim: Simulator, http: requests.Session
) -> None:
    pin = create(http, sim)
    foreign = {"Origin": "https://evil.example"}
    form = {"id": str(pin["id"])}
    refused = http.post(f"{sim.control_url}/approve", data=form, headers=foreign)
    assert refused.status_code == 403
    refused = http.post(f"{sim.control_url}/_sim/approve", json={}, headers=foreign)
    assert refused.status_code == 403
    assert not sim.pins()[0].approved
    own = {"Origin": sim.url}
    approved = http.post(
        f"{sim.control_url}/approve", data=form, headers=own, allow_redirects=False
    )
    assert approved.status_code == 303 and sim.pins()[0].approved


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_json_controls_refuse_other_content_types(
    sim: Simulator, http: requests.Session, content_type: str | None
) -> None:
    # any web page can POST text/plain without asking; it must not approve anything
    create(http, sim)
    headers = {"Content-Type": content_type} if content_type else {}
    answer = http.post(f"{sim.control_url}/_sim/approve", data=b"{}", headers=headers)
    assert answer.status_code == 415
    assert not sim.pins()[0].approved
    charset = {"Content-Type": "application/json; charset=utf-8"}
    assert http.post(f"{sim.control_url}/_sim/approve", data=b"{}", headers=charset).ok


@pytest.mark.parametrize(
    "fault",
    [
        {"headers": {"X-Ok": "fine\r\nSet-Cookie: injected=1"}},
        {"headers": {"X-Ok": "line\nbreak"}},
        {"headers": {"Bad Name": "x"}},
        {"headers": {"X-Bad:": "x"}},
        {"headers": {"": "x"}},
        {"retry_after": "5\r\nX-Injected: 1"},
        {"content_type": "text/plain\r\n\r\n<html>"},
        {"body_size": 800 * 1024 * 1024},
    ],
)
def test_fault_headers_and_sizes_are_checked(
    sim: Simulator, http: requests.Session, fault: dict[str, object]
) -> None:
    answer = http.post(f"{sim.control_url}/_sim/fault", json={"endpoint": "create", **fault})
    assert answer.status_code == 400 and answer.json()["error"]
    response = http.post(f"{sim.url}/api/v2/pins", headers=HEADERS)
    assert response.status_code == 201 and "X-Injected" not in response.headers


def test_fault_limits_hold_in_process_too(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="header"):
        sim.add_fault("poll", headers={"X-A": "b\r\nc: d"})
    with pytest.raises(ValueError, match="bytes"):
        sim.add_fault("poll", body_size=5 * 1024 * 1024)
    with pytest.raises(ValueError, match="bytes"):
        sim.add_fault("poll", body=b"x" * (5 * 1024 * 1024))
    sim.add_fault("poll", status=200, body_size=3 * 1024 * 1024)  # oversize for the client
