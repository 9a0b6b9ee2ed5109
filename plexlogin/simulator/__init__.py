"""A local stand-in for plex.tv's PIN sign-in API, for tests and ``plexlogin --demo``.

plex.tv is never reachable from the tests or the offline demo, so this package answers
the three calls plexlogin makes (create a PIN, poll it, check a token) the way Plex
documents them, plus what a person needs to play the other side: a small web page that
approves a PIN (``/``), a stand-in for ``plex.tv/link`` (``/link``) and one for
``app.plex.tv/auth`` (``/auth``).

Plex Home (``Simulator(home=DEMO_HOME)``, ``python -m plexlogin.simulator --home``): the
approving account is then the admin of a Home with profiles, and the simulator answers
``GET /api/v2/home/users`` and ``POST /api/v2/home/users/{uuid}/switch[?pin=…]`` like
plex.tv (``home.py`` has the details). The demo Home has Alex (``alex``, the admin), Sam
(``sam``), Mia (managed, ``little_kid``, protected with the demo PIN **1234**) and Jules
(managed, ``teen``, unprotected). Without a Home the account is alone: the list holds it
as its one user (or 404 with ``non_home_answer="not_found"``). A profile PIN is never
written to the request log or ``/_sim/state``.

JWT device authentication (``devices.py`` and ``jwt_routes.py`` have the details): a PIN
created with ``{"jwk": …}`` must be polled with ``?deviceJWT=``, checked for real (signature,
``iss``, ``aud``, a nonce from ``GET /api/v2/auth/nonce`` younger than five minutes), and
its ``authToken`` is a Plex JWT signed with the simulator's own key
(``GET /api/v2/auth/keys``), ``Simulator(jwt_lifetime=…)`` seconds long (default seven
days). ``POST /api/v2/auth/token`` renews one, ``POST /api/v2/auth/jwk`` registers a key
with a legacy token; an expired Plex JWT gets 498 everywhere, a revoked key
(:meth:`Simulator.revoke_device_key`) 422 on renewal. :meth:`Simulator.advance_clock`
ages everything without a wait. clients.plex.tv's paths live under the same base URL.

Tests steer it in-process (:meth:`Simulator.approve`, :meth:`Simulator.add_fault`, ...)
or, when they drive plexlogin as a subprocess, over HTTP with JSON bodies
(``Content-Type: application/json``) below :attr:`Simulator.control_url`, which carries
the run's random secret (``guard.py`` says why; ``python -m plexlogin.simulator`` prints
that URL, and a person approves at :attr:`Simulator.approval_url`):

- ``POST /_sim/approve {"id"?, "code"?, "username"?}`` -> ``{"token", "id"}`` (404: none pending)
- ``POST /_sim/expire {"id"?}``, ``POST /_sim/revoke {"token"}``, ``POST /_sim/clear``
- ``POST /_sim/revoke_key {"kid"}`` (404: no such key), ``POST /_sim/advance {"seconds"}``
- ``POST /_sim/fault {"endpoint", "status"?, "retry_after"?, "delay"?, "drop"?, "body"?,
  "content_type"?, "headers"?, "body_size"?, "times"?}`` (same meaning as
  :meth:`Simulator.add_fault`)
- ``GET /_sim/state`` -> ``{"pins": [...], "requests": [...]}``

Run it by hand with ``python -m plexlogin.simulator --help``.

Every token it issues starts with ``SIMULATED-``, and every Plex JWT is signed by a key
whose id does: it never sees or makes a real one. The legacy flow needs the standard
library only; PyJWT and ``cryptography`` (plexlogin's dependencies) load only once a JWT
is involved.

The parts, one job each:

- ``model.py``: the state (PINs, users, tokens, faults, request log, server clock) behind
  public, thread-safe methods.
- ``profiles.py``: a Plex Home as a test describes it (:class:`HomeProfile`, :class:`Home`,
  the demo's :data:`DEMO_HOME`); ``home.py``: its endpoints and answer shapes.
- ``accounts.py``: users, Home members, what a token grants, refusals (401/422/498).
- ``devices.py``: nonces, device keys, Plex JWTs; ``jwt_routes.py``: their endpoints.
- ``request.py``: one parsed request, as every handler sees it.
- ``answers.py``: plex.tv's answer shapes (PIN and user objects, errors, XML).
- ``routes.py``: the route table, method + path pattern -> handler. **A new endpoint is one
  handler and one line in** ``ROUTES``; ``"api"`` routes get faults and the request log by
  themselves (give one its own ``endpoint`` name in ``model.Endpoint`` for faults aimed at
  it alone, as ``"home_users"`` and ``"switch"`` have).
- ``pages.py`` and ``templates/``: the approval pages (string.Template, every value escaped).
- ``guard.py``: who may use the controls and pages (the run's secret, Host, Origin, JSON).
- ``server.py``: :class:`Simulator` (lifecycle, Python API) and the HTTP handler.
- ``command.py`` / ``__main__.py``: the command line.
"""

from plexlogin.simulator.accounts import TOKEN_PREFIX
from plexlogin.simulator.command import main
from plexlogin.simulator.model import RequestRecord, SimPin
from plexlogin.simulator.profiles import DEMO_HOME, DEMO_PROFILE_PIN, Home, HomeProfile
from plexlogin.simulator.server import Simulator

__all__ = [
    "DEMO_HOME",
    "DEMO_PROFILE_PIN",
    "TOKEN_PREFIX",
    "Home",
    "HomeProfile",
    "RequestRecord",
    "SimPin",
    "Simulator",
    "main",
]
