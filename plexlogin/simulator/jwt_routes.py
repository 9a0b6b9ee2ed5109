"""JWT device authentication's endpoints (``devices.py`` has the checks and their answers).

- ``GET /api/v2/auth/nonce`` -> ``{"nonce": "<uuid>"}``, valid five minutes.
- ``GET /api/v2/auth/keys`` -> ``{"keys": [<the simulator's public JWK>]}``.
- ``POST /api/v2/auth/token {"jwt": <device JWT>}`` -> ``{"auth_token": <new Plex JWT>}``.
- ``POST /api/v2/auth/jwk {"jwk": …}`` with ``X-Plex-Token`` -> 204: the key is registered
  for the token's account and this client; once a Plex JWT has been issued to it, the
  legacy token that registered it stops working (as on plex.tv).

These endpoints speak JSON only, like clients.plex.tv.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plexlogin.simulator import answers
from plexlogin.simulator.accounts import Refused
from plexlogin.simulator.answers import Answer, json_answer
from plexlogin.simulator.request import Request


def jwk_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's ``jwk`` as a checked public Ed25519 JWK, or :class:`Refused` (400)."""
    from plexlogin.simulator.devices import checked_jwk  # loads PyJWT: only when needed

    return checked_jwk(body.get("jwk"))


def auth_nonce(request: Request) -> Answer:
    """``GET /api/v2/auth/nonce``: a nonce for the next device JWT."""
    return json_answer(200, {"nonce": request.model.devices.nonce()})


def auth_keys(request: Request) -> Answer:
    """``GET /api/v2/auth/keys``: the public key that signs the simulator's Plex JWTs."""
    return json_answer(200, {"keys": request.model.devices.public_jwks()})


def auth_token(request: Request) -> Answer:
    """``POST /api/v2/auth/token {"jwt"}``: renew a Plex JWT with a device JWT alone."""
    device_jwt = (request.json_body() or {}).get("jwt")
    try:
        token = request.model.renew(
            device_jwt if isinstance(device_jwt, str) else None, request.client_id or None
        )
    except Refused as refused:
        return answers.refusal_answer(refused, wants_json=True)
    return json_answer(200, {"auth_token": token})


def auth_jwk(request: Request) -> Answer:
    """``POST /api/v2/auth/jwk {"jwk"}``: register a device key with a (legacy) token."""
    try:
        jwk = jwk_of(request.json_body() or {})
        request.model.register_key(request.token, jwk, request.client_id)
    except Refused as refused:
        return answers.refusal_answer(refused, wants_json=True)
    return answers.Answer(204)
