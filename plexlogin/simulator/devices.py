"""plex.tv's side of JWT device authentication: nonces, device keys, Plex JWTs.

The checks are real: a device JWT must be signed by the key in question (PyJWT with
``cryptography``, through :func:`plexlogin.jwtauth.verify_device_jwt`), issued by the
client (``iss``) for plex.tv (``aud``), over a nonce this simulator handed out less than
five minutes ago. Plex JWTs are signed with the simulator's own throwaway Ed25519 key,
whose ``kid`` starts with ``SIMULATED-``; no real service would accept them.

How a refusal is answered (plex.tv documents 498 for an expired JWT and 422 for a bad
signature; the rest is the simulator's choice):

- 400: no device JWT where one is needed, or an unusable JWK;
- 422: the signature does not check out, the token is not a JWT, or the key is not (or no
  longer) registered, or its ``kid`` is registered to another client;
- 401 (code 1001): wrong ``iss`` or ``aud``, a missing claim, an unknown or expired nonce,
  a Plex JWT that is not ours or whose device key was revoked;
- 498: the JWT (device JWT or Plex JWT) has expired.

This module imports PyJWT and ``cryptography``; the model loads it on first use only, so
the simulator's start (and ``--demo``'s) does not pay for them until a JWT is involved.
"""

from __future__ import annotations

import secrets
import threading
import uuid as uuids
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from plexlogin.jwtauth import PLEX_ISSUER, public_jwk_of, verify_device_jwt
from plexlogin.simulator.accounts import TOKEN_PREFIX, Refused, User

NONCE_LIFETIME: Final = 300.0
"""plex.tv's nonces live five minutes."""
_ALGORITHM: Final = "EdDSA"


@dataclass
class DeviceRecord:
    """A registered device key: its JWK, its client, its account (and how it got there)."""

    jwk: dict[str, Any]
    client_id: str
    uuid: str
    revoked: bool = False
    legacy_token: str | None = None  # registered with this token; it dies with the first JWT


@dataclass(frozen=True)
class PlexJwtGrant:
    """What a valid Plex JWT says: whose it is, for which client, bound to which key."""

    uuid: str
    client_id: str
    kid: str


def checked_jwk(value: object) -> dict[str, Any]:
    """``value`` as an Ed25519 public JWK with a ``kid``, or :class:`Refused` (400)."""
    if not isinstance(value, Mapping):
        raise Refused(400, "jwk must be a JSON object")
    jwk = dict(value)
    usable = jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "d" not in jwk
    if not usable or not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        raise Refused(400, "jwk must be a public Ed25519 key with a kid")
    try:
        jwt.PyJWK.from_dict(jwk)
    except jwt.PyJWTError:
        raise Refused(400, "jwk is not a usable key") from None
    return jwk


def _device_refusal(error: jwt.PyJWTError) -> Refused:
    if isinstance(error, jwt.ExpiredSignatureError):
        return Refused(498, "The device JWT has expired")
    if isinstance(error, jwt.DecodeError):  # a bad signature is one
        return Refused(422, "The device JWT's signature does not check out")
    return Refused(401, f"The device JWT was refused: {error}")


