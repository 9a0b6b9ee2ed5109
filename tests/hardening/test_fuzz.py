"""Property-based tests: whatever plex.tv (or a broken disk) hands over, only typed errors.

Every parser of a server answer, the client's handling of a whole HTTP answer (status,
headers, body), the config file and the --plex-url check get arbitrary input. The promise
under test: the result is either a well-formed value or one of plexlogin's own errors,
never a ``KeyError``/``ValueError``/``OverflowError`` that would end a sign-in with
"Unexpected problem" (or a traceback).
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from plexlogin.cli import check_plex_url
from plexlogin.config import Config, _parse, load_config
from plexlogin.errors import PlexError, UnexpectedAnswer, UsageError
from plexlogin.models import (
    Pin,
    PlexUser,
    error_codes,
    parse_http_date,
    parse_pin,
    parse_retry_after,
    parse_user,
)
from plexlogin.plex import Identity, PlexClient, _PlexReply
from plexlogin.secret import Token

# deadline=None: a shared two-core box must not turn a slow example into a failure
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- strategies ----------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
any_json = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
timestamps = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(
        [
            "",
            "yesterday",
            "2023-04-12T17:00:03Z",
            "9999-12-31T23:59:59-23:59",  # a valid timestamp that overflows in UTC
            "0001-01-01T00:00:00+23:59",
            "2023-02-30T00:00:00Z",
            "2023-04-12T17:00:03+99:00",
            "1" * 70,
        ]
    ),
    st.text(max_size=30),
)
codes = st.one_of(
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=4, max_size=4),
    st.text(max_size=30),
    st.just("X" * 100_000),  # absurdly long
    st.just(""),
)
tokens = st.one_of(st.none(), st.just(""), st.text(max_size=60), st.just("t" * 5000), any_json)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The field's plausible values, or anything JSON at all, or absent."""
    return st.one_of(strategy, json_scalars)


pin_like = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.integers(min_value=-5, max_value=2**63)),
        "code": maybe(codes),
        "expiresIn": maybe(st.integers(min_value=-10, max_value=10**9)),
        "expiresAt": maybe(timestamps),
        "createdAt": maybe(timestamps),
        "authToken": tokens,
        "location": any_json,
        "trusted": any_json,
        "qr": any_json,
        "newRegistration": any_json,
        "clientIdentifier": any_json,
        "product": any_json,
    },
)
user_like = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.integers()),
        "username": maybe(st.text(max_size=300)),
        "uuid": any_json,
        "title": any_json,
        "friendlyName": any_json,
        "email": any_json,
        "thumb": any_json,
        "subscription": any_json,
        "twoFactorEnabled": any_json,
        "authToken": any_json,
    },
)
# header values as http.client hands them over: latin-1 decoded bytes
header_text = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
    st.sampled_from(
        ["²", "١٢", "9" * 5000, "-1", "1e3", " 7 ", "0x10", "Wed, 21 Oct 2015 07:28:00 GMT"]
    ),
)
server_dates = st.one_of(st.none(), st.datetimes(timezones=st.timezones()))


# --- the answer parsers --------------------------------------------------------------------------


def check_pin(pin: Pin) -> None:
    assert isinstance(pin.id, int) and pin.id >= 0
    assert pin.code and pin.code.isascii() and pin.code.isalnum()
    left = pin.seconds_left()
    assert 0 <= left < float("inf")
    assert pin.auth_token is None or isinstance(pin.auth_token, Token)


@FUZZ
@given(data=st.one_of(pin_like, any_json), server_date=server_dates)
@example(data={"id": 1, "code": "ABCD", "expiresAt": "9999-12-31T23:59:59-23:59"}, server_date=None)
@example(data={"id": 1, "code": "ABCD", "expiresAt": "0001-01-01T00:00:00+23:59"}, server_date=None)
def test_parse_pin_gives_a_pin_or_unexpected_answer(
    data: object, server_date: datetime | None
) -> None:
    try:
        pin = parse_pin(data, server_date=server_date, received_at=0.0)
    except UnexpectedAnswer as error:
        assert str(error).startswith("plex.tv sent")
        return
    check_pin(pin)


@FUZZ
@given(data=st.one_of(user_like, any_json))
def test_parse_user_gives_a_user_or_unexpected_answer(data: object) -> None:
    try:
        user = parse_user(data)
    except UnexpectedAnswer:
        return
    assert isinstance(user, PlexUser) and user.account_name and isinstance(user.id, int)
    assert isinstance(user.display_name, str)


