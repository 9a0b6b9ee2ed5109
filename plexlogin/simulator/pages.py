"""The web pages a person uses to play plex.tv's side: waiting devices, /link and /auth.

The HTML, CSS and JavaScript live in ``templates/`` (package data) and are filled with
:class:`string.Template`. Every value is HTML-escaped unless it is :class:`Markup`, which
only this module makes (from another rendered template), so no server text can become markup.
"""

from __future__ import annotations

import html
import math
import secrets
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from string import Template
from typing import Final

from plexlogin.simulator.answers import HTML, Answer
from plexlogin.simulator.model import Pin
from plexlogin.simulator.profiles import HomeProfile

# How often the waiting-devices page re-reads the pending PINs.
_REFRESH_SECONDS: Final = 3


class Markup(str):
    """Text that is already HTML (a rendered template): inserted as it is."""


@cache
def _template(name: str) -> Template:
    return Template(files(__package__).joinpath("templates", name).read_text("utf-8"))


def render(name: str, **values: str | int) -> Markup:
    """Fill template ``name``; every value is escaped unless it is :class:`Markup`."""
    escaped = {
        key: value if isinstance(value, Markup) else html.escape(str(value), quote=True)
        for key, value in values.items()
    }
    return Markup(_template(name).substitute(escaped))


def page(title: str, content: Markup, *, base: str, status: int = 200, script: str = "") -> Answer:
    """A whole page around ``content``, with a strict Content-Security-Policy.

    ``script`` names a JavaScript template; it runs under a one-time nonce.
    """
    nonce = secrets.token_urlsafe(12) if script else ""
    script_tag = (
        render("script.html", nonce=nonce, code=Markup(_template(script).template))
        if script
        else Markup("")
    )
    style = Markup(_template("style.css").template)
    document = render(
        "layout.html", title=title, style=style, base=base, content=content, script=script_tag
    )
    script_src = f"'nonce-{nonce}'" if nonce else "'none'"
    headers = {
        # Everything is inline and same-origin; nothing else may load or run.
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'unsafe-inline'; script-src {script_src}; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return Answer(status, document.encode(), HTML, headers)


def home_page(
    pending: list[Pin],
    now: float,
    username: str,
    *,
    base: str,
    flash: Markup,
    profiles: Sequence[HomeProfile] = (),
) -> Answer:
    """The waiting devices, each with an Approve button; refreshes by itself.

    With ``profiles`` it lists the Home's profiles, and the PINs of the protected ones
    (fake, and the page needs the run's secret): the person trying the demo must know them.
    """
    if pending:
        rows = Markup("".join(_home_row(pin, now, base) for pin in pending))
        table = render("home_table.html", rows=rows)
    else:
        table = render("home_empty.html")
    listed = render("home_profiles.html", profiles=_profiles_text(profiles)) if profiles else ""
    content = render(
        "home.html",
        username=username,
        flash=flash,
        table=table,
        base=base,
        profiles=Markup(listed),
    )
    answer = page("Plex sign-in simulator", content, base=base)
    # Re-read the pending PINs every few seconds, and drop the one-off message.
    answer.headers["Refresh"] = f"{_REFRESH_SECONDS}; url={base}/"
    return answer


def _home_row(pin: Pin, now: float, base: str) -> str:
    return render(
        "home_row.html",
        code=pin.code,
        product=pin.product or render("no_product.html"),
        kind="strong (QR / link)" if pin.strong else "short (typed)",
        left=_mm_ss(pin.seconds_left(now)),
        id=pin.id,
        base=base,
    )


def flash(kind: str, message: str) -> Markup:
    """A one-line message: ``kind`` is ``"ok"`` or ``"error"``."""
    return render(f"flash_{kind}.html", message=message)


def link_page(code: str, username: str, *, base: str, error: str | None = None) -> Answer:
    """The stand-in for plex.tv/link: type a short code."""
    message = flash("error", error) if error else Markup("")
    content = render("link.html", error=message, code=code, username=username, base=base)
    return page("Link a device", content, base=base, status=404 if error else 200)


def linked_page(product: str, username: str, *, base: str) -> Answer:
    """What /link says once a typed code signed its device in."""
    content = render("linked.html", product=product or "The app", username=username, base=base)
    return page("Device linked", content, base=base)


def auth_page(username: str, *, base: str) -> Answer:
    """The stand-in for app.plex.tv/auth: one Approve button for the PIN in the fragment."""
    content = render("auth.html", username=username, base=base)
    return page("Sign in with Plex", content, base=base, script="auth.js")


def _profiles_text(profiles: Sequence[HomeProfile]) -> str:
    described = []
    for profile in profiles:
        notes = ["admin"] if profile.admin else []
        notes += ["managed"] if profile.managed else []
        notes += [f"PIN {profile.pin}"] if profile.pin is not None else []
        described.append(f"{profile.title} ({', '.join(notes)})" if notes else profile.title)
    return ", ".join(described)


def _mm_ss(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
