"""plex.tv's answers as typed models, and the parsers that make them. No requests, no Qt.

Every answer plexlogin reads from plex.tv (a PIN, a user, a Home's profiles, an error
body, a Retry-After) is parsed here into a model or refused as an UnexpectedAnswer: the
client in :mod:`plexlogin.plex` only moves bytes. Parsing needs neither ``requests`` nor
the network, so the fixtures of plex.tv's real answers test it directly.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from plexlogin.errors import UnexpectedAnswer
from plexlogin.events import Profile
from plexlogin.i18n import _
from plexlogin.secret import Token

# --- models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where plex.tv thinks the request came from (informational only)."""

    code: str | None = None
    european_union_member: bool | None = None
    continent_code: str | None = None
    country: str | None = None
    city: str | None = None
    time_zone: str | None = None
    postal_code: str | None = None
    in_privacy_restricted_country: bool | None = None
    in_privacy_restricted_region: bool | None = None
    subdivisions: str | None = None
    coordinates: str | None = None


@dataclass(frozen=True)
class Pin:
    """A plex.tv PIN, as created or polled."""

    id: int
    code: str
    expires_in: float | None
    expires_at: datetime | None
    created_at: datetime | None = None
    product: str | None = None
    trusted: bool | None = None
    qr: str | None = None
    client_identifier: str | None = None
    location: Location | None = None
    auth_token: Token | None = field(default=None, repr=False)
    new_registration: bool | None = None
    #: the answer's ``Date`` header (server clock), used to correct for client clock skew
    server_date: datetime | None = field(default=None, compare=False)
    #: time.monotonic() when the answer arrived
    received_at: float = field(default=0.0, compare=False)

    @property
    def strong(self) -> bool:
        """Strong PINs have long codes that only work through the auth URL."""
        return len(self.code) > 8

    def seconds_left(self) -> float:
        """How long the PIN still lived when plex.tv answered, in the server's own terms.

        ``expiresIn`` is exact; failing that, ``expiresAt`` is compared with the answer's
        ``Date`` header (or ``createdAt``), both in the server's clock, so a client clock
        that is hours off does not matter.
        """
        if self.expires_in is not None:
            return max(0.0, float(self.expires_in))
        assert self.expires_at is not None  # guaranteed by parse_pin
        reference = self.server_date or self.created_at
        if reference is None:
            return max(0.0, (self.expires_at - datetime.now(timezone.utc)).total_seconds())
        return max(0.0, (self.expires_at - reference).total_seconds())


@dataclass(frozen=True)
class PlexUser:
    """The account behind a token (GET /api/v2/user)."""

    id: int
    #: None for a managed Plex Home user, which has no plex.tv login (only a title)
    username: str | None
    uuid: str | None = None
    title: str | None = None
    friendly_name: str | None = None
    email: str | None = None
    thumb: str | None = None
    locale: str | None = None
    two_factor_enabled: bool | None = None
    subscription_active: bool | None = None

    @property
    def display_name(self) -> str:
        """The name to greet the person with."""
        return self.friendly_name or self.title or self.account_name

    @property
    def account_name(self) -> str:
        """The account's name for records: the username, or a managed user's title."""
        return self.username or self.title or f"Plex user {self.id}"


# --- parsing ---------------------------------------------------------------------------


def _typed(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """``data[key]`` if it has the expected type, else None (optional fields)."""
    value = data.get(key)
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        return None  # JSON true is not a number
    return value if isinstance(value, kind) else None


#: ISO 8601 as plex.tv writes it: whole seconds or any fraction, "Z" or a numeric offset
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?",
    re.ASCII,
)


