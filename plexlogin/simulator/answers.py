"""What the simulator sends back: plex.tv's JSON and XML shapes, errors and canned faults.

Everything here is a pure function of its arguments; the routes decide which one to send.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Final

from plexlogin.simulator.accounts import Membership, Refused, User
from plexlogin.simulator.model import Fault, Pin

JSON: Final = "application/json; charset=utf-8"
XML: Final = "application/xml; charset=utf-8"
HTML: Final = "text/html; charset=utf-8"

ERROR_CLIENT_ID_MISSING: Final = {
    "code": 1000,
    "message": "X-Plex-Client-Identifier is missing",
    "status": 400,
}
ERROR_PIN_NOT_FOUND: Final = {"code": 1020, "message": "Code not found or expired", "status": 404}
# Plex documents this 401 without "status"; plex.tv really sends it with one.
ERROR_NOT_AUTHENTICATED: Final = {
    "code": 1001,
    "message": "User could not be authenticated",
    "status": 401,
}
# Not documented by Plex: the simulator's own answer for paths it does not know.
ERROR_NOT_FOUND: Final = {"code": 404, "message": "Not found", "status": 404}

# A plausible, fixed geolocation: plex.tv reports where the request came from.
LOCATION: Final[Mapping[str, object]] = {
    "code": "US",
    "european_union_member": False,
    "continent_code": "NA",
    "country": "United States",
    "city": "Springfield",
    "time_zone": "America/Chicago",
    "postal_code": "62701",
    "in_privacy_restricted_country": False,
    "in_privacy_restricted_region": False,  # seen in the wild, not documented
    "subdivisions": "Illinois",
    "coordinates": "39.8017, -89.6436",
}


# Beyond the documentation: fields plex.tv really sends in the user object, which a
# client must take in its stride.
_UNDOCUMENTED_USER_FIELDS: Final[Mapping[str, object]] = {
    "attributionPartner": None,
    "adsConsent": None,
    "adsConsentSetAt": None,
    "adsConsentReminderAt": None,
    "profile": {
        "autoSelectAudio": True,
        "defaultAudioLanguage": None,
        "defaultSubtitleLanguage": None,
        "autoSelectSubtitle": 0,
        "defaultSubtitleAccessibility": 0,
        "defaultSubtitleForced": 0,
        "watchedIndicator": 1,
        "mediaReviewsVisibility": 0,
    },
    "subscriptions": [],
    "pastSubscriptions": [],
    "trials": [],
    "pin": None,
}


@dataclass
class Answer:
    """One HTTP answer: status, body, content type, extra headers (and the PIN it concerns)."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pin_id: int | None = None


# --- generic answers ----------------------------------------------------------------------


def json_bytes(data: object) -> bytes:
    """Compact JSON, as plex.tv sends it."""
    return json.dumps(data, separators=(",", ":")).encode()


def json_answer(status: int, data: object) -> Answer:
    """A JSON answer."""
    return Answer(status, json_bytes(data), JSON)


def method_not_allowed(allowed: str) -> Answer:
    """405 with the ``Allow`` header."""
    answer = json_answer(405, {"error": "method not allowed"})
    answer.headers["Allow"] = allowed
    return answer


def data_answer(status: int, tag: str, data: Mapping[str, object], wants_json: bool) -> Answer:
    """``data`` as JSON, or as plex.tv's XML (element ``tag``) for clients that did not ask."""
    if wants_json:
        return json_answer(status, data)
    return Answer(status, _xml_document(_xml_element(tag, data)), XML)


def error_answer(status: int, error: Mapping[str, object], wants_json: bool) -> Answer:
    """plex.tv's error shape, ``{"errors": [error]}`` or its XML twin."""
    if wants_json:
        return json_answer(status, {"errors": [dict(error)]})
    root = ET.Element("errors")
    ET.SubElement(root, "error", {k: _xml_value(v) for k, v in error.items()})
    return Answer(status, _xml_document(root), XML)


def refusal_answer(refused: Refused, wants_json: bool) -> Answer:
    """plex.tv's error answer for a refusal (a bad or expired token, a bad device JWT)."""
    return error_answer(refused.status, refused.error(), wants_json)


def canned_answer(fault: Fault) -> Answer:
    """The answer a fault puts in place of the real one."""
    body = fault.body if fault.body is not None else b""
    if fault.body_size is not None:
        body = _sized_body(body, fault.body_size)
    content_type = fault.content_type
    if content_type is None and body:
        content_type = JSON
    return Answer(fault.status if fault.status is not None else 200, body, content_type)


