"""The route table: method + path pattern -> handler, for the API, the controls and the pages.

A handler takes a :class:`Request` and returns an :class:`~.answers.Answer`; it talks to
the :class:`~.model.Model` only through its public methods. The server (``server.py``)
finds the route, applies the guards its ``kind`` asks for, and for ``"api"`` routes the
faults and the request log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import parse_qs, quote

from plexlogin.simulator import answers, pages
from plexlogin.simulator.accounts import Refused
from plexlogin.simulator.answers import Answer, json_answer
from plexlogin.simulator.home import list_home_users, switch_profile
from plexlogin.simulator.jwt_routes import auth_jwk, auth_keys, auth_nonce, auth_token, jwk_of
from plexlogin.simulator.language import page_language
from plexlogin.simulator.model import Endpoint, Fault, Model, fault_endpoint
from plexlogin.simulator.request import Request

Kind = Literal["api", "control", "page"]


Handler = Callable[[Request], Answer]


@dataclass(frozen=True)
class Route:
    """One entry of the table: who may call ``handler`` for which paths, and how it is guarded."""

    kind: Kind
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Handler
    endpoint: Endpoint = "other"  # which faults an "api" route meets; also its log label


class ControlError(Exception):
    """A control request that cannot be carried out; answered 400 with the message."""


# --- the plex.tv API ------------------------------------------------------------------------


def _client_id_missing(request: Request) -> Answer | None:
    if request.header_or_query("X-Plex-Client-Identifier"):
        return None
    return answers.error_answer(400, answers.ERROR_CLIENT_ID_MISSING, request.wants_json)


def _wants_strong(request: Request, body: Mapping[str, Any]) -> bool:
    # plex.tv takes it from the query, a form body, or (JWT sign-in) the JSON body
    values = parse_qs(request.query).get("strong", [])
    values += [] if body else request.form().get("strong", [])
    return body.get("strong") is True or any(v.strip().lower() in ("true", "1") for v in values)


def create_pin(request: Request) -> Answer:
    """``POST /api/v2/pins``: a new PIN (``strong`` in the query, a form or a JSON body;
    ``{"jwk": …}`` makes it a JWT sign-in)."""
    missing = _client_id_missing(request)
    if missing is not None:
        return missing
    body = request.json_body() or {}
    try:
        jwk = jwk_of(body) if "jwk" in body else None
    except Refused as refused:
        return answers.refusal_answer(refused, request.wants_json)
    pin = request.model.create_pin(
        strong=_wants_strong(request, body),
        client_id=request.client_id,
        product=request.header_or_query("X-Plex-Product") or "",
        jwk=jwk,
    )
    data = answers.pin_json(pin, request.model.now(), request.base_url)
    answer = answers.data_answer(201, "pin", data, request.wants_json)
    answer.pin_id = pin.id
    return answer


def poll_pin(request: Request) -> Answer:
    """``GET /api/v2/pins/{id}``: the PIN, or 404/1020 when it is gone or someone else's."""
    missing = _client_id_missing(request)
    if missing is not None:
        return missing
    client_id = request.client_id
    pin = request.model.find_pin(request.pin_id, client_id)
    if pin is None:
        return answers.error_answer(404, answers.ERROR_PIN_NOT_FOUND, request.wants_json)
    if pin.jwk is not None:  # JWT sign-in: every poll proves the device holds the key
        try:
            request.model.devices.check_device_jwt(
                request.query_value("deviceJWT"), pin.jwk, client_id
            )
        except Refused as refused:
            return answers.refusal_answer(refused, request.wants_json)
    data = answers.pin_json(pin, request.model.now(), request.base_url)
    return answers.data_answer(200, "pin", data, request.wants_json)


