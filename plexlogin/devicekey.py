"""JWT sign-in's device side: the key in the keyring, the device JWTs it signs, renewal.

What is kept where (docs/jwt.md says it for people):

* the Plex JWT: the token's usual keyring entry (service ``<service>``, the account's name);
* the device's private key: its own entry beside it, service ``<service>-device-key``, the
  same username. A separate service rather than a suffixed username, so nothing that lists
  plexlogin's tokens ever mistakes the key for one, and a username cannot collide with it;
* that the entry holds a JWT, and the client identifier it was issued to: config.json (no
  secret), because a renewal must speak as that client.

This module imports :mod:`plexlogin.jwtauth` (PyJWT, cryptography): only ``--auth jwt`` and
commands that meet a stored JWT load it, never the window's start-up path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from plexlogin.errors import (
    KeyRejected,
    KeyringError,
    PlexError,
    TokenExpired,
    UnexpectedAnswer,
)
from plexlogin.i18n import N_, _
from plexlogin.jwtauth import (
    DEVICE_JWT_LIFETIME,
    DeviceKey,
    PlexJwtClaims,
    expiry_of,
    verify_plex_jwt,
)
from plexlogin.plex import Identity, PlexClient
from plexlogin.secret import Token
from plexlogin.tokens import TokenStore

log = logging.getLogger(__name__)

#: the keyring service of the device keys that go with ``<service>``'s tokens
KEY_SERVICE_SUFFIX: Final = "-device-key"
#: a device JWT (and its nonce, which lives as long) is re-made this long before it dies,
#: so a slow request or a minute of clock skew never sends a dead one
REMAKE_MARGIN: Final = 60.0
#: ``plexlogin token`` renews a Plex JWT that expires sooner than this
RENEW_WITHIN: Final = 24 * 3600.0

_SIGN_IN_AGAIN: Final = N_(
    "This device's key for signing in is missing or no longer accepted by plex.tv: "
    "a new sign-in is needed ('plexlogin --auth jwt')."
)


def key_service(service: str) -> str:
    """The keyring service that holds the device keys of ``service``'s entries."""
    return service + KEY_SERVICE_SUFFIX


class DeviceKeyStore:
    """The device keys in the keyring, one per token entry (same username)."""

    def __init__(self, service: str) -> None:
        self._store = TokenStore(key_service(service))

    def load(self, username: str) -> DeviceKey | None:
        """The entry's key, or None when there is none (or it is not a key of ours)."""
        secret = self._store.load(username)
        if secret is None:
            return None
        try:
            return DeviceKey.from_secret(secret)
        except ValueError as error:
            log.debug("ignoring the device key entry: %s", error)
            return None

    def save(self, username: str, key: DeviceKey) -> None:
        """Keep ``key`` for ``username``'s entry (replacing any earlier one)."""
        self._store.save(username, key.secret())

    def delete(self, username: str) -> bool:
        """Remove the entry's key; True if there was one."""
        return self._store.delete(username)