class DeviceAuthority:
    """Nonces, registered device keys and the signing key. Thread-safe."""

    def __init__(self, now: Callable[[], float], lifetime: float) -> None:
        """``now``: the server clock; ``lifetime``: seconds a Plex JWT lives."""
        self._now = now
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._signing = Ed25519PrivateKey.generate()
        self.kid = TOKEN_PREFIX + secrets.token_hex(16)
        self._nonces: dict[str, float] = {}
        self._keys: dict[str, DeviceRecord] = {}

    def public_jwks(self) -> list[dict[str, str]]:
        """What ``/api/v2/auth/keys`` lists: the key that signs the Plex JWTs."""
        return [public_jwk_of(self._signing.public_key(), self.kid)]

    def nonce(self) -> str:
        """A new nonce for a device JWT, valid for :data:`NONCE_LIFETIME` seconds."""
        value = str(uuids.uuid4())
        with self._lock:
            now = self._now()
            for old in [n for n, at in self._nonces.items() if now - at >= NONCE_LIFETIME]:
                del self._nonces[old]
            self._nonces[value] = now
        return value

    def check_device_jwt(self, text: str | None, jwk: Mapping[str, Any], client_id: str) -> None:
        """Refuse (see the module's table) unless ``text`` proves ``client_id`` holds ``jwk``."""
        if not text:
            raise Refused(400, "A device JWT is required")
        now = self._now()
        try:
            claims = verify_device_jwt(text, jwk, now=now)
        except jwt.PyJWTError as error:
            raise _device_refusal(error) from None
        if claims.get("iss") != client_id:
            raise Refused(401, "The device JWT was issued by another client")
        with self._lock:
            issued = self._nonces.get(str(claims.get("nonce")))
        if issued is None or now - issued >= NONCE_LIFETIME:
            raise Refused(401, "The device JWT's nonce is unknown or expired")

    def register(
        self, jwk: dict[str, Any], client_id: str, uuid: str, legacy_token: str | None = None
    ) -> None:
        """Remember ``jwk`` as ``client_id``'s key for account ``uuid``.

        422 when another client has registered a key with the same ``kid`` already.
        """
        with self._lock:
            known = self._keys.get(jwk["kid"])
            if known is not None and known.client_id != client_id:
                raise Refused(422, "thumbprint already taken")
            self._keys[jwk["kid"]] = DeviceRecord(jwk, client_id, uuid, legacy_token=legacy_token)

    def revoke(self, kid: str) -> bool:
        """Unregister a device key; False when it was not registered."""
        with self._lock:
            record = self._keys.get(kid)
            if record is not None:
                record.revoked = True
            return record is not None

    def renewal(self, text: str | None, client_id: str | None) -> DeviceRecord:
        """The registered key a renewal's device JWT proves, or :class:`Refused`.

        The key is chosen by the device JWT's ``kid`` header; a key that is not registered
        (or was revoked) is 422, which a client reads as "sign in again".
        """
        try:
            kid = jwt.get_unverified_header(text or "").get("kid")
        except jwt.PyJWTError:
            raise Refused(422 if text else 400, "A device JWT is required") from None
        with self._lock:
            record = self._keys.get(kid) if isinstance(kid, str) else None
        if record is None or record.revoked:
            raise Refused(422, "The device key is not registered")
        if client_id and client_id != record.client_id:
            raise Refused(401, "The device key belongs to another client")
        self.check_device_jwt(text, record.jwk, record.client_id)
        return record

    def issue(self, user: User, client_id: str, kid: str) -> str:
        """A Plex JWT for ``user`` on ``client_id``, bound to device key ``kid``."""
        issued = int(self._now())
        claims = {
            "iss": PLEX_ISSUER,
            "aud": [PLEX_ISSUER, client_id],
            "iat": issued,
            "exp": issued + int(self.lifetime),
            "thumbprint": kid,
            "sub": user.uuid,
            "username": user.username,
            "title": user.title,
        }
        return jwt.encode(claims, self._signing, algorithm=_ALGORITHM, headers={"kid": self.kid})

    def grant_of(self, token: str) -> PlexJwtGrant:
        """Whose Plex JWT ``token`` is: 401 when it is not ours or its key was revoked, 498
        when it has expired."""
        try:
            claims = jwt.decode(
                token,
                self._signing.public_key(),
                algorithms=[_ALGORITHM],
                issuer=PLEX_ISSUER,
                options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise Refused(401) from None
        audience, kid = claims.get("aud"), claims.get("thumbprint")
        with self._lock:
            record = self._keys.get(kid) if isinstance(kid, str) else None
        if record is None or record.revoked or not isinstance(audience, list):
            raise Refused(401)
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= self._now():
            raise Refused(498, "The token has expired")
        return PlexJwtGrant(str(claims.get("sub")), record.client_id, record.jwk["kid"])
