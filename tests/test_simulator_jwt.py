"""The simulator's JWT device authentication, with real keys and signatures over loopback."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests

from plexlogin.jwtauth import DeviceKey, verify_plex_jwt
from plexlogin.secret import Token
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator

CLIENT_ID = "jwt-client-0001"
HEADERS = {
    "X-Plex-Client-Identifier": CLIENT_ID,
    "X-Plex-Product": "plexlogin-tests",
    "Accept": "application/json",
}
WEEK = 7 * 86_400


@pytest.fixture
def sim(make_sim: Callable[..., Simulator]) -> Simulator:
    return make_sim()


@pytest.fixture
def key() -> DeviceKey:
    return DeviceKey.generate()


def nonce(sim: Simulator) -> str:
    response = requests.get(f"{sim.url}/api/v2/auth/nonce", headers=HEADERS, timeout=5)
    assert response.status_code == 200
    value: str = response.json()["nonce"]
    return value


def device_jwt(sim: Simulator, key: DeviceKey, client_id: str = CLIENT_ID) -> str:
    return key.device_jwt(client_id=client_id, nonce=nonce(sim), now=sim.model.now())


def create(sim: Simulator, key: DeviceKey, *, strong: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"jwk": key.public_jwk(), **({"strong": True} if strong else {})}
    response = requests.post(f"{sim.url}/api/v2/pins", json=body, headers=HEADERS, timeout=5)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def poll(sim: Simulator, pin_id: int, proof: str | None) -> requests.Response:
    params = {"deviceJWT": proof} if proof is not None else None
    url = f"{sim.url}/api/v2/pins/{pin_id}"
    return requests.get(url, params=params, headers=HEADERS, timeout=5)


def plex_keys(sim: Simulator) -> list[dict[str, Any]]:
    response = requests.get(f"{sim.url}/api/v2/auth/keys", headers=HEADERS, timeout=5)
    assert response.status_code == 200
    keys: list[dict[str, Any]] = response.json()["keys"]
    return keys


def user_of(sim: Simulator, token: str) -> requests.Response:
    headers = {**HEADERS, "X-Plex-Token": token}
    return requests.get(f"{sim.url}/api/v2/user", headers=headers, timeout=5)


def renew(sim: Simulator, proof: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{sim.url}/api/v2/auth/token", json={"jwt": proof}, headers=headers or HEADERS, timeout=5
    )


def signed_in(sim: Simulator, key: DeviceKey) -> str:
    """A Plex JWT for ``key``, through the PIN flow."""
    pin = create(sim, key)
    sim.approve(pin["id"])
    response = poll(sim, pin["id"], device_jwt(sim, key))
    assert response.status_code == 200, response.text
    token: str = response.json()["authToken"]
    return token


def error_status(response: requests.Response) -> int:
    status: int = response.json()["errors"][0]["status"]
    return status


# --- the PIN flow with a device key ----------------------------------------------------------


def test_jwt_sign_in_gives_a_plex_jwt_the_client_can_verify(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key, strong=True)
    assert len(pin["code"]) == 25  # "strong": true in the JSON body
    assert poll(sim, pin["id"], device_jwt(sim, key)).json()["authToken"] is None
    sim.approve(pin["id"])
    token = poll(sim, pin["id"], device_jwt(sim, key)).json()["authToken"]

    claims = verify_plex_jwt(
        Token(token), plex_keys(sim), client_id=CLIENT_ID, thumbprint=key.kid, now=time.time()
    )
    assert claims.expires_at.timestamp() - claims.issued_at.timestamp() == WEEK
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == plex_keys(sim)[0]["kid"]
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["iss"] == "plex.tv" and raw["aud"] == ["plex.tv", CLIENT_ID]
    assert raw["thumbprint"] == key.kid and raw["username"] == "demo-user"
    # the Plex JWT works as an X-Plex-Token
    assert user_of(sim, token).json()["username"] == "demo-user"


def test_the_keys_endpoint_serves_one_ed25519_key(sim: Simulator) -> None:
    (only,) = plex_keys(sim)
    assert (only["kty"], only["crv"], only["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert only["kid"].startswith("SIMULATED-") and "d" not in only


def test_nonces_are_fresh_uuids(sim: Simulator) -> None:
    first, second = nonce(sim), nonce(sim)
    assert first != second and len(first) == 36


def test_a_legacy_pin_is_polled_without_a_device_jwt(sim: Simulator) -> None:
    created = requests.post(f"{sim.url}/api/v2/pins", headers=HEADERS, timeout=5).json()
    assert poll(sim, created["id"], None).status_code == 200


def test_a_jwk_pin_poll_needs_a_device_jwt(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    missing = poll(sim, pin["id"], None)
    assert missing.status_code == 400 and error_status(missing) == 400


def test_a_device_jwt_signed_by_another_key_is_422(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    sim.approve(pin["id"])
    forged = poll(sim, pin["id"], device_jwt(sim, DeviceKey.generate()))
    assert forged.status_code == 422
    assert forged.json()["errors"][0]["code"] == 422
    assert "authToken" not in forged.text
    assert poll(sim, pin["id"], "not-a-jwt").status_code == 422


def test_a_device_jwt_from_another_client_is_401(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    response = poll(sim, pin["id"], device_jwt(sim, key, client_id="someone-else"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 1001


def test_a_device_jwt_for_another_audience_is_401(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    now = int(sim.model.now())
    claims = {"nonce": nonce(sim), "aud": "elsewhere", "iss": CLIENT_ID, "iat": now}
    claims["exp"] = now + 300
    private = key._private  # the same key, signing other claims
    proof = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": key.kid})
    assert poll(sim, pin["id"], proof).status_code == 401


def test_a_made_up_nonce_is_401(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    proof = key.device_jwt(client_id=CLIENT_ID, nonce="not-from-plex", now=sim.model.now())
    assert poll(sim, pin["id"], proof).status_code == 401


def test_a_nonce_older_than_five_minutes_is_refused(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    old_nonce = nonce(sim)
    sim.advance_clock(301)
    # a device JWT made just now, over the stale nonce: the nonce alone is too old
    proof = key.device_jwt(client_id=CLIENT_ID, nonce=old_nonce, now=sim.model.now())
    assert poll(sim, pin["id"], proof).status_code == 401
    # a fresh nonce after six minutes: fine, and approval still signs in
    sim.advance_clock(59)
    sim.approve(pin["id"])
    assert poll(sim, pin["id"], device_jwt(sim, key)).json()["authToken"]


def test_an_expired_device_jwt_is_498(sim: Simulator, key: DeviceKey) -> None:
    pin = create(sim, key)
    proof = device_jwt(sim, key)
    sim.advance_clock(299)
    assert poll(sim, pin["id"], proof).status_code == 200  # still alive
    sim.advance_clock(2)
    expired = poll(sim, pin["id"], proof)
    assert expired.status_code == 498 and error_status(expired) == 498


@pytest.mark.parametrize(
    "jwk",
    [
        "text",
        {"kty": "RSA", "kid": "x"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "x"},  # too short a key
        {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43},  # no kid
    ],
)
def test_an_unusable_jwk_is_400(sim: Simulator, jwk: object) -> None:
    response = requests.post(
        f"{sim.url}/api/v2/pins", json={"jwk": jwk}, headers=HEADERS, timeout=5
    )
    assert response.status_code == 400
    assert sim.pins() == []


def test_a_private_jwk_is_refused(sim: Simulator, key: DeviceKey) -> None:
    leaked = {**key.public_jwk(), "d": "A" * 43}
    response = requests.post(
        f"{sim.url}/api/v2/pins", json={"jwk": leaked}, headers=HEADERS, timeout=5
    )
    assert response.status_code == 400


# --- the Plex JWT as a token, its expiry and renewal ------------------------------------------


def test_a_plex_jwt_past_its_lifetime_gets_498(
    make_sim: Callable[..., Simulator], key: DeviceKey
) -> None:
    sim = make_sim(jwt_lifetime=5, home=DEMO_HOME)
    token = signed_in(sim, key)
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["exp"] - raw["iat"] == 5
    assert user_of(sim, token).status_code == 200
    sim.advance_clock(6)
    for response in (
        user_of(sim, token),
        requests.get(
            f"{sim.url}/api/v2/home/users", headers={**HEADERS, "X-Plex-Token": token}, timeout=5
        ),
    ):
        assert response.status_code == 498
        assert response.json()["errors"][0]["status"] == 498


def test_renewal_without_the_person(make_sim: Callable[..., Simulator], key: DeviceKey) -> None:
    sim = make_sim(jwt_lifetime=5)
    old = signed_in(sim, key)
    sim.advance_clock(60)  # long expired: renewal still works while the key is registered
    response = renew(sim, device_jwt(sim, key))
    assert response.status_code == 200, response.text
    new = response.json()["auth_token"]
    assert new != old
    verify_plex_jwt(
        Token(new), plex_keys(sim), client_id=CLIENT_ID, thumbprint=key.kid, now=sim.model.now()
    )
    assert user_of(sim, new).status_code == 200
    assert user_of(sim, old).status_code == 498


def test_renewal_with_a_revoked_or_unknown_key_is_422(sim: Simulator, key: DeviceKey) -> None:
    token = signed_in(sim, key)
    assert renew(sim, device_jwt(sim, DeviceKey.generate())).status_code == 422  # never seen
    sim.revoke_device_key(key.kid)
    refused = renew(sim, device_jwt(sim, key))
    assert refused.status_code == 422 and error_status(refused) == 422
    assert user_of(sim, token).status_code == 401  # its Plex JWTs die with it
    with pytest.raises(KeyError):
        sim.revoke_device_key("no-such-kid")


def test_renewal_refuses_forgeries_and_other_clients(sim: Simulator, key: DeviceKey) -> None:
    signed_in(sim, key)
    impostor = DeviceKey.generate()
    claims = jwt.decode(device_jwt(sim, impostor), options={"verify_signature": False})
    forged = jwt.encode(claims, impostor._private, algorithm="EdDSA", headers={"kid": key.kid})
    assert renew(sim, forged).status_code == 422  # the kid of a registered key, not its signature
    other = {**HEADERS, "X-Plex-Client-Identifier": "another-client"}
    assert renew(sim, device_jwt(sim, key), other).status_code == 401
    assert renew(sim, device_jwt(sim, key, client_id="another-client")).status_code == 401
    empty = requests.post(f"{sim.url}/api/v2/auth/token", json={}, headers=HEADERS, timeout=5)
    assert empty.status_code == 400
    sim.advance_clock(400)
    stale = key.device_jwt(client_id=CLIENT_ID, nonce=nonce(sim), now=sim.model.now() - 301)
    assert renew(sim, stale).status_code == 498


def test_registering_a_key_with_a_legacy_token(sim: Simulator, key: DeviceKey) -> None:
    created = requests.post(f"{sim.url}/api/v2/pins", headers=HEADERS, timeout=5).json()
    legacy = sim.approve(created["id"])
    url = f"{sim.url}/api/v2/auth/jwk"
    body = {"jwk": key.public_jwk()}
    assert requests.post(url, json=body, headers=HEADERS, timeout=5).status_code == 401
    with_token = {**HEADERS, "X-Plex-Token": legacy}
    assert requests.post(url, json=body, headers=with_token, timeout=5).status_code == 204
    assert user_of(sim, legacy).status_code == 200  # until the first JWT

    response = renew(sim, device_jwt(sim, key))
    assert response.status_code == 200
    assert user_of(sim, response.json()["auth_token"]).json()["username"] == "demo-user"
    assert user_of(sim, legacy).status_code == 401  # as on plex.tv: the legacy token is done


def test_a_kid_taken_by_another_client_is_422(sim: Simulator, key: DeviceKey) -> None:
    signed_in(sim, key)
    created = requests.post(f"{sim.url}/api/v2/pins", headers=HEADERS, timeout=5).json()
    other = {**HEADERS, "X-Plex-Client-Identifier": "another-client"}
    other["X-Plex-Token"] = sim.approve(created["id"])
    response = requests.post(
        f"{sim.url}/api/v2/auth/jwk", json={"jwk": key.public_jwk()}, headers=other, timeout=5
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "thumbprint already taken"


def test_switching_with_a_plex_jwt_gives_a_plex_jwt(
    make_sim: Callable[..., Simulator], key: DeviceKey
) -> None:
    sim = make_sim(home=DEMO_HOME)
    token = signed_in(sim, key)
    headers = {**HEADERS, "X-Plex-Token": token}
    users = requests.get(f"{sim.url}/api/v2/home/users", headers=headers, timeout=5).json()
    mia = next(u for u in users["users"] if u["title"] == "Mia")
    switched = requests.post(
        f"{sim.url}/api/v2/home/users/{mia['uuid']}/switch",
        params={"pin": DEMO_PROFILE_PIN},
        headers=headers,
        timeout=5,
    )
    assert switched.status_code == 201
    profile_token = switched.json()["authToken"]
    verify_plex_jwt(Token(profile_token), plex_keys(sim), client_id=CLIENT_ID, thumbprint=key.kid)
    assert user_of(sim, profile_token).json()["title"] == "Mia"


# --- faults, controls, the log, laziness ------------------------------------------------------


def test_faults_hit_the_jwt_endpoints(sim: Simulator, key: DeviceKey) -> None:
    for endpoint in ("nonce", "auth_keys", "auth_token", "auth_jwk"):
        sim.add_fault(endpoint, status=429, retry_after="2")
    limited = requests.get(f"{sim.url}/api/v2/auth/nonce", headers=HEADERS, timeout=5)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert requests.get(f"{sim.url}/api/v2/auth/keys", timeout=5).status_code == 429
    assert renew(sim, "x").status_code == 429
    jwk_url = f"{sim.url}/api/v2/auth/jwk"
    assert requests.post(jwk_url, json={}, headers=HEADERS, timeout=5).status_code == 429
    assert nonce(sim)  # used up
    assert [r.endpoint for r in sim.requests] == [
        "nonce",
        "auth_keys",
        "auth_token",
        "auth_jwk",
        "nonce",
    ]


def test_controls_revoke_a_key_and_advance_the_clock(sim: Simulator, key: DeviceKey) -> None:
    control = f"{sim.control_url}/_sim"
    token = signed_in(sim, key)
    before = sim.model.now()
    assert requests.post(f"{control}/advance", json={"seconds": 30}, timeout=5).status_code == 200
    assert sim.model.now() - before >= 30
    assert requests.post(f"{control}/advance", json={"seconds": -1}, timeout=5).status_code == 400
    gone = requests.post(f"{control}/revoke_key", json={"kid": "nope"}, timeout=5)
    assert gone.status_code == 404
    assert requests.post(f"{control}/revoke_key", json={"kid": key.kid}, timeout=5).ok
    assert user_of(sim, token).status_code == 401


def test_jwt_endpoints_answer_below_the_control_url(sim: Simulator, key: DeviceKey) -> None:
    base = sim.control_url
    response = requests.get(f"{base}/api/v2/auth/nonce", headers=HEADERS, timeout=5)
    assert response.status_code == 200 and response.json()["nonce"]
    assert requests.get(f"{base}/api/v2/auth/keys", timeout=5).json()["keys"]


def test_the_log_keeps_simulated_jwts_and_hides_others(sim: Simulator, key: DeviceKey) -> None:
    token = signed_in(sim, key)
    user_of(sim, token)
    stranger = jwt.encode({"sub": "x"}, "a-secret-of-someone-else-32-bytes-long", algorithm="HS256")
    user_of(sim, stranger)
    tokens = [r.headers.get("X-Plex-Token") for r in sim.requests if r.endpoint == "user"]
    assert tokens == [token, "<redacted>"]


def test_the_legacy_simulator_does_not_load_pyjwt() -> None:
    import subprocess

    code = (
        "import sys; from plexlogin.simulator import Simulator\n"
        "with Simulator() as sim: pass\n"
        "sys.exit(3 if 'jwt' in sys.modules or 'cryptography' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0
