"""Plex's JWT device authentication: the device's key, the JWTs it signs, the Plex JWTs it gets.

With JWT sign-in the device owns an Ed25519 key pair. It shows plex.tv the public half (a
JWK) when it creates its PINs, proves it holds the private half with a short-lived *device
JWT* (signed over a nonce from plex.tv), and receives a *Plex JWT* that lives seven days and
can be renewed by the device alone while its key stays registered.

PyJWT and cryptography do the encoding and the signatures (hand-written JOSE code is how
signature checks go wrong). They are imported with this module, which only ``--auth jwt``
loads: the window's start-up path never pays for them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from plexlogin.errors import UnexpectedAnswer
from plexlogin.secret import Token

if TYPE_CHECKING:
    from jwt.types import Options

#: what a device JWT asks plex.tv for (the scopes Plex documents)
SCOPES: Final = "username,email,friendly_name,restricted,anonymous,joinedAt"
#: plex.tv's nonces live five minutes, so a device JWT never claims to outlive one
DEVICE_JWT_LIFETIME: Final = 300
#: who signs Plex JWTs, and who device JWTs are for
PLEX_ISSUER: Final = "plex.tv"
#: clocks differ; a Plex JWT issued a minute "in the future" is still fine
CLOCK_LEEWAY: Final = 60
#: how the private key is written into the keyring entry (versioned, so it can change)
_SECRET_PREFIX: Final = "ed25519:"
_ALGORITHM: Final = "EdDSA"


def _requiring(*claims: str) -> Options:
    """PyJWT's options: these claims must be there; times are checked by plexlogin.

    PyJWT compares times with the real clock; plexlogin checks them itself against an
    injectable one, so that a week-long token life is tested in milliseconds.
    """
    return {
        "require": list(claims),
        "verify_exp": False,
        "verify_iat": False,
        "verify_nbf": False,
    }


_RAW: Final = serialization.Encoding.Raw


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class DeviceKey:
    """The device's Ed25519 key pair. Its private half only ever leaves as :meth:`secret`.

    ``repr()`` never shows key material; the keyring entry holds :meth:`secret`.
    """

    __slots__ = ("_private",)

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def generate(cls) -> DeviceKey:
        """A new random key pair."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_secret(cls, secret: Token) -> DeviceKey:
        """The key kept in the keyring; ValueError if the entry is not one of ours."""
        text = secret.reveal()
        if not text.startswith(_SECRET_PREFIX):
            raise ValueError("the keyring entry does not hold a plexlogin device key")
        try:
            raw = _unb64url(text.removeprefix(_SECRET_PREFIX))
        except (ValueError, binascii.Error):
            raise ValueError("the keyring entry holds a damaged device key") from None
        if len(raw) != 32:
            raise ValueError("the keyring entry holds a damaged device key")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def secret(self) -> Token:
        """The private key as text for the keyring (redacted wherever it is printed)."""
        return Token(_SECRET_PREFIX + _b64url(self._private_raw()))

    @property
    def kid(self) -> str:
        """The key's id, which Plex echoes as a Plex JWT's ``thumbprint``.

        sha256 over the raw private and public keys, as python-plexapi derives it, so a
        key registered by either program is recognised by the other.
        """
        return hashlib.sha256(self._private_raw() + self._public_raw()).hexdigest()

    def public_jwk(self) -> dict[str, str]:
        """The public half, as plex.tv wants it in ``{"jwk": …}``."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64url(self._public_raw()),
            "use": "sig",
            "alg": _ALGORITHM,
            "kid": self.kid,
        }

    def device_jwt(self, *, client_id: str, nonce: str, now: float | None = None) -> str:
        """A device JWT over ``nonce``: the proof, for polling and renewal, that we hold the key."""
        issued = int(time.time() if now is None else now)
        claims = {
            "nonce": nonce,
            "scope": SCOPES,
            "aud": PLEX_ISSUER,
            "iss": client_id,
            "iat": issued,
            "exp": issued + DEVICE_JWT_LIFETIME,
        }
        return jwt.encode(claims, self._private, algorithm=_ALGORITHM, headers={"kid": self.kid})

    def __repr__(self) -> str:
        return "DeviceKey(<redacted>)"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("device keys are not pickled")

    def _private_raw(self) -> bytes:
        return self._private.private_bytes(
            _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    def _public_raw(self) -> bytes:
        return self._private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class PlexJwtClaims:
    """What plexlogin needs from a verified Plex JWT."""

    expires_at: datetime
    issued_at: datetime
    thumbprint: str

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        """Whether it has expired, or will within ``seconds``."""
        moment = time.time() if now is None else now
        return self.expires_at.timestamp() <= moment + seconds


def verify_plex_jwt(
    token: Token,
    keys: Sequence[Mapping[str, Any]],
    *,
    client_id: str,
    thumbprint: str,
    now: float | None = None,
    allow_expired: bool = False,
) -> PlexJwtClaims:
    """Check a Plex JWT before it is trusted: signature, issuer, audience, expiry, key.

    ``keys`` are plex.tv's public JWKs (``/api/v2/auth/keys``); the token must be signed by
    one of them, issued by plex.tv for ``client_id``, unexpired (unless ``allow_expired``,
    for reading the expiry of a stored token that is about to be renewed) and bound to our
    key (``thumbprint``). Anything else is an UnexpectedAnswer: a misbehaving server must
    never get a token stored.
    """
    claims = _decode_with_any(token.reveal(), keys, client_id)
    if claims.get("thumbprint") != thumbprint:
        raise _refused("it was issued to another device key")
    issued, expires = _times(claims)
    moment = time.time() if now is None else now
    if issued > moment + CLOCK_LEEWAY:
        raise _refused("it was issued in the future")
    if not allow_expired and expires <= moment - CLOCK_LEEWAY:
        raise _refused("it has expired")
    return PlexJwtClaims(
        datetime.fromtimestamp(expires, timezone.utc),
        datetime.fromtimestamp(issued, timezone.utc),
        thumbprint,
    )


def expiry_of(token: Token) -> datetime | None:
    """When a stored Plex JWT expires, read without checking its signature; None if unreadable.

    Only for a token plexlogin verified when it stored it, to decide whether to renew it
    without a request: the signature was checked then, and plex.tv checks it on every use.
    """
    try:
        claims = jwt.decode(token.reveal(), options={"verify_signature": False})
        return datetime.fromtimestamp(_times(claims)[1], timezone.utc)
    except (jwt.PyJWTError, UnexpectedAnswer):
        return None


def _times(claims: Mapping[str, Any]) -> tuple[int, int]:
    """``iat`` and ``exp`` as whole seconds: real numbers in range (a bool is not a date)."""
    stamps = []
    for name in ("iat", "exp"):
        value = claims.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refused("its dates are not numbers")
        try:
            datetime.fromtimestamp(value, timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise _refused("its dates are out of range") from None
        stamps.append(int(value))
    return stamps[0], stamps[1]


def _decode_with_any(
    text: str, keys: Sequence[Mapping[str, Any]], client_id: str
) -> dict[str, Any]:
    for jwk in keys:
        try:
            key = jwt.PyJWK.from_dict(dict(jwk))
        except jwt.PyJWTError:
            continue  # a key type we cannot use cannot have signed it either
        try:
            return jwt.decode(
                text,
                key,
                algorithms=[_ALGORITHM],
                audience=client_id,
                issuer=PLEX_ISSUER,
                options=_requiring("aud", "iss", "exp", "iat", "thumbprint"),
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as error:
            raise _refused(_reason(error)) from None
    raise _refused("no key of plex.tv's signed it")


def verify_device_jwt(
    text: str, jwk: Mapping[str, Any], *, now: float | None = None
) -> dict[str, Any]:
    """A device JWT's claims after checking its signature against the registered ``jwk``,
    its audience (plex.tv) and its expiry. What plex.tv does; the simulator uses it.

    Raises ``jwt.PyJWTError`` when the device JWT does not check out.
    """
    key = jwt.PyJWK.from_dict(dict(jwk))
    claims: dict[str, Any] = jwt.decode(
        text,
        key,
        algorithms=[_ALGORITHM],
        audience=PLEX_ISSUER,
        options=_requiring("aud", "iss", "exp", "iat", "nonce"),
    )
    try:
        _issued, expires = _times(claims)
    except UnexpectedAnswer as error:
        raise jwt.InvalidTokenError(str(error)) from None
    if expires <= (time.time() if now is None else now):
        raise jwt.ExpiredSignatureError("the device JWT has expired")
    return claims


def _reason(error: Exception) -> str:
    if isinstance(error, jwt.InvalidAudienceError):
        return "it was issued to another client"
    if isinstance(error, jwt.InvalidIssuerError):
        return "plex.tv did not issue it"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"it lacks the {error.claim!r} claim"
    return "it is malformed"


def _refused(reason: str) -> UnexpectedAnswer:
    return UnexpectedAnswer(f"plex.tv sent a sign-in token that does not check out: {reason}.")


def public_jwk_of(public: Ed25519PublicKey, kid: str) -> dict[str, str]:
    """The JWK of any Ed25519 public key (the simulator publishes its signing key so)."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(public.public_bytes(_RAW, serialization.PublicFormat.Raw)),
        "use": "sig",
        "alg": _ALGORITHM,
        "kid": kid,
    }
