"""The device key, device JWTs and Plex JWT checks, with real Ed25519 signatures."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plexlogin.errors import UnexpectedAnswer
from plexlogin.jwtauth import (
    DEVICE_JWT_LIFETIME,
    PLEX_ISSUER,
    DeviceKey,
    public_jwk_of,
    verify_device_jwt,
    verify_plex_jwt,
)
from plexlogin.secret import Token

CLIENT = "0ec3566a-client"
WEEK = 7 * 24 * 3600
NOW = 1_800_000_000.0  # a fixed moment: every time check below uses it, not the real clock


class PlexSigner:
    """Signs Plex JWTs the way plex.tv does (its own Ed25519 key, published as a JWK)."""

    def __init__(self, kid: str = "plex-key-1") -> None:
        self.private = Ed25519PrivateKey.generate()
        self.kid = kid
        self.jwk = public_jwk_of(self.private.public_key(), kid)

    def issue(self, **overrides: object) -> Token:
        claims: dict[str, object] = {
            "iss": PLEX_ISSUER,
            "aud": ["plex.tv", CLIENT],
            "iat": int(NOW),
            "exp": int(NOW) + WEEK,
            "thumbprint": overrides.pop("thumbprint"),
        }
        claims.update(overrides)
        claims = {key: value for key, value in claims.items() if value is not None}
        return Token(jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid}))


@pytest.fixture
def key() -> DeviceKey:
    return DeviceKey.generate()


@pytest.fixture
def plex() -> PlexSigner:
    return PlexSigner()


def test_the_key_survives_the_keyring_round_trip(key: DeviceKey) -> None:
    again = DeviceKey.from_secret(key.secret())
    assert again.kid == key.kid
    assert again.public_jwk() == key.public_jwk()


def test_the_key_never_shows_itself(key: DeviceKey) -> None:
    secret = key.secret().reveal()
    assert secret not in repr(key)
    assert secret not in repr(key.secret())
    assert secret.removeprefix("ed25519:") not in json.dumps(key.public_jwk())
    with pytest.raises(TypeError):
        __import__("pickle").dumps(key)


@pytest.mark.parametrize(
    "stored",
    ["not-a-key", "ed25519:", "ed25519:!!!", "ed25519:" + "A" * 10, "rsa:" + "A" * 43],
)
def test_a_foreign_or_damaged_keyring_entry_is_refused(stored: str) -> None:
    with pytest.raises(ValueError, match="device key"):
        DeviceKey.from_secret(Token(stored))


def test_the_public_jwk_is_what_plex_documents(key: DeviceKey) -> None:
    jwk = key.public_jwk()
    assert jwk.keys() == {"kty", "crv", "x", "use", "alg", "kid"}
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert len(jwk["kid"]) == 64  # sha256 hex, as python-plexapi derives it
    assert jwt.PyJWK.from_dict(jwk).key is not None  # a JWK any JOSE library reads


def test_a_device_jwt_proves_the_key_to_whoever_holds_its_jwk(key: DeviceKey) -> None:
    text = key.device_jwt(client_id=CLIENT, nonce="n-1", now=NOW)
    assert jwt.get_unverified_header(text)["kid"] == key.kid
    claims = verify_device_jwt(text, key.public_jwk(), now=NOW + 10)
    assert claims["nonce"] == "n-1"
    assert claims["iss"] == CLIENT
    assert claims["aud"] == PLEX_ISSUER
    assert claims["exp"] - claims["iat"] == DEVICE_JWT_LIFETIME


def test_a_device_jwt_dies_with_its_nonce(key: DeviceKey) -> None:
    text = key.device_jwt(client_id=CLIENT, nonce="n-1", now=NOW)
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_device_jwt(text, key.public_jwk(), now=NOW + DEVICE_JWT_LIFETIME)


def test_a_device_jwt_from_another_key_is_refused(key: DeviceKey) -> None:
    text = DeviceKey.generate().device_jwt(client_id=CLIENT, nonce="n", now=NOW)
    with pytest.raises(jwt.InvalidSignatureError):
        verify_device_jwt(text, key.public_jwk(), now=NOW)


def test_a_good_plex_jwt_is_accepted(key: DeviceKey, plex: PlexSigner) -> None:
    token = plex.issue(thumbprint=key.kid)
    claims = verify_plex_jwt(token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid, now=NOW)
    assert claims.expires_at.timestamp() == int(NOW) + WEEK
    assert not claims.expires_within(24 * 3600, now=NOW)
    assert claims.expires_within(24 * 3600, now=NOW + WEEK - 3600)


def test_any_of_plex_s_published_keys_may_have_signed_it(key: DeviceKey, plex: PlexSigner) -> None:
    retired = PlexSigner("plex-key-0")
    token = plex.issue(thumbprint=key.kid)
    claims = verify_plex_jwt(
        token,
        [retired.jwk, {"kty": "RSA"}, plex.jwk],
        client_id=CLIENT,
        thumbprint=key.kid,
        now=NOW,
    )
    assert claims.thumbprint == key.kid


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": ["plex.tv", "someone-else"]}, "another client"),
        ({"iss": "evil.example"}, "did not issue"),
        ({"thumbprint": "another-device"}, "another device key"),
        ({"exp": int(NOW) - 3600}, "expired"),
        ({"iat": int(NOW) + 3600}, "future"),
        ({"exp": None}, "'exp'"),
        ({"exp": "soon"}, "not numbers"),
        ({"exp": 10**30}, "out of range"),
    ],
)
def test_a_misbehaving_server_s_jwt_is_refused(
    key: DeviceKey, plex: PlexSigner, overrides: dict[str, object], reason: str
) -> None:
    overrides.setdefault("thumbprint", key.kid)
    token = plex.issue(**overrides)
    with pytest.raises(UnexpectedAnswer, match=reason):
        verify_plex_jwt(token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid, now=NOW)


def test_a_jwt_signed_by_anyone_but_plex_is_refused(key: DeviceKey, plex: PlexSigner) -> None:
    forger = PlexSigner(plex.kid)  # same key id, different key
    token = forger.issue(thumbprint=key.kid)
    with pytest.raises(UnexpectedAnswer, match=r"no key of plex\.tv's signed it"):
        verify_plex_jwt(token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid, now=NOW)


def test_an_unsigned_jwt_is_refused(key: DeviceKey, plex: PlexSigner) -> None:
    claims = {
        "iss": PLEX_ISSUER,
        "aud": CLIENT,
        "iat": int(NOW),
        "exp": int(NOW) + WEEK,
        "thumbprint": key.kid,
    }
    token = Token(jwt.encode(claims, None, algorithm="none"))
    with pytest.raises(UnexpectedAnswer):
        verify_plex_jwt(token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid, now=NOW)


def test_an_expired_token_can_still_be_read_for_renewal(key: DeviceKey, plex: PlexSigner) -> None:
    token = plex.issue(thumbprint=key.kid, exp=int(NOW) - 10)
    claims = verify_plex_jwt(
        token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid, now=NOW, allow_expired=True
    )
    assert claims.expires_within(0, now=NOW)


def test_the_real_clock_is_the_default(key: DeviceKey, plex: PlexSigner) -> None:
    now = time.time()
    token = plex.issue(thumbprint=key.kid, iat=int(now), exp=int(now) + WEEK)
    assert verify_plex_jwt(token, [plex.jwk], client_id=CLIENT, thumbprint=key.kid).thumbprint