def get_user(request: Request) -> Answer:
    """``GET /api/v2/user``: the account the ``X-Plex-Token`` signs in, 401, or 498 when it
    is an expired Plex JWT."""
    token = request.token
    model = request.model
    try:
        user, _grant = model.authenticate(token)
    except Refused as refused:
        return answers.refusal_answer(refused, request.wants_json)
    assert token is not None
    data = answers.user_json(user, token, model.now(), model.membership(user))
    return answers.data_answer(200, "user", data, request.wants_json)


def pin_qr(request: Request) -> Answer:
    """``GET /api/v2/pins/qr/{code}``: sends a person to the stand-in link page.

    The real one is a PNG of the plex.tv/link URL (no QR encoder in the stdlib).
    """
    code = quote(request.params["code"], safe="")
    return Answer(302, headers={"Location": f"{request.base}/link?code={code}"})


def api_not_found(request: Request) -> Answer:
    """Any other path: the simulator's own 404 in plex.tv's error shape."""
    return answers.error_answer(404, answers.ERROR_NOT_FOUND, request.wants_json)


# --- the control endpoints for tests that drive plexlogin as a subprocess -------------------


def _json_object(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(request.body) if request.body.strip() else {}
    except ValueError:
        raise ControlError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def _optional(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if value is None:
        return None
    # bool is an int in Python, but {"id": true} is a mistake, not PIN 1.
    if isinstance(value, bool) and kind is not bool:
        raise ControlError(f"{key!r} must not be a boolean")
    if not isinstance(value, kind):
        raise ControlError(f"{key!r} has the wrong type")
    return value


def control_state(request: Request) -> Answer:
    """``GET /_sim/state``: the live PINs and the request log."""
    return json_answer(200, state_json(request.model))


def control_approve(request: Request) -> Answer:
    """``POST /_sim/approve {"id"?, "code"?, "username"?}`` -> ``{"token", "id"}``."""
    data = _json_object(request)
    try:
        pin = request.model.approve(
            _optional(data, "id", int),
            _optional(data, "code", str),
            _optional(data, "username", str),
        )
    except KeyError:
        return json_answer(404, {"error": "no such pending PIN"})
    return json_answer(200, {"token": pin.token, "id": pin.id})


def control_expire(request: Request) -> Answer:
    """``POST /_sim/expire {"id"?}``."""
    request.model.expire(_optional(_json_object(request), "id", int))
    return json_answer(200, {})


def control_revoke(request: Request) -> Answer:
    """``POST /_sim/revoke {"token"}``."""
    token = _optional(_json_object(request), "token", str)
    if token is None:
        raise ControlError("'token' is required")
    request.model.revoke(token)
    return json_answer(200, {})


def control_revoke_key(request: Request) -> Answer:
    """``POST /_sim/revoke_key {"kid"}``: unregister a JWT device key (404: none such)."""
    kid = _optional(_json_object(request), "kid", str)
    if kid is None:
        raise ControlError("'kid' is required")
    if not request.model.devices.revoke(kid):
        return json_answer(404, {"error": "no such device key"})
    return json_answer(200, {})


def control_advance(request: Request) -> Answer:
    """``POST /_sim/advance {"seconds"}``: move the server clock ahead."""
    seconds = _optional(_json_object(request), "seconds", (int, float))
    if seconds is None:
        raise ControlError("'seconds' is required")
    request.model.advance_clock(float(seconds))
    return json_answer(200, {})


def control_fault(request: Request) -> Answer:
    """``POST /_sim/fault {...}``: the same fields as ``Simulator.add_fault``."""
    request.model.add_fault(fault_from_json(_json_object(request)))
    return json_answer(200, {})


def control_clear(request: Request) -> Answer:
    """``POST /_sim/clear``: forget the faults."""
    _json_object(request)
    request.model.clear_faults()
    return json_answer(200, {})


def control_not_found(request: Request) -> Answer:
    """A ``/_sim/`` path that names no control."""
    return json_answer(404, {"error": f"no control endpoint {request.path}"})


def fault_from_json(data: Mapping[str, Any]) -> Fault:
    """A fault from a control request's JSON object (``ControlError`` when it is malformed)."""
    endpoint = _optional(data, "endpoint", str)
    if endpoint is None:
        raise ControlError("'endpoint' is required")
    headers = _optional(data, "headers", dict)
    if headers is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ControlError("'headers' must map strings to strings")
    times = _optional(data, "times", int)
    body = _optional(data, "body", str)
    return Fault(
        endpoint=fault_endpoint(endpoint),
        status=_optional(data, "status", int),
        retry_after=_optional(data, "retry_after", str),
        delay=float(_optional(data, "delay", (int, float)) or 0.0),
        drop=bool(_optional(data, "drop", bool)),
        body=body.encode() if body is not None else None,
        content_type=_optional(data, "content_type", str),
        headers=dict(headers or {}),
        body_size=_optional(data, "body_size", int),
        remaining=1 if times is None else times,
    )


def state_json(model: Model) -> dict[str, object]:
    """What ``/_sim/state`` reports: the live PINs and every API request so far."""
    return {
        "pins": [
            {
                "id": pin.id,
                "code": pin.code,
                "strong": pin.strong,
                "client_id": pin.client_id,
                "product": pin.product,
                "created_at": pin.created_at.isoformat(),
                "expires_at": pin.expires_at.isoformat(),
                "approved": pin.approved,
                "token": pin.token,
            }
            for pin in model.pins()
        ],
        "requests": [
            {
                "at": record.at,
                "method": record.method,
                "path": record.path,
                "endpoint": record.endpoint,
                "pin_id": record.pin_id,
                "status": record.status,
                "query": record.query,
                "headers": dict(record.headers),
            }
            for record in model.requests()
        ],
    }


# --- the web pages a person uses to play plex.tv's side -------------------------------------


def home(request: Request) -> Answer:
    """``GET /``: the waiting devices, and what the last approval did."""
    params = parse_qs(request.query)
    language = page_language(request.headers.get("Accept-Language"))
    _ = language.translations.gettext
    notice = pages.Markup("")
    if "approved" in params:
        # TRANSLATORS: {code} is the PIN code that was just approved
        notice = pages.flash("ok", _("Approved {code}.").format(code=params["approved"][0]))
    elif "missing" in params:
        notice = pages.flash("error", _("That PIN is no longer waiting (approved or expired)."))
    model = request.model
    home_profiles = model.settings.home.profiles if model.settings.home else ()
    return pages.home_page(
        model.pending(),
        model.now(),
        model.username,
        base=request.base,
        language=language,
        flash=notice,
        profiles=home_profiles,
    )


def approve_form(request: Request) -> Answer:
    """``POST /approve id=...``: the home page's Approve button."""
    raw_id = request.form().get("id", [""])[0].strip()
    try:
        if not (raw_id.isascii() and raw_id.isdigit()):
            raise KeyError(raw_id)
        pin = request.model.approve(int(raw_id))
        location = f"{request.base}/?approved={quote(pin.code, safe='')}"
    except KeyError:
        location = f"{request.base}/?missing=1"
    # 303: the browser follows with a GET, so a reload does not approve twice.
    return Answer(303, headers={"Location": location})


def link(request: Request) -> Answer:
    """``GET /link``: the stand-in for plex.tv/link (``?code=`` fills the field in)."""
    code = parse_qs(request.query).get("code", [""])[0]
    language = page_language(request.headers.get("Accept-Language"))
    return pages.link_page(code, request.model.username, base=request.base, language=language)


def link_form(request: Request) -> Answer:
    """``POST /link code=...``: like plex.tv/link, only short codes can be typed in."""
    code = request.form().get("code", [""])[0].strip()
    model = request.model
    language = page_language(request.headers.get("Accept-Language"))
    _ = language.translations.gettext
    try:
        if not code:
            raise KeyError(code)
        pin = model.approve(code=code, allow_strong=False)
    except KeyError:
        error = _("Code not found or expired.")
        return pages.link_page(
            code, model.username, base=request.base, language=language, error=error
        )
    return pages.linked_page(pin.product, model.username, base=request.base, language=language)


def auth(request: Request) -> Answer:
    """``GET /auth``: the stand-in for app.plex.tv/auth (its script reads the fragment)."""
    language = page_language(request.headers.get("Accept-Language"))
    return pages.auth_page(request.model.username, base=request.base, language=language)


def favicon(request: Request) -> Answer:
    """No icon, and no 404 in the browser's console either."""
    return Answer(204)


# --- the table ------------------------------------------------------------------------------

_READ: Final = frozenset({"GET", "HEAD"})
_POST: Final = frozenset({"POST"})
_ANY: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def _route(
    kind: Kind,
    methods: frozenset[str],
    pattern: str,
    handler: Handler,
    endpoint: Endpoint = "other",
) -> Route:
    return Route(kind, methods, re.compile(pattern), handler, endpoint)


ROUTES: Final[tuple[Route, ...]] = (
    # plex.tv's API (faults apply, requests are logged)
    _route("api", _POST, r"/api/v2/pins", create_pin, "create"),
    _route("api", frozenset({"GET"}), r"/api/v2/pins/qr/(?P<code>[^/]*)", pin_qr),
    _route("api", _READ, r"/api/v2/pins/(?P<pin>[^/]+)", poll_pin, "poll"),
    _route("api", _READ, r"/api/v2/user", get_user, "user"),
    _route("api", _READ, r"/api/v2/home/users", list_home_users, "home_users"),
    _route("api", _POST, r"/api/v2/home/users/(?P<uuid>[^/]+)/switch", switch_profile, "switch"),
    _route("api", _READ, r"/api/v2/auth/nonce", auth_nonce, "nonce"),
    _route("api", _READ, r"/api/v2/auth/keys", auth_keys, "auth_keys"),
    _route("api", _POST, r"/api/v2/auth/token", auth_token, "auth_token"),
    _route("api", _POST, r"/api/v2/auth/jwk", auth_jwk, "auth_jwk"),
    # the controls (tests and the approval page's script)
    _route("control", _READ, r"/_sim/state", control_state),
    _route("control", _POST, r"/_sim/approve", control_approve),
    _route("control", _POST, r"/_sim/expire", control_expire),
    _route("control", _POST, r"/_sim/revoke", control_revoke),
    _route("control", _POST, r"/_sim/revoke_key", control_revoke_key),
    _route("control", _POST, r"/_sim/advance", control_advance),
    _route("control", _POST, r"/_sim/fault", control_fault),
    _route("control", _POST, r"/_sim/clear", control_clear),
    # the pages a person clicks
    _route("page", _READ, r"/", home),
    _route("page", _POST, r"/approve", approve_form),
    _route("page", _READ, r"/link", link),
    _route("page", _POST, r"/link", link_form),
    _route("page", _READ, r"/auth", auth),
    _route("page", _ANY, r"/favicon\.ico", favicon),
)

# When nothing above matches: an unknown control, or plex.tv's 404 (logged like the API).
_FALLBACKS: Final = (
    _route("control", _ANY, r"/_sim/.*", control_not_found),
    _route("api", _ANY, r".*", api_not_found),
)


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]] | frozenset[str]:
    """The route for ``method`` and ``path`` with its parameters.

    A page or control path that exists for other methods gives those methods (answer 405);
    any other unknown request is plex.tv's 404, an API request like the rest.
    """
    allowed: set[str] = set()
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None:
            continue
        if method in route.methods:
            return route, match.groupdict()
        if route.kind != "api":
            allowed |= route.methods
    if allowed:
        return frozenset(allowed)
    return next(route for route in _FALLBACKS if route.pattern.fullmatch(path)), {}
