"""The plex.tv HTTP client: identity, the HTTP session, requests and their errors. No Qt.

Only what Plex documents is spoken (see the protocol note in the repository's docs): PINs,
the token check, a Home's profiles, JWT device authentication. Every answer is parsed into
a typed model by :mod:`plexlogin.models`; anything else becomes one of the
:mod:`plexlogin.errors` family.
"""

from __future__ import annotations

import json
import logging
import os
import platform as _platform
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import requests

from plexlogin import DEFAULT_PRODUCT, PLEX_URL, __version__
from plexlogin.adopting import AdoptingAdapter
from plexlogin.errors import (
    KeyRejected,
    NetworkError,
    PinExpired,
    ProfilePinRejected,
    RateLimited,
    RequestTimeout,
    ServerError,
    TokenExpired,
    TokenRejected,
    UnexpectedAnswer,
    UsageError,
)
from plexlogin.events import Profile
from plexlogin.i18n import N_, _, format_number
from plexlogin.models import (
    PROFILE_UUID,
    Pin,
    PlexUser,
    error_codes,
    header_int,
    is_token_shaped,
    parse_home_users,
    parse_http_date,
    parse_pin,
    parse_retry_after,
    parse_user,
)
from plexlogin.preconnect import named_ca_bundle
from plexlogin.secret import Token, redact_profile_pins

DEFAULT_AUTH_URL = "https://app.plex.tv/auth"
#: where Plex documents JWT device authentication (PINs with a key, nonces, keys, renewal)
CLIENTS_URL = "https://clients.plex.tv"

#: (connect, read) seconds for every request
REQUEST_TIMEOUT = (5.0, 10.0)
#: plex.tv's answers are a few KiB; anything bigger is not a PIN or a user
MAX_RESPONSE_BYTES = 1024 * 1024

# urllib3 logs each request line at DEBUG, and a switch's carries the profile's PIN
redact_profile_pins(logging.getLogger("urllib3.connectionpool"))

_PIN_EXPIRED_CODE = 1020
#: plex.tv's "A valid PIN is required": a Home profile's PIN was wrong or missing
_PROFILE_PIN_CODE = 1041
_TLS_FAILED = N_(
    "Can't reach plex.tv securely: its certificate is not trusted. Behind a proxy that "
    "inspects TLS, set SSL_CERT_FILE or REQUESTS_CA_BUNDLE to your organisation's CA bundle."
)


# --- identity --------------------------------------------------------------------------


class IdentityNotSendable(UsageError):
    """An identity value (product, device name, client id…) that no request can carry.

    A usage error (exit 2): the value came from the command line or the config, and
    only the person can change it.
    """


#: the option a person sets each value with, to name it in the error; the values nobody
#: sets (they come from the system) by the header that carries them, which is what a
#: bug report needs and reads the same in every language
_IDENTITY_OPTIONS = {
    "client_id": "--client-id",
    "product": "--product",
    "version": "X-Plex-Version",
    "platform": "X-Plex-Platform",
    "platform_version": "X-Plex-Platform-Version",
    "device": "X-Plex-Device",
    "device_name": "--device-name",
}
#: Plex shows these in a list; anything longer is a mistake, not a name
_MAX_IDENTITY_LENGTH = 256


def _unsendable(value: str, option: str) -> str | None:
    """Why ``value`` (set with ``option``) cannot be sent to plex.tv, or None if it can.

    Any Unicode text goes out as UTF-8, except lone surrogates (a file name or host
    name that was not valid UTF-8), which have no UTF-8 form, and control characters
    (line breaks, escapes, NUL), which no list of devices should show. Each reason is a
    whole sentence of its own, for the translators' sake.
    """
    if len(value) > _MAX_IDENTITY_LENGTH:
        # TRANSLATORS: {option} is an option or header name such as --product
        return _("{option} can't be sent to plex.tv: it is longer than {limit} characters.").format(
            option=option, limit=format_number(_MAX_IDENTITY_LENGTH)
        )
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            # TRANSLATORS: {option} is an option or header name such as --product
            return _("{option} can't be sent to plex.tv: it is not valid Unicode text.").format(
                option=option
            )
        if category == "Cc":
            # TRANSLATORS: {option} is an option or header name; {char} a code point (U+001B)
            return _(
                "{option} can't be sent to plex.tv: it contains the control character {char}."
            ).format(option=option, char=f"U+{ord(char):04X}")
    return None