def _parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime, or None if it is not one.

    Parsed by hand rather than with ``datetime.fromisoformat``: before Python 3.11 that
    takes exactly 3 or 6 fractional digits and no "Z", so plex.tv's milliseconds-or-not
    timestamps would parse on one Python and not on another. A fraction is cut to
    microseconds; a timestamp without an offset is taken as UTC (plex.tv's clock).
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.group(*range(1, 7)))
    fraction, sign, offset_hours, offset_minutes = match.group(7, 9, 10, 11)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if sign:
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        offset = -offset if sign == "-" else offset
    try:
        local = datetime(year, month, day, hour, minute, second, micro, timezone(offset))
        # a valid local time near year 1 or 9999 can fall outside datetime's range in UTC
        return local.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP ``Date``/``Retry-After`` date, or None."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def header_int(value: str) -> int | None:
    """A header's non-negative integer (delta-seconds, Content-Length), or None.

    ASCII digits only: ``"²".isdigit()`` is true but ``int("²")`` raises, and headers
    arrive latin-1 decoded. Absurdly long numbers count as huge instead of reaching
    int(), which refuses more than 4300 digits.
    """
    if not value or not value.isascii() or not value.isdigit():
        return None
    return int(value) if len(value) <= 18 else 10**18


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After in seconds: either delta-seconds or an HTTP-date. None if absent or junk."""
    if value is None:
        return None
    value = value.strip()
    seconds = header_int(value)
    if seconds is not None:
        return float(min(seconds, 24 * 3600))
    when = parse_http_date(value)
    if when is None:
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, min((when - now).total_seconds(), 24 * 3600.0))


def _parse_location(data: object) -> Location | None:
    if not isinstance(data, dict):
        return None
    return Location(
        code=_typed(data, "code", str),
        european_union_member=_typed(data, "european_union_member", bool),
        continent_code=_typed(data, "continent_code", str),
        country=_typed(data, "country", str),
        city=_typed(data, "city", str),
        time_zone=_typed(data, "time_zone", str),
        postal_code=_typed(data, "postal_code", str),
        in_privacy_restricted_country=_typed(data, "in_privacy_restricted_country", bool),
        in_privacy_restricted_region=_typed(data, "in_privacy_restricted_region", bool),
        subdivisions=_typed(data, "subdivisions", str),
        coordinates=_typed(data, "coordinates", str),
    )


#: codes are 4 characters, or 25 for strong PINs; anything far off is not a PIN
_MAX_CODE_LENGTH = 64


#: Plex tokens (20 characters) and Plex JWTs are far shorter; more is not a token
_MAX_TOKEN_LENGTH = 4096
#: printable ASCII without the space: what a token needs to travel in a header
_TOKEN_CHARACTERS = frozenset(map(chr, range(0x21, 0x7F)))


def is_token_shaped(value: object) -> bool:
    """Whether ``value`` can be a Plex token.

    Legacy tokens are letters, digits, ``-`` and ``_``; Plex JWTs add ``.``. The check is
    kept to printable ASCII without whitespace because the token must go back out in
    the ``X-Plex-Token`` header: a non-Latin-1 character cannot be encoded there, and
    surrounding whitespace is refused by requests as an invalid header, which looked
    like "Can't reach plex.tv" and was retried until the timeout. Either is an answer
    plex.tv does not give, so it is reported as one. An empty string is "not yet".
    """
    if not isinstance(value, str) or len(value) > _MAX_TOKEN_LENGTH:
        return False
    return _TOKEN_CHARACTERS.issuperset(value)


def parse_pin(
    data: object, *, server_date: datetime | None = None, received_at: float | None = None
) -> Pin:
    """Build a :class:`Pin` from a decoded JSON answer; raise UnexpectedAnswer if it is not one."""
    if not isinstance(data, dict):
        raise UnexpectedAnswer(_("plex.tv sent a PIN answer that is not a JSON object."))
    pin_id = _typed(data, "id", int)
    code = _typed(data, "code", str)
    if pin_id is None or pin_id < 0:
        raise UnexpectedAnswer(_("plex.tv sent a PIN without a valid id."))
    if not code or len(code) > _MAX_CODE_LENGTH or not code.isalnum() or not code.isascii():
        raise UnexpectedAnswer(_("plex.tv sent a PIN without a valid code."))
    expires_in = _typed(data, "expiresIn", (int, float))
    expires_at = _parse_time(data.get("expiresAt"))
    if expires_in is None and expires_at is None:
        raise UnexpectedAnswer(_("plex.tv sent a PIN without an expiry time."))
    if expires_in is not None and not 0 <= expires_in <= 7 * 24 * 3600:
        raise UnexpectedAnswer(_("plex.tv sent a PIN with an impossible lifetime."))
    raw_token = data.get("authToken")
    if raw_token is not None and not is_token_shaped(raw_token):
        raise UnexpectedAnswer(_("plex.tv sent a PIN with a malformed token."))
    return Pin(
        id=pin_id,
        code=code,
        expires_in=expires_in,
        expires_at=expires_at,
        created_at=_parse_time(data.get("createdAt")),
        product=_typed(data, "product", str),
        trusted=_typed(data, "trusted", bool),
        qr=_typed(data, "qr", str),
        client_identifier=_typed(data, "clientIdentifier", str),
        location=_parse_location(data.get("location")),
        # an empty string is "not yet", like null: plex.tv never issues empty tokens
        auth_token=Token(raw_token) if raw_token else None,
        new_registration=_typed(data, "newRegistration", bool),
        server_date=server_date,
        received_at=time.monotonic() if received_at is None else received_at,
    )


def parse_user(data: object) -> PlexUser:
    """Build a :class:`PlexUser`; raise UnexpectedAnswer if the answer is not a user."""
    if not isinstance(data, dict):
        raise UnexpectedAnswer(_("plex.tv sent a user answer that is not a JSON object."))
    user_id = _typed(data, "id", int)
    # a managed Home user has no username (null), only a title
    username = _typed(data, "username", str) or None
    title = _typed(data, "title", str) or None
    if user_id is None or not (username or title):
        raise UnexpectedAnswer(_("plex.tv sent a user without an id or a name."))
    if any(name is not None and len(name) > 256 for name in (username, title)):
        raise UnexpectedAnswer(_("plex.tv sent a user with an impossibly long name."))
    subscription = data.get("subscription")
    active = _typed(subscription, "active", bool) if isinstance(subscription, dict) else None
    return PlexUser(
        id=user_id,
        username=username,
        uuid=_typed(data, "uuid", str),
        title=title,
        friendly_name=_typed(data, "friendlyName", str) or None,
        email=_typed(data, "email", str),
        thumb=_typed(data, "thumb", str),
        locale=_typed(data, "locale", str),
        two_factor_enabled=_typed(data, "twoFactorEnabled", bool),
        subscription_active=active,
    )


#: plex.tv allows 15 profiles in a Home; far more is not a Home answer
_MAX_HOME_USERS = 100
#: a profile's uuid goes into a URL path: plex.tv's are short hex strings
PROFILE_UUID = re.compile(r"[A-Za-z0-9-]{1,64}", re.ASCII)


def parse_home_user(data: object) -> Profile:
    """One entry of the Home's ``users``; raise UnexpectedAnswer if it is not a profile."""
    if not isinstance(data, dict):
        raise UnexpectedAnswer(_("plex.tv sent a Home profile that is not a JSON object."))
    user_id = _typed(data, "id", int)
    uuid = _typed(data, "uuid", str)
    title = _typed(data, "title", str) or _typed(data, "username", str)
    if user_id is None or uuid is None or not PROFILE_UUID.fullmatch(uuid) or not title:
        raise UnexpectedAnswer(_("plex.tv sent a Home profile without an id, uuid or title."))
    username = _typed(data, "username", str) or None
    if any(name is not None and len(name) > 256 for name in (username, title)):
        raise UnexpectedAnswer(_("plex.tv sent a Home profile with an impossibly long name."))
    return Profile(
        id=user_id,
        uuid=uuid,
        title=title,
        username=username,
        thumb=_typed(data, "thumb", str),
        admin=_typed(data, "admin", bool) is True,
        protected=_typed(data, "protected", bool) is True,
        restricted=_typed(data, "restricted", bool) is True,
        restriction_profile=_typed(data, "restrictionProfile", str),
    )


def parse_home_users(data: object) -> list[Profile]:
    """The profiles of GET /api/v2/home/users; an empty list when the account is not a Home.

    An account without a Home is answered with itself as the one user: there is nobody
    to switch to, so that is "not a Home" too.
    """
    if not isinstance(data, dict) or not isinstance(data.get("users"), list):
        raise UnexpectedAnswer(_("plex.tv sent a Home answer without a list of users."))
    if len(data["users"]) > _MAX_HOME_USERS:
        raise UnexpectedAnswer(_("plex.tv sent a Home with impossibly many profiles."))
    users = [parse_home_user(entry) for entry in data["users"]]
    return users if len(users) > 1 else []


def error_codes(data: object) -> list[int]:
    """The ``code`` of each entry in plex.tv's ``{"errors": [...]}`` body."""
    if not isinstance(data, dict) or not isinstance(data.get("errors"), list):
        return []
    errors = data["errors"]
    return [e["code"] for e in errors if isinstance(e, dict) and isinstance(e.get("code"), int)]