class DeviceProof:
    """The proof, while codes are shown, that this device holds its key.

    Polling a PIN made with a key needs a device JWT over a nonce that lives five minutes;
    :meth:`current` re-makes it (a new nonce, a request) before it and its nonce die.
    ``now`` is the wall clock the JWTs are dated by (injectable, like every clock here).
    """

    def __init__(
        self,
        client: PlexClient,
        key: DeviceKey,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.key = key
        self._now = now
        self._jwt: str | None = None
        self._made_at = 0.0

    def now(self) -> float:
        """The wall clock the JWTs are dated and checked by."""
        return self._now()

    @property
    def jwk(self) -> dict[str, str]:
        """The public key that PINs are created with."""
        return self.key.public_jwk()

    def current(self) -> str:
        """A device JWT that lives at least another minute (asks for a nonce when needed)."""
        now = self._now()
        if self._jwt is None or now - self._made_at >= DEVICE_JWT_LIFETIME - REMAKE_MARGIN:
            nonce = self.client.nonce()
            now = self._now()
            self._jwt = self.key.device_jwt(
                client_id=self.client.identity.client_id, nonce=nonce, now=now
            )
            self._made_at = now
            log.debug("made a new device JWT")
        return self._jwt

    def forget(self) -> None:
        """plex.tv said the device JWT expired (498): the next :meth:`current` makes one."""
        self._jwt = None

    def check(self, token: Token, keys: Sequence[Mapping[str, Any]]) -> PlexJwtClaims:
        """Verify a Plex JWT for this client and key (UnexpectedAnswer if it does not)."""
        return verify_plex_jwt(
            token,
            keys,
            client_id=self.client.identity.client_id,
            thumbprint=self.key.kid,
            now=self._now(),
        )

    def renew(self) -> tuple[Token, PlexJwtClaims]:
        """A new Plex JWT without the person: nonce, device JWT, POST /api/v2/auth/token.

        KeyRejected when plex.tv refuses the key (or the new token is bound to another).
        """
        self.forget()
        try:
            token = self.client.exchange_token(self.current())
        except TokenExpired:  # the device JWT died on the way: once more, over a new nonce
            self.forget()
            token = self.client.exchange_token(self.current())
        try:
            claims = self.check(token, self.client.auth_keys())
        except UnexpectedAnswer as error:
            raise UnexpectedAnswer(
                _("The renewed token was refused: {error}").format(error=error)
            ) from None
        return token, claims


def renew_if_due(
    proof: DeviceProof, token: Token, *, within: float = RENEW_WITHIN, expired: bool = False
) -> tuple[Token, PlexJwtClaims | None]:
    """``token``, renewed first when it has expired or expires within ``within`` seconds.

    ``expired``: plex.tv already said so (498). Returns the token to use and, when it was
    renewed, its verified claims (None: the stored one is still good).
    """
    expires = None if expired else expiry_of(token)
    if expires is not None and expires.timestamp() > proof.now() + within:
        return token, None
    log.debug("renewing the Plex JWT")
    new_token, claims = proof.renew()
    return new_token, claims


def missing_key() -> KeyRejected:
    """The error for a JWT entry whose key is gone: only a new sign-in helps."""
    return KeyRejected(_(_SIGN_IN_AGAIN))


def reusable_key(service: str, username: str | None, client_id: str) -> DeviceKey | None:
    """The key of the entry this sign-in will replace, when it was made for ``client_id``.

    A key belongs to one (client identifier, keyring entry): it is reused for the
    remembered entry when that holds a Plex JWT issued to the same client (and for
    ``username``, when given, only if that is the remembered entry). Otherwise, or when the
    keyring cannot say, the sign-in makes a new key; it is stored with the token.
    """
    from plexlogin.config import load_config

    config, _warning = load_config()
    remembered = config.keyring_service == service and config.auth == "jwt"
    if not remembered or config.jwt_client_id != client_id or not config.keyring_username:
        return None
    if username is not None and username != config.keyring_username:
        return None
    try:
        return DeviceKeyStore(service).load(config.keyring_username)
    except KeyringError as error:
        log.debug("making a new device key: %s", error)
        return None


@dataclass(frozen=True)
class StoredJwt:
    """A keyring entry that holds a Plex JWT, and what renewing it needs."""

    service: str
    username: str
    #: the client identifier the JWT was issued to (remembered in config.json)
    client_id: str
    plex_url: str
    product: str


def fresh_token(
    entry: StoredJwt, token: Token, *, expired: bool = False, now: Callable[[], float] = time.time
) -> tuple[Token, datetime | None, str | None]:
    """The entry's Plex JWT, renewed and stored first when it is (nearly) expired.

    Returns the token to use, when it expires, and a warning for the person when a due
    renewal failed but the stored token still works. KeyRejected (exit 1, "sign in
    again") when the key is gone or plex.tv refuses it; any other PlexError when the
    token has expired and could not be renewed.
    """
    key = DeviceKeyStore(entry.service).load(entry.username)
    if key is None:
        raise missing_key()
    identity = Identity(client_id=entry.client_id, product=entry.product)
    with PlexClient(identity, entry.plex_url) as client:
        proof = DeviceProof(client, key, now=now)
        try:
            new_token, claims = renew_if_due(proof, token, expired=expired)
        except KeyRejected:
            raise missing_key() from None
        except PlexError as error:
            expires = None if expired else expiry_of(token)
            if expires is None or expires.timestamp() <= now():
                raise
            return (
                token,
                expires,
                # TRANSLATORS: {error} is a whole sentence saying what went wrong
                _("The token could not be renewed yet ({error}).").format(error=error),
            )
    if claims is None:
        return token, expiry_of(token), None
    TokenStore(entry.service).save(entry.username, new_token)
    log.debug("stored the renewed Plex JWT")
    return new_token, claims.expires_at, None
