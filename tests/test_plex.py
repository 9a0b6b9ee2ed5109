"""The plex.tv client against the simulator over real loopback HTTP, and its parsers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from plexlogin import flow
from plexlogin.errors import (
    NetworkError,
    PinExpired,
    RateLimited,
    RequestTimeout,
    ServerError,
    TokenRejected,
    UnexpectedAnswer,
)
from plexlogin.models import parse_pin, parse_retry_after, parse_user
from plexlogin.plex import MAX_RESPONSE_BYTES, Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator
from tests.helpers.fake_clock import FakeClock

CLIENT_ID = "3f1c1f9e-3b53-4a36-9a3b-0f3f5a1e2b7c"


@pytest.fixture
def client(simulator: Simulator) -> Iterator[PlexClient]:
    with PlexClient(Identity(CLIENT_ID, product="plexlogin-tests"), simulator.url) as c:
        yield c


def test_create_short_and_strong_pins(client: PlexClient) -> None:
    short = client.create_pin(strong=False)
    strong = client.create_pin(strong=True)
    assert len(short.code) == 4 and short.code.isalnum() and short.code == short.code.upper()
    assert len(strong.code) == 25 and strong.strong and not short.strong
    assert short.expires_in == 899 and strong.expires_in == 1799  # plex.tv rounds down
    assert short.client_identifier == CLIENT_ID
    assert short.product == "plexlogin-tests"
    assert short.auth_token is None
    assert short.location is not None and short.location.country
    assert short.expires_at is not None and short.expires_at.tzinfo is not None
    assert short.server_date is not None
    assert 899 <= short.seconds_left() <= 900


def test_poll_returns_token_once_approved(client: PlexClient, simulator: Simulator) -> None:
    pin = client.create_pin()
    assert client.poll_pin(pin.id).auth_token is None
    issued = simulator.approve(pin.id)
    polled = client.poll_pin(pin.id)
    assert polled.auth_token == Token(issued)
    assert issued not in repr(polled)


def test_poll_of_expired_pin_raises_pin_expired(client: PlexClient, simulator: Simulator) -> None:
    pin = client.create_pin()
    simulator.expire(pin.id)
    with pytest.raises(PinExpired):
        client.poll_pin(pin.id)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", None),
        ("<html><body>Not Found</body></html>", "text/html"),
        ('{"message": "not here"}', "application/json"),
        ('{"errors": []}', "application/json"),
    ],
)
def test_poll_404_without_plex_error_is_a_server_fault(
    client: PlexClient, simulator: Simulator, body: str, content_type: str | None
) -> None:
    """Only plex.tv's own error JSON means the PIN is gone; a bare 404 is a front layer's fault."""
    pin = client.create_pin()
    simulator.add_fault("poll", status=404, body=body, content_type=content_type)
    with pytest.raises(ServerError) as fault:
        client.poll_pin(pin.id)
    assert fault.value.status == 404
    assert client.poll_pin(pin.id).code == pin.code  # the PIN is still there


def test_poll_404_with_plex_error_body_is_an_expiry(
    client: PlexClient, simulator: Simulator
) -> None:
    pin = client.create_pin()
    body = '{"errors":[{"code":1020,"message":"Code not found or expired","status":404}]}'
    simulator.add_fault("poll", status=404, body=body, content_type="application/json")
    with pytest.raises(PinExpired):
        client.poll_pin(pin.id)


def sign_in_on(client: PlexClient, clock: FakeClock) -> tuple[flow.SignInFlow, list[flow.Event]]:
    """A sign-in flow on the fake clock, and the list its events land in."""
    events: list[flow.Event] = []
    signin = flow.SignInFlow(
        client, events.append, timeout=3600, clock=clock, waiter=clock, random=lambda: 1.0
    )
    return signin, events


def test_empty_404s_on_polls_keep_the_codes_on_screen(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """Empty 404s mixed with 200s (a plex.tv outage) back off and keep the same codes."""
    signin, events = sign_in_on(client, clock)
    simulator.add_fault("poll", status=404, times=3)
    clock.at(60, lambda: simulator.approve(simulator.pins()[0].id))
    assert signin.run().user.username == "demo-user"
    shown = [e for e in events if isinstance(e, flow.CodesReady)]
    assert len(shown) == 1
    assert not any(isinstance(e, flow.Renewing) for e in events)
    trouble = [e.message for e in events if isinstance(e, flow.Trouble)]
    assert trouble and set(trouble) == {"plex.tv is having problems"}


ODD_TOKENS = [
    " SIMULATED-padded ",
    "SIMULATED-tab\t",
    "SIMULATED-トークン",
    "SIMULATED-€uro",
    "SIMULATED-é",
    "SIMULATED inner space",
    "A" * 5000,
]


@pytest.mark.parametrize("token", ODD_TOKENS)
def test_odd_token_from_the_server_is_an_unexpected_answer(
    client: PlexClient, simulator: Simulator, token: str
) -> None:
    """A token that could not go back out in X-Plex-Token is not one plex.tv would send."""
    pin = client.create_pin()
    body = json.dumps({**FULL_PIN, "id": pin.id, "code": pin.code, "authToken": token})
    simulator.add_fault("poll", status=200, body=body)
    with pytest.raises(UnexpectedAnswer, match="malformed token"):
        client.poll_pin(pin.id)


@pytest.mark.parametrize("token", ["abcDEF123-_xyz0987654", "eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl"])
def test_plex_tokens_and_jwts_are_token_shaped(token: str) -> None:
    pin = parse_pin({**FULL_PIN, "authToken": token})
    assert pin.auth_token == Token(token)


def test_odd_token_is_reported_as_an_unexpected_answer_and_retried(
    client: PlexClient, simulator: Simulator, clock: FakeClock
) -> None:
    """Said as what it is (not "Can't reach plex.tv"), and the next good answer signs in."""
    signin, events = sign_in_on(client, clock)

    def approve_with_a_bad_answer_first() -> None:
        pin = simulator.pins()[0]
        body = json.dumps({**FULL_PIN, "id": pin.id, "code": pin.code, "authToken": " x "})
        simulator.add_fault("poll", status=200, body=body)
        simulator.approve(pin.id)

    clock.at(5, approve_with_a_bad_answer_first)
    assert signin.run().user.username == "demo-user"
    trouble = [e.message for e in events if isinstance(e, flow.Trouble)]
    assert trouble == ["plex.tv sent an unexpected answer"]


def test_poll_with_another_client_id_is_not_found(client: PlexClient, simulator: Simulator) -> None:
    pin = client.create_pin()
    with PlexClient(Identity("someone-else"), simulator.url) as other, pytest.raises(PinExpired):
        other.poll_pin(pin.id)


def test_get_user_accepts_issued_token_and_rejects_others(
    client: PlexClient, simulator: Simulator
) -> None:
    pin = client.create_pin()
    token = Token(simulator.approve(pin.id))
    user = client.get_user(token)
    assert user.username == "demo-user" and user.id > 0 and user.uuid
    with pytest.raises(TokenRejected) as rejected:
        client.get_user(Token("SIMULATED-not-issued"))
    assert "SIMULATED-not-issued" not in str(rejected.value)
    simulator.revoke(token.reveal())
    with pytest.raises(TokenRejected):
        client.get_user(token)


def test_identity_headers_reach_the_server(client: PlexClient, simulator: Simulator) -> None:
    pin = client.create_pin()
    assert simulator.pins()[0].client_id == CLIENT_ID
    assert pin.product == "plexlogin-tests"
    headers = simulator.requests[0].headers
    assert headers["Accept"] == "application/json"
    for name in ("X-Plex-Version", "X-Plex-Platform", "X-Plex-Device", "X-Plex-Device-Name"):
        assert headers[name]


def test_rate_limit_carries_retry_after(client: PlexClient, simulator: Simulator) -> None:
    simulator.add_fault("create", status=429, retry_after="7")
    with pytest.raises(RateLimited) as limited:
        client.create_pin()
    assert limited.value.retry_after == 7
    simulator.add_fault("create", status=429)
    with pytest.raises(RateLimited) as no_header:
        client.create_pin()
    assert no_header.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(client: PlexClient, simulator: Simulator, status: int) -> None:
    simulator.add_fault("create", status=status, body="<html>down</html>")
    with pytest.raises(ServerError) as error:
        client.create_pin()
    assert error.value.status == status


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body>Bad gateway</body></html>", "text/html"),
        ('{"id": 1, "code": "AB', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('{"id": "one", "code": "ABCD", "expiresIn": 900}', "application/json"),
        ('{"id": 1, "code": "", "expiresIn": 900}', "application/json"),
        ('{"id": 1, "code": "' + "A" * 500 + '", "expiresIn": 900}', "application/json"),
        ('{"id": 1, "code": "ABCD"}', "application/json"),
        ('{"id": 1, "code": "ABCD", "expiresAt": "soon"}', "application/json"),
    ],
)
def test_malformed_pin_answers(
    client: PlexClient, simulator: Simulator, body: str, content_type: str
) -> None:
    simulator.add_fault("create", status=201, body=body, content_type=content_type)
    with pytest.raises(UnexpectedAnswer):
        client.create_pin()


def test_huge_answer_is_refused(client: PlexClient, simulator: Simulator) -> None:
    simulator.add_fault("create", status=201, body_size=MAX_RESPONSE_BYTES + 10)
    with pytest.raises(UnexpectedAnswer, match="too large"):
        client.create_pin()


def test_dropped_connection_is_a_network_error(client: PlexClient, simulator: Simulator) -> None:
    simulator.add_fault("create", drop=True)
    with pytest.raises(NetworkError):
        client.create_pin()


def test_slow_answer_times_out(simulator: Simulator) -> None:
    simulator.add_fault("create", delay=1.0)
    with PlexClient(Identity(CLIENT_ID), simulator.url, timeout=(1.0, 0.2)) as client:
        with pytest.raises(RequestTimeout):
            client.create_pin()


def test_connection_refused_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PlexClient(Identity(CLIENT_ID), f"http://127.0.0.1:{port}") as client:
        with pytest.raises(NetworkError, match=r"Can't reach plex\.tv"):
            client.create_pin()


def test_auth_url_follows_the_documented_form() -> None:
    client = PlexClient(Identity(CLIENT_ID, product="My Player"))
    url = client.auth_url("3patfx1a78ukcbr7x0n9bl26t")
    assert url == (
        "https://app.plex.tv/auth#?clientID=" + CLIENT_ID + "&code=3patfx1a78ukcbr7x0n9bl26t"
        "&context%5Bdevice%5D%5Bproduct%5D=My%20Player"
    )
    client.close()


# --- parsers ---------------------------------------------------------------------------

FULL_PIN = {
    "id": 564964751,
    "code": "7RQZ",
    "product": "plexlogin",
    "trusted": False,
    "qr": "https://plex.tv/api/v2/pins/qr/7RQZ",
    "clientIdentifier": CLIENT_ID,
    "location": {"code": "DE", "country": "Germany", "european_union_member": True},
    "expiresIn": 900,
    "createdAt": "2023-04-12T17:00:03Z",
    "expiresAt": "2023-04-12T17:15:03Z",
    "authToken": None,
    "newRegistration": None,
    "somethingNew": {"ignored": True},
}


def test_parse_full_pin_ignores_unknown_fields() -> None:
    pin = parse_pin(FULL_PIN)
    assert pin.id == 564964751 and pin.code == "7RQZ" and pin.trusted is False
    assert pin.created_at == datetime(2023, 4, 12, 17, 0, 3, tzinfo=timezone.utc)
    assert pin.location is not None and pin.location.european_union_member is True


def test_seconds_left_uses_server_clock_not_ours() -> None:
    """A client clock hours off must not change the countdown."""
    data = {**FULL_PIN, "expiresIn": None}
    server_now = datetime(2023, 4, 12, 17, 5, 3, tzinfo=timezone.utc)
    pin = parse_pin(data, server_date=server_now)
    assert pin.seconds_left() == 600
    # without a Date header, createdAt is the server-side reference
    assert parse_pin(data).seconds_left() == 900


@pytest.mark.parametrize(
    ("stamp", "microsecond"),
    [
        ("2019-07-01T10:00:17Z", 0),
        ("2019-07-01T10:00:17.2Z", 200000),
        ("2019-07-01T10:00:17.24Z", 240000),
        ("2019-07-01T10:00:17.247Z", 247000),
        ("2019-07-01T10:00:17.2471Z", 247100),
        ("2019-07-01T10:00:17.247123Z", 247123),
        ("2019-07-01T10:00:17.2471239Z", 247123),
        ("2019-07-01T12:00:17.5+02:00", 500000),
        ("2019-07-01T10:00:17", 0),
    ],
)
def test_timestamps_parse_alike_on_every_python(stamp: str, microsecond: int) -> None:
    """Whole seconds, milliseconds or any other fraction: the same on 3.10 as on 3.13."""
    expected = datetime(2019, 7, 1, 10, 0, 17, microsecond, tzinfo=timezone.utc)
    assert parse_pin({**FULL_PIN, "createdAt": stamp}).created_at == expected


@pytest.mark.parametrize(
    "stamp",
    [
        "soon",
        "2023-02-30T00:00:00Z",
        "2023-04-12T17:00:03+25:00",
        "2023-04-12T17:00:03.Z",
        "0001-01-01T00:30:00+01:00",
        "\uff12\uff10\uff12\uff13-04-12T17:00:03Z",  # full-width digits
        "2023-04-12T17:00:03Z" + "0" * 70,
    ],
)
def test_timestamps_that_are_not_one_parse_to_none(stamp: str) -> None:
    assert parse_pin({**FULL_PIN, "createdAt": stamp}).created_at is None


@pytest.mark.parametrize("field", ["id", "code"])
def test_missing_required_pin_fields(field: str) -> None:
    data = dict(FULL_PIN)
    del data[field]
    with pytest.raises(UnexpectedAnswer):
        parse_pin(data)


def test_empty_token_means_not_yet() -> None:
    assert parse_pin({**FULL_PIN, "authToken": ""}).auth_token is None


def test_parse_user_requires_id_and_username() -> None:
    user = parse_user({"id": 1, "username": "alice", "friendlyName": "Alice", "extra": 1})
    assert user.display_name == "Alice"
    with pytest.raises(UnexpectedAnswer):
        parse_user({"id": 1})
    with pytest.raises(UnexpectedAnswer):
        parse_user({"id": True, "username": "bob"})


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("12", now) == 12
    later = (now + timedelta(seconds=45)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now) == 45
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
