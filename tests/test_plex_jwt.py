"""The client's JWT calls against the simulator, which checks every signature for real."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from plexlogin import PLEX_URL
from plexlogin.errors import KeyRejected, TokenExpired, UnexpectedAnswer
from plexlogin.jwtauth import DeviceKey, verify_plex_jwt
from plexlogin.plex import CLIENTS_URL, Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.simulator import Simulator

CLIENT_ID = "jwt-client-1"


def client_for(sim: Simulator) -> PlexClient:
    return PlexClient(Identity(client_id=CLIENT_ID), sim.url)


def signed_in(sim: Simulator, client: PlexClient, key: DeviceKey, strong: bool = False) -> str:
    """A JWT sign-in through one PIN; the Plex JWT's text."""
    pin = client.create_pin(strong, jwk=key.public_jwk())
    sim.approve(pin.id)
    device_jwt = key.device_jwt(client_id=CLIENT_ID, nonce=client.nonce(), now=sim.model.now())
    polled = client.poll_pin(pin.id, device_jwt=device_jwt)
    assert polled.auth_token is not None
    return polled.auth_token.reveal()


@pytest.mark.parametrize("strong", [False, True])
def test_a_pin_made_with_a_key_gives_a_plex_jwt_bound_to_it(
    simulator: Simulator, strong: bool
) -> None:
    key = DeviceKey.generate()
    with client_for(simulator) as client:
        text = signed_in(simulator, client, key, strong)
        keys = client.auth_keys()
    claims = verify_plex_jwt(Token(text), keys, client_id=CLIENT_ID, thumbprint=key.kid)
    assert claims.thumbprint == key.kid
    created = next(r for r in simulator.requests if r.method == "POST")
    assert "strong" not in created.query  # the key and the strength travel in the JSON body


def test_a_pin_made_with_a_key_is_not_polled_without_a_device_jwt(simulator: Simulator) -> None:
    with client_for(simulator) as client:
        pin = client.create_pin(jwk=DeviceKey.generate().public_jwk())
        with pytest.raises(UnexpectedAnswer):
            client.poll_pin(pin.id)


def test_renewal_gives_a_new_plex_jwt_and_a_revoked_key_is_rejected(
    make_sim: Callable[..., Simulator],
) -> None:
    sim = make_sim(jwt_lifetime=5)
    key = DeviceKey.generate()
    with client_for(sim) as client:
        signed_in(sim, client, key)
        sim.advance_clock(10)
        fresh = key.device_jwt(client_id=CLIENT_ID, nonce=client.nonce(), now=sim.model.now())
        renewed = client.exchange_token(fresh)
        verify_plex_jwt(
            renewed,
            client.auth_keys(),
            client_id=CLIENT_ID,
            thumbprint=key.kid,
            now=sim.model.now(),
        )
        sim.revoke_device_key(key.kid)
        again = key.device_jwt(client_id=CLIENT_ID, nonce=client.nonce(), now=sim.model.now())
        with pytest.raises(KeyRejected, match="new sign-in"):
            client.exchange_token(again)


def test_an_expired_plex_jwt_is_498_which_means_renew(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim(jwt_lifetime=5)
    key = DeviceKey.generate()
    with client_for(sim) as client:
        token = Token(signed_in(sim, client, key))
        assert client.get_user(token).username
        sim.advance_clock(10)
        with pytest.raises(TokenExpired):
            client.get_user(token)


def test_the_jwt_endpoints_live_on_clients_plex_tv_unless_a_base_is_given(
    simulator: Simulator,
) -> None:
    real = PlexClient(Identity(client_id=CLIENT_ID))
    assert real.base_url == PLEX_URL and real.clients_url == CLIENTS_URL
    assert client_for(simulator).clients_url == simulator.url
