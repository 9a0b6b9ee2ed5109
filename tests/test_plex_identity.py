"""Who we say we are, in any language: the identity reaches the simulator exactly as given."""

from __future__ import annotations

import platform
from urllib.parse import parse_qs

import pytest

from plexlogin.errors import ExitCode, UsageError
from plexlogin.plex import Identity, IdentityNotSendable, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import RequestRecord, Simulator

ASCII_ID = "3f1c1f9e-3b53-4a36-9a3b-0f3f5a1e2b7c"

NAMES = {
    "japanese": "居間のテレビ",
    "german": "Wohnzimmer-Fernseher Küche (Größe ß)",
    "emoji": "My Media Center 🎬",
    "emoji sequence": "👩\u200d👩\u200d👧 Family room",  # zero-width joiners are text
}


def sent(record: RequestRecord, name: str) -> str | None:
    """The value of ``name`` a request carried, from its header or its query string."""
    for header, value in record.headers.items():
        if header.lower() == name.lower():
            return value
    values = parse_qs(record.query).get(name)
    return values[0] if values else None


def sign_in_with(simulator: Simulator, identity: Identity) -> None:
    """Create, approve, poll and check a token, as one person's sign-in does."""
    with PlexClient(identity, simulator.url) as client:
        pin = client.create_pin()
        assert pin.product == identity.product  # plex.tv echoes what it received
        simulator.approve(pin.id)
        token = client.poll_pin(pin.id).auth_token
        assert token is not None
        assert client.get_user(token).id > 0


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_any_product_and_device_name_arrive_intact(simulator: Simulator, name: str) -> None:
    identity = Identity(ASCII_ID, product=name, device_name=name[::-1])
    sign_in_with(simulator, identity)
    records = simulator.requests
    assert [r.endpoint for r in records] == ["create", "poll", "user"]
    for record in records:
        assert sent(record, "X-Plex-Product") == name
        assert sent(record, "X-Plex-Device-Name") == name[::-1]
        assert sent(record, "X-Plex-Client-Identifier") == ASCII_ID


def test_a_non_ascii_client_id_keeps_its_pins(simulator: Simulator) -> None:
    """The PIN is bound to the client id: it must arrive the same on every request."""
    client_id = "Küche-居間-🎬"
    sign_in_with(simulator, Identity(client_id))
    assert simulator.pins()[0].client_id == client_id


def test_plain_ascii_values_stay_headers(simulator: Simulator) -> None:
    """Plain values go out as Plex documents them: headers, and nothing in the query."""
    with PlexClient(Identity(ASCII_ID, product="plexlogin", device_name="den"), simulator.url) as c:
        c.create_pin()
    record = simulator.requests[0]
    assert record.headers["X-Plex-Product"] == "plexlogin"
    assert record.headers["X-Plex-Device-Name"] == "den"
    assert record.query == "strong=false"


@pytest.mark.parametrize(
    ("field", "value", "option"),
    [
        ("device_name", "Wohnzimmer\udcff", "--device-name"),  # not valid UTF-8
        ("product", "My\nProduct", "--product"),
        ("product", "\x1b[31mred", "--product"),
        ("client_id", "abc\x00def", "--client-id"),
        ("device_name", "bell\x7f", "--device-name"),
        ("device_name", "next\x85line", "--device-name"),
        ("product", "x" * 300, "--product"),
    ],
)
def test_a_value_that_cannot_be_sent_is_a_usage_error(field: str, value: str, option: str) -> None:
    client_id = value if field == "client_id" else ASCII_ID
    others = {} if field == "client_id" else {field: value}
    with pytest.raises(IdentityNotSendable) as refused:
        Identity(client_id, **others)
    assert isinstance(refused.value, UsageError)
    assert refused.value.exit_code == ExitCode.USAGE
    assert str(refused.value).startswith(f"{option} can't be sent to plex.tv")
    assert value not in str(refused.value)  # the message never echoes control characters


def test_a_hostname_in_any_language_is_the_default_device_name(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform, "node", lambda: "居間のテレビ")
    sign_in_with(simulator, Identity(ASCII_ID))
    assert sent(simulator.requests[0], "X-Plex-Device-Name") == "居間のテレビ"


def test_an_unsendable_hostname_is_cleaned_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody chose the host name: what can't be sent is left out instead of failing."""
    monkeypatch.setattr(platform, "node", lambda: "Wohn\udcffzimmer\n")
    assert Identity(ASCII_ID).device_name == "Wohnzimmer"


def test_surrounding_spaces_are_dropped(simulator: Simulator) -> None:
    """requests refuses a header with surrounding spaces: that looked like "Can't reach"."""
    identity = Identity(f" {ASCII_ID} ", product=" Den ", device_name="\u3000居間 ")
    assert (identity.client_id, identity.product, identity.device_name) == (ASCII_ID, "Den", "居間")
    sign_in_with(simulator, identity)
    assert sent(simulator.requests[0], "X-Plex-Product") == "Den"


def test_identity_and_token_together(simulator: Simulator) -> None:
    """X-Plex-Token stays a header next to query-string identity values."""
    with PlexClient(Identity(ASCII_ID, product="Ménage 🎬"), simulator.url) as client:
        pin = client.create_pin()
        token = Token(simulator.approve(pin.id))
        client.get_user(token)
    user_request = simulator.requests[-1]
    assert user_request.headers["X-Plex-Token"] == token.reveal()
    assert "X-Plex-Token" not in user_request.query