def _sendable_part(value: str) -> str:
    """``value`` without what cannot be sent: for defaults nobody chose, like the host name."""
    return "".join(c for c in value if unicodedata.category(c) not in ("Cs", "Cc"))[:64]


def _default_device_name() -> str:
    return _sendable_part(_platform.node())


def _default_platform_version() -> str:
    return _sendable_part(_platform.release())


def _default_device() -> str:
    return _sendable_part(_platform.machine())


def _header_safe(value: str) -> bool:
    """Whether a header carries ``value`` unchanged: printable ASCII.

    Bytes beyond ASCII in a header are read as Latin-1 by some servers and as UTF-8 by
    others, and requests cannot encode non-Latin-1 text there at all. A query parameter
    is percent-encoded UTF-8 everywhere.
    """
    return value.isascii() and value.isprintable()


@dataclass(frozen=True)
class Identity:
    """Who we tell plex.tv we are; shown to the person in Plex's list of authorized devices.

    People name their living-room devices in their own language: every value may be any
    Unicode text. Raises IdentityNotSendable for a value that cannot be sent at all.
    """

    client_id: str
    product: str = DEFAULT_PRODUCT
    version: str = __version__
    platform: str = field(default_factory=_platform.system)
    platform_version: str = field(default_factory=_default_platform_version)
    device: str = field(default_factory=_default_device)
    device_name: str = field(default_factory=_default_device_name)

    def __post_init__(self) -> None:
        for name, option in _IDENTITY_OPTIONS.items():
            # servers strip surrounding spaces from these values; requests refuses them
            object.__setattr__(self, name, getattr(self, name).strip())
            why = _unsendable(getattr(self, name), option)
            if why is not None:
                raise IdentityNotSendable(why)

    def fields(self) -> dict[str, str]:
        """The X-Plex-* values sent on every request (without them Plex e-mails "New Device")."""
        return {
            "X-Plex-Client-Identifier": self.client_id,
            "X-Plex-Product": self.product,
            "X-Plex-Version": self.version,
            "X-Plex-Platform": self.platform or "unknown",
            "X-Plex-Platform-Version": self.platform_version or "unknown",
            "X-Plex-Device": self.device or "unknown",
            "X-Plex-Device-Name": self.device_name or self.product,
        }

    def request_parts(self) -> tuple[dict[str, str], dict[str, str]]:
        """The identity as (headers, query parameters).

        Plain ASCII values go in headers; any other value goes in the query string,
        URL-encoded as UTF-8, the way Plex's own web client sends all of them, so that
        居間のテレビ or "Küche 🎬" arrive exactly as typed.
        """
        headers = {"Accept": "application/json"}
        query: dict[str, str] = {}
        for name, value in self.fields().items():
            (headers if _header_safe(value) else query)[name] = value
        return headers, query


# --- the HTTP session --------------------------------------------------------------------


class CaBundleNotFound(UsageError):
    """A CA bundle variable (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE) names no file."""


def environment_ca_bundle() -> str | None:
    """The CA bundle (file or folder) the environment names, or None for the default."""
    named = named_ca_bundle()
    if named is None:
        return None
    name, path = named
    if not os.path.exists(path):
        raise CaBundleNotFound(
            # TRANSLATORS: {variable} is an environment variable such as SSL_CERT_FILE
            _("{variable} names a CA bundle that does not exist: {path}.").format(
                variable=name, path=repr(path)
            )
        )
    return path


class _EnvironmentSession(requests.Session):
    """A Session that takes proxies and CA bundles from the environment, never ``.netrc``.

    requests' ``trust_env`` is all or nothing: on, it also sends ``~/.netrc`` passwords
    for the host (to plex.tv, or to whatever --plex-url points at); off, it drops the
    proxy and CA settings people behind a company proxy need. So it stays off, and
    the proxy and CA settings are read here the way requests and curl read them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False

    def merge_environment_settings(
        self,
        url: str | bytes | None,
        proxies: Mapping[str, str] | None,
        stream: bool | None,
        verify: Any,
        cert: Any,
    ) -> Any:
        merged = dict(proxies or {})
        target = url.decode() if isinstance(url, bytes) else (url or "")
        # HTTP(S)_PROXY / ALL_PROXY and NO_PROXY, upper or lower case, as requests reads them
        environment = requests.utils.get_environ_proxies(target, no_proxy=merged.get("no_proxy"))
        for scheme, proxy in environment.items():
            merged.setdefault(scheme, proxy)
        if verify is True or verify is None:
            verify = environment_ca_bundle() or verify
        return super().merge_environment_settings(url, merged, stream, verify, cert)


def make_session() -> requests.Session:
    """A :class:`requests.Session` for talking to plex.tv (or anything it links to).

    Honours HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (either case) and a custom
    CA bundle from REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE, like requests
    and curl; never sends ``.netrc`` credentials. Use it for every request to Plex.
    """
    session = _EnvironmentSession()
    # the first requests take the connections opened while the front-end started
    session.mount("https://", AdoptingAdapter())
    return session


# --- the client ------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlexReply:
    """One answer from plex.tv, read in full (status, headers, at most MAX_RESPONSE_BYTES)."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> object:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise UnexpectedAnswer(
                _("plex.tv sent an answer that is not JSON (perhaps an error page).")
            ) from None