# --- plex.tv's objects ----------------------------------------------------------------------


def iso(timestamp: float, *, millis: bool = False) -> str:
    """An ISO 8601 UTC timestamp the way plex.tv writes it, whole or with milliseconds."""
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _expires_in(pin: Pin, now: float) -> int:
    # plex.tv rounds down: a fresh 30-minute PIN says 1799 (the first second has begun).
    # A live PIN never says 0.
    left = pin.seconds_left(now)
    return max(1, math.ceil(left) - 1) if left > 0 else 0


def pin_json(pin: Pin, now: float, base_url: str) -> dict[str, object]:
    """The PIN object as plex.tv returns it from create and poll."""
    return {
        "id": pin.id,
        "code": pin.code,
        "product": pin.product,
        "trusted": False,
        "qr": f"{base_url}/api/v2/pins/qr/{pin.code}",
        "clientIdentifier": pin.client_id,
        "location": dict(LOCATION),
        "expiresIn": _expires_in(pin, now),
        # from whole milliseconds, so that both show the same fraction
        "createdAt": iso(round(pin.created, 3), millis=pin.millis),
        "expiresAt": iso(round(pin.created, 3) + pin.lifetime, millis=pin.millis),
        "authToken": pin.token,
        "newRegistration": None if pin.token is None else False,
    }


def email_of(user: User) -> str | None:
    """A made-up address; a managed user has none."""
    return None if user.username is None else f"{user.username}@example.com"


def thumb_of(user: User) -> str:
    """The avatar URL, in plex.tv's form."""
    return f"https://plex.tv/users/{user.uuid}/avatar?c={user.joined}"


def user_json(
    user: User, token: str, now: float, membership: Membership | None = None
) -> dict[str, object]:
    """The account as ``GET /api/v2/user`` (and a Home switch) returns it.

    A managed user has ``username`` and ``email`` null and only a ``title``.
    """
    member = membership.member(user) if membership is not None else None
    return {
        "id": user.id,
        "uuid": user.uuid,
        "username": user.username,
        "title": user.title,
        "friendlyName": user.title,
        "email": email_of(user),
        "thumb": thumb_of(user),
        "locale": "en",
        "confirmed": True,
        "joinedAt": user.joined,
        "emailOnlyAuth": False,
        "hasPassword": user.username is not None,
        "protected": member is not None and member.profile.protected,
        "authToken": token,
        "mailingListStatus": "unsubscribed",
        "mailingListActive": False,
        "scrobbleTypes": "",
        "country": "US",
        "subscription": {
            "active": False,
            "subscribedAt": None,
            "status": "Inactive",
            "paymentService": None,
            "plan": None,
            "features": [],
        },
        "subscriptionDescription": None,
        "restricted": user.restricted,
        "restrictionProfile": user.restriction_profile,
        "anonymous": None,
        "home": member is not None,
        "guest": False,
        "homeSize": len(membership.members) if member is not None and membership else 1,
        "homeAdmin": member is not None and member.profile.admin,
        "maxHomeSize": 15,
        "rememberExpiresAt": int(now) + 14 * 86_400,
        "entitlements": [],
        "roles": [],
        "services": [],
        "experimentalFeatures": False,
        "twoFactorEnabled": False,
        "backupCodesCreated": False,
        **_UNDOCUMENTED_USER_FIELDS,
    }


# --- XML ---------------------------------------------------------------------------------------


def _xml_value(value: object) -> str:
    # plex.tv's XML writes booleans as 1/0 and leaves nulls empty.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _xml_element(tag: str, data: Mapping[str, object]) -> ET.Element:
    element = ET.Element(tag)
    for key, value in data.items():
        if isinstance(value, Mapping):
            element.append(_xml_element(key, value))
        elif not isinstance(value, list):
            element.set(key, _xml_value(value))
    return element


def _xml_document(root: ET.Element) -> bytes:
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + bytes(ET.tostring(root, encoding="utf-8", xml_declaration=False))


def _sized_body(seed: bytes, size: int) -> bytes:
    if seed:
        return (seed * (size // len(seed) + 1))[:size]
    # Valid JSON when there is room for it, so a client that parses before checking
    # the size really does get a huge document.
    frame = b'{"padding":""}'
    if size < len(frame):
        return b" " * size
    return b'{"padding":"' + b"x" * (size - len(frame)) + b'"}'