@FUZZ
@given(value=st.one_of(st.none(), header_text))
@example(value="²")  # int("²") raises although "²".isdigit()
@example(value="9" * 5000)  # more digits than int() converts
def test_parse_retry_after_is_none_or_a_bounded_number(value: str | None) -> None:
    seconds = parse_retry_after(value, now=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert seconds is None or 0 <= seconds <= 24 * 3600


@FUZZ
@given(value=st.one_of(st.none(), header_text))
def test_parse_http_date_is_none_or_aware(value: str | None) -> None:
    parsed = parse_http_date(value)
    assert parsed is None or parsed.tzinfo is not None


@FUZZ
@given(body=st.one_of(st.binary(max_size=200), any_json.map(lambda d: json.dumps(d).encode())))
def test_answer_body_is_json_or_unexpected_answer(body: bytes) -> None:
    answer = _PlexReply(200, {}, body)
    try:
        answer.json()
    except UnexpectedAnswer:
        pass


@FUZZ
@given(data=any_json)
def test_error_codes_are_ints(data: object) -> None:
    assert all(isinstance(code, int) for code in error_codes(data))


def test_deeply_nested_json_is_an_unexpected_answer() -> None:
    with pytest.raises(UnexpectedAnswer):
        _PlexReply(200, {}, b"[" * 100_000 + b"]" * 100_000).json()


# --- a whole HTTP answer through the client ------------------------------------------------------


class CannedSession(requests.Session):
    """A requests.Session whose every answer is the one the test made up (no network)."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        super().__init__()
        self.answer = (status, headers, body)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        status, headers, body = self.answer
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.raw = io.BytesIO(body)
        response.url = url
        return response


statuses = st.one_of(
    st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503]),
    st.integers(100, 999),
)
answer_headers = st.dictionaries(
    st.sampled_from(["Content-Length", "Retry-After", "Date", "Content-Type", "X-Other"]),
    header_text,
    max_size=4,
)
answer_bodies = st.one_of(
    st.binary(max_size=100),
    st.one_of(pin_like, user_like, any_json).map(lambda d: json.dumps(d).encode()),
    st.just(b"<html><body>502 Bad Gateway</body></html>"),
    st.just(b'{"errors":[{"code":1020,"message":"Code not found or expired","status":404}]}'),
)


@FUZZ
@given(
    status=statuses,
    headers=answer_headers,
    body=answer_bodies,
    call=st.sampled_from(["create", "poll", "user"]),
)
@example(status=429, headers={"Retry-After": "²"}, body=b"", call="create")
@example(status=200, headers={"Content-Length": "²"}, body=b"{}", call="poll")
def test_any_http_answer_gives_a_result_or_a_plex_error(
    status: int, headers: dict[str, str], body: bytes, call: str
) -> None:
    client = PlexClient(
        Identity("6a1f5c1e-0000-4000-8000-000000000001"),
        "https://plex.example",
        session=CannedSession(status, headers, body),
    )
    try:
        if call == "create":
            check_pin(client.create_pin(strong=True))
        elif call == "poll":
            check_pin(client.poll_pin(7))
        else:
            assert isinstance(client.get_user(Token("fuzz-token")), PlexUser)
    except PlexError as error:
        assert "fuzz-token" not in f"{error!s} {error!r}"


# --- the config file -----------------------------------------------------------------------------

config_like = st.fixed_dictionaries(
    {},
    optional={
        "version": any_json,
        "client_id": st.one_of(st.uuids().map(str), any_json),
        "last_username": any_json,
        "keyring_service": any_json,
        "keyring_username": any_json,
    },
)


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.one_of(config_like, any_json).map(lambda d: json.dumps(d).encode()),
    )
)
def test_any_config_file_loads_and_is_replaced_by_a_clean_one(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / f"{uuid.uuid4()}.json"
    path.write_bytes(raw)
    config, warning = load_config(path)
    assert isinstance(config, Config)
    assert str(uuid.UUID(config.client_id)) == config.client_id.lower()
    for name in ("last_username", "keyring_service", "keyring_username"):
        value = getattr(config, name)
        assert value is None or (isinstance(value, str) and value)
    # whatever was wrong has been repaired: the file now reads back the same, silently
    again, second_warning = load_config(path)
    assert (again, second_warning) == (config, None)
    if warning is None:
        assert _parse(raw).problems == []


# --- the --plex-url check ------------------------------------------------------------------------

url_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda scheme, userinfo, host, port, rest: f"{scheme}://{userinfo}{host}{port}{rest}",
        st.sampled_from(["http", "https", "HTTP", "hTTps", "ftp", "file", ""]),
        st.sampled_from(["", "user@", "user:pw@", "127.0.0.1@", "@", "a\\@"]),
        st.one_of(
            st.sampled_from(
                [
                    "127.0.0.1",
                    "[::1]",
                    "localhost",
                    "127.0.0.1.evil.example",
                    "[::1",
                    "[::1]x",
                    "[127.0.0.1]",
                    "127.1",
                    "0x7f.1",
                    "[::ffff:127.0.0.1]",
                    "plex.tv",
                    "\uff11\uff12\uff17.0.0.1",
                    "127.0.0.1\\.evil",
                    "127.0.0.1%2f",
                    "",
                ]
            ),
            st.text(max_size=15),
        ),
        st.sampled_from(["", ":0", ":8080", ":99999", ":x", "::80"]),
        st.sampled_from(["", "/", "/path", "?q", "#frag", "\\x", "/@evil.example"]),
    ),
)


@FUZZ
@given(value=url_text)
@example(value="http://[::1")
@example(value="http://127.0.0.1\uff03@evil.example")
@example(value="http://[::1]x")
def test_plex_url_check_accepts_or_refuses_with_a_usage_error(value: str) -> None:
    from urllib3.util import parse_url

    try:
        url = check_plex_url(value)
    except UsageError:
        return
    assert url.startswith(("http://", "https://"))
    assert check_plex_url(url) == url
    # the HTTP library must see the same host as the check did: no parser differential
    # may turn "loopback" into somewhere else
    parsed = parse_url(url + "/api/v2/pins")
    assert parsed.scheme in ("http", "https") and parsed.host
    if parsed.scheme == "http":
        host = parsed.host.strip("[]").split("%")[0].lower()
        assert host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")