class PlexClient:
    """plex.tv's PIN endpoints and token check over one :class:`requests.Session`."""

    def __init__(
        self,
        identity: Identity,
        base_url: str = PLEX_URL,
        *,
        auth_url: str | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = REQUEST_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = identity
        self.base_url = base_url.rstrip("/")
        if auth_url is None:
            # a plex.tv stand-in (the simulator) serves its own approval page at /auth
            is_plex = self.base_url == PLEX_URL
            auth_url = DEFAULT_AUTH_URL if is_plex else self.base_url + "/auth"
        self.auth_base = auth_url
        # Plex documents the JWT endpoints on clients.plex.tv; a stand-in (--plex-url, the
        # simulator) serves everything under its one base
        self.clients_url = CLIENTS_URL if self.base_url == PLEX_URL else self.base_url
        self.session = session or make_session()
        # never .netrc credentials, even in a session someone else made (make_session
        # reads the proxy and CA settings by itself)
        self.session.trust_env = False
        self.timeout = timeout
        self._monotonic = monotonic

    def close(self) -> None:
        """Close the HTTP connections."""
        self.session.close()

    def __enter__(self) -> PlexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PlexClient({self.base_url!r}, client_id={self.identity.client_id!r})"

    # -- the three calls --

    def create_pin(self, strong: bool = False, jwk: Mapping[str, str] | None = None) -> Pin:
        """POST /api/v2/pins: a new PIN (4-character code, or a strong one for the auth URL).

        With ``jwk`` (the device's public key) it is a JWT sign-in: the key travels in a
        JSON body to clients.plex.tv, and the PIN must be polled with a device JWT.
        """
        if jwk is None:
            params = {"strong": "true" if strong else "false"}
            answer = self._request("POST", "/api/v2/pins", params=params)
        else:
            body: dict[str, object] = {"jwk": dict(jwk)}
            if strong:
                body["strong"] = True
            answer = self._request("POST", "/api/v2/pins", json_body=body, base=self.clients_url)
        if answer.status not in (200, 201):
            self._raise_for(answer, _("Could not create a sign-in code."))
        return self._pin_from(answer)

    def poll_pin(self, pin_id: int, device_jwt: str | None = None) -> Pin:
        """GET /api/v2/pins/{id}: the PIN, with ``auth_token`` once the person approved it.

        A PIN made with a key is polled with ``device_jwt`` (at clients.plex.tv); 498 then
        means the device JWT expired (TokenExpired: make a new one).
        """
        if device_jwt is None:
            answer = self._request("GET", f"/api/v2/pins/{int(pin_id)}")
        else:
            params = {"deviceJWT": device_jwt}
            path = f"/api/v2/pins/{int(pin_id)}"
            answer = self._request("GET", path, params=params, base=self.clients_url)
        if answer.status == 404:
            self._raise_for_missing_pin(answer)
        if answer.status != 200:
            self._raise_for(answer, _("Could not check the sign-in code."))
        return self._pin_from(answer)

    def get_user(self, token: Token) -> PlexUser:
        """GET /api/v2/user: the account, if plex.tv accepts the token (else TokenRejected)."""
        answer = self._request("GET", "/api/v2/user", headers={"X-Plex-Token": token.reveal()})
        if answer.status == 401:
            raise TokenRejected(_("plex.tv rejected the token."))
        if answer.status != 200:  # 498: an expired Plex JWT (TokenExpired: renew it)
            self._raise_for(answer, _("Could not check the account."))
        return parse_user(answer.json())

    # -- JWT device authentication (clients.plex.tv) --

    def nonce(self) -> str:
        """GET /api/v2/auth/nonce: a nonce for the next device JWT (it lives five minutes)."""
        answer = self._request("GET", "/api/v2/auth/nonce", base=self.clients_url)
        if answer.status != 200:
            self._raise_for(answer, _("Could not get a nonce for the device key."))
        data = answer.json()
        value = data.get("nonce") if isinstance(data, dict) else None
        if not isinstance(value, str) or not 0 < len(value) <= 256 or not is_token_shaped(value):
            raise UnexpectedAnswer(_("plex.tv sent a nonce answer without a usable nonce."))
        return value

    def auth_keys(self) -> list[dict[str, Any]]:
        """GET /api/v2/auth/keys: plex.tv's public keys, which sign every Plex JWT."""
        answer = self._request("GET", "/api/v2/auth/keys", base=self.clients_url)
        if answer.status != 200:
            self._raise_for(answer, _("Could not fetch plex.tv's signing keys."))
        data = answer.json()
        keys = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(keys, list):
            raise UnexpectedAnswer(_("plex.tv sent a key list that is not one."))
        return [key for key in keys if isinstance(key, dict)]

    def exchange_token(self, device_jwt: str) -> Token:
        """POST /api/v2/auth/token: a new Plex JWT for the device JWT alone (no person).

        KeyRejected when plex.tv no longer knows the key (422): only a new sign-in helps.
        """
        answer = self._request(
            "POST", "/api/v2/auth/token", json_body={"jwt": device_jwt}, base=self.clients_url
        )
        if answer.status == 422:
            raise KeyRejected(
                "plex.tv no longer accepts this device's key: a new sign-in is needed "
                "('plexlogin --auth jwt')."
            )
        if answer.status not in (200, 201):
            self._raise_for(answer, _("Could not renew the token."))
        data = answer.json()
        value = data.get("auth_token") if isinstance(data, dict) else None
        if not value or not is_token_shaped(value):
            raise UnexpectedAnswer(_("plex.tv sent a renewal answer without a usable token."))
        return Token(value)

    def home_users(self, token: Token) -> list[Profile]:
        """GET /api/v2/home/users: the profiles of the token's Home ([] when not a Home)."""
        answer = self._request(
            "GET", "/api/v2/home/users", headers={"X-Plex-Token": token.reveal()}
        )
        if answer.status == 401:
            raise TokenRejected(_("plex.tv rejected the token."))
        if answer.status == 404:
            return []  # plex.tv's other way of saying "this account is not in a Home"
        if answer.status != 200:
            self._raise_for(answer, _("Could not list the Home's profiles."))
        return parse_home_users(answer.json())

    def switch_profile(
        self, token: Token, uuid: str, pin: str | None = None
    ) -> tuple[PlexUser, Token]:
        """POST /api/v2/home/users/{uuid}/switch: the profile's account and its own token.

        ``pin`` (a protected profile's four digits) goes in the query only when given; a
        wrong one raises ProfilePinRejected. The PIN appears in no message and no log.
        """
        if not PROFILE_UUID.fullmatch(uuid):
            raise UnexpectedAnswer(_("That Home profile has an id plex.tv never gives."))
        params = {"pin": pin} if pin is not None else None
        answer = self._request(
            "POST",
            f"/api/v2/home/users/{uuid}/switch",
            params=params,
            headers={"X-Plex-Token": token.reveal()},
        )
        if answer.status not in (200, 201):
            self._raise_for_switch(answer)
        data = answer.json()
        user = parse_user(data)
        raw_token = data.get("authToken") if isinstance(data, dict) else None
        if not raw_token or not is_token_shaped(raw_token):
            raise UnexpectedAnswer(_("plex.tv switched profiles without a valid token."))
        return user, Token(raw_token)

    def _raise_for_switch(self, answer: _PlexReply) -> None:
        """A failed switch: the PIN, the token, a profile gone, or the usual (never returns)."""
        try:
            codes = error_codes(answer.json())
        except UnexpectedAnswer:
            codes = []
        if _PROFILE_PIN_CODE in codes:
            raise ProfilePinRejected()
        if answer.status == 401:
            raise TokenRejected(_("plex.tv rejected the token."))
        if answer.status == 404:
            raise UnexpectedAnswer(_("That profile is no longer in the Plex Home."))
        self._raise_for(answer, _("Could not switch profiles."))

    def auth_url(self, code: str) -> str:
        """The browser sign-in URL for a strong PIN (what the QR code encodes)."""
        params = {
            "clientID": self.identity.client_id,
            "code": code,
            "context[device][product]": self.identity.product,
        }
        return f"{self.auth_base}#?{urlencode(params, quote_via=quote)}"

    # -- plumbing --

    def _pin_from(self, answer: _PlexReply) -> Pin:
        return parse_pin(
            answer.json(),
            server_date=parse_http_date(answer.headers.get("Date")),
            received_at=self._monotonic(),
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Mapping[str, object] | None = None,
        base: str | None = None,
    ) -> _PlexReply:
        all_headers, all_params = self.identity.request_parts()
        all_params.update(params or {})
        all_headers.update(headers or {})
        try:
            with self.session.request(
                method,
                (base or self.base_url) + path,
                params=all_params,
                headers=all_headers,
                json=json_body,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
            ) as response:
                body = self._read_limited(response)
                return _PlexReply(response.status_code, dict(response.headers), body)
        except requests.Timeout:
            raise RequestTimeout(_("plex.tv did not answer in time.")) from None
        except requests.exceptions.SSLError:
            raise NetworkError(_(_TLS_FAILED)) from None
        except requests.exceptions.ProxyError:
            raise NetworkError(_("Can't reach plex.tv through the proxy.")) from None
        except requests.ConnectionError:
            raise NetworkError(_("Can't reach plex.tv.")) from None
        except requests.RequestException:
            raise NetworkError(_("Can't reach plex.tv.")) from None

    @staticmethod
    def _read_limited(response: requests.Response) -> bytes:
        declared = header_int(response.headers.get("Content-Length", "").strip())
        if declared is not None and declared > MAX_RESPONSE_BYTES:
            raise UnexpectedAnswer(_("plex.tv sent an answer that is far too large."))
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise UnexpectedAnswer(_("plex.tv sent an answer that is far too large."))
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _raise_for_missing_pin(answer: _PlexReply) -> None:
        """A 404 on a poll: PinExpired only if plex.tv itself said so (never returns).

        plex.tv says "this PIN is gone" with its error JSON (code 1020). An empty or
        non-JSON 404 comes from a front layer in trouble (seen mixed with 200s during an
        outage): taking it for an expiry would throw away the codes on screen, so it is
        a server fault to back off from, like a 5xx.
        """
        try:
            codes = error_codes(answer.json())
        except UnexpectedAnswer:
            codes = []
        if codes:
            raise PinExpired(_("The sign-in code expired."))
        raise ServerError(
            _sentences(
                _("Could not check the sign-in code."),
                _("plex.tv had a problem (HTTP {status}).").format(status=404),
            ),
            404,
        )

    def _raise_for(self, answer: _PlexReply, failed: str) -> None:
        """Turn a non-success status into the right error (never returns).

        ``failed`` is a whole sentence saying what could not be done ("Could not renew the
        token."); the error's message is that sentence, then one saying what plex.tv did,
        so a translation never has to fit a phrase into a sentence built around it.
        """
        status = answer.status
        if status == 498:
            raise TokenExpired(_sentences(failed, _("plex.tv said a JWT expired (HTTP 498).")))
        if status == 429:
            retry = parse_retry_after(answer.headers.get("Retry-After"))
            raise RateLimited(_("plex.tv is busy."), retry)
        if status >= 500:
            # TRANSLATORS: {status} is an HTTP status number such as 503
            problem = _("plex.tv had a problem (HTTP {status}).").format(status=status)
            raise ServerError(_sentences(failed, problem), status)
        try:
            codes = error_codes(answer.json())
        except UnexpectedAnswer:
            codes = []
        if _PIN_EXPIRED_CODE in codes:
            raise PinExpired(_("The sign-in code expired."))
        # TRANSLATORS: {status} is an HTTP status number such as 400
        answered = _("plex.tv answered HTTP {status}.").format(status=status)
        raise UnexpectedAnswer(_sentences(failed, answered))


def _sentences(*sentences: str) -> str:
    """Whole sentences one after the other; a sentence is never built from pieces."""
    # TRANSLATORS: how two sentences follow each other: a space in most languages, none in
    # Japanese; keep both placeholders
    return _("{first} {second}").format(first=sentences[0], second=sentences[1])
