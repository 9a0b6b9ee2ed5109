"""Who may use the controls and the approval pages: the person who started this run.

The simulator is a web server on the person's own machine, and its pages approve
sign-ins. Any web page open in their browser could send it requests, and so could
another user of the machine. So the controls (``/_sim/*``) and the pages answer only
when the request

- carries the run's random secret in its path (``/s/<secret>/...``; the approval URL
  the person is shown has it, and nobody else can learn it),
- names the simulator itself as its ``Host`` (a DNS-rebinding page names its own),
- comes from no other ``Origin`` than the simulator's own, and
- for a JSON control, says ``Content-Type: application/json`` (a cross-site ``fetch``
  cannot send that without a CORS preflight, which the simulator never grants).

plex.tv's API itself stays open, like plex.tv's.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from typing import Final

from plexlogin.simulator.answers import Answer, json_answer
from plexlogin.simulator.request import Request
from plexlogin.simulator.routes import Route

SECRET_PREFIX: Final = "/s/"
"""Paths below ``/s/<secret>`` carry the run's secret."""


def split_secret(path: str, secret: str) -> tuple[str, bool] | None:
    """``path`` without its secret prefix and whether it had one; None for a wrong secret."""
    if not path.startswith(SECRET_PREFIX):
        return path, False
    given, _, rest = path[len(SECRET_PREFIX) :].partition("/")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return None
    return "/" + rest.rstrip("/") if rest.strip("/") else "/", True


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` values that name this server: its address, and ``localhost`` on loopback."""
    hosts = {f"{host}:{port}"}
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        hosts.add(f"localhost:{port}")
    return frozenset(hosts)


def refusal(route: Route, request: Request, hosts: Iterable[str]) -> Answer | None:
    """Why ``request`` may not use ``route`` (a 403 or 415 answer), or None when it may."""
    if route.kind == "api":
        return None
    if not request.trusted:
        return json_answer(
            403,
            {
                "error": "this needs the simulator's secret: open the approval URL it "
                "printed, or use Simulator.control_url"
            },
        )
    host = str(request.headers.get("Host", "")).strip().lower()
    if host not in hosts:
        return json_answer(403, {"error": f"Host {host!r} is not this simulator"})
    origin = request.headers.get("Origin")
    if origin is not None and str(origin).strip().lower() not in {f"http://{h}" for h in hosts}:
        return json_answer(403, {"error": f"requests from {origin!r} are not allowed"})
    if route.kind == "control" and request.method == "POST" and not _is_json(request):
        return json_answer(415, {"error": "control requests must be application/json"})
    return None


def _is_json(request: Request) -> bool:
    media_type = str(request.headers.get("Content-Type", "")).split(";", 1)[0]
    return media_type.strip().lower() == "application/json"
