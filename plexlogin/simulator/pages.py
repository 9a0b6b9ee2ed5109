"""The web pages a person uses to play plex.tv's side: waiting devices, /link and /auth.

The HTML, CSS and JavaScript live in ``templates/`` (package data) and are filled with
:class:`string.Template`. Every value is HTML-escaped unless it is :class:`Markup`, which
only this module makes (from another rendered template), so no server text can become markup.

Every sentence comes from plexlogin's gettext catalog in the :class:`Language` the request
asked for (language.py): each page function binds ``_`` to that language's ``gettext``, so
the marked sentences are extracted like any other and a page never depends on the
process-wide language. Codes, times and URLs are marked left-to-right, so an Arabic page
shows them as they are typed.
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

from babel.lists import format_list

from plexlogin.i18n import Language
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


def fill(sentence: str, **parts: Markup) -> Markup:
    """A translated ``sentence`` with its ``{name}`` placeholders replaced by markup.

    The sentence is escaped first, so a translation cannot inject markup either; the
    parts are already-rendered HTML (a bold, isolated user name, say).
    """
    return Markup(html.escape(sentence, quote=True).format(**parts))


def strong(text: str) -> Markup:
    """``text`` in bold, isolated from the sentence's direction (a name in an Arabic page)."""
    return render("strong.html", text=text)


def page(
    title: str,
    content: Markup,
    *,
    base: str,
    language: Language,
    status: int = 200,
    script: str = "",
) -> Answer:
    """A whole page around ``content``, with a strict Content-Security-Policy.

    ``title`` is already translated; ``language`` sets the page's ``lang`` and ``dir``.
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
        "layout.html",
        lang=language.tag,
        dir="rtl" if language.right_to_left else "ltr",
        title=title,
        style=style,
        base=base,
        content=content,
        script=script_tag,
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
        # the page's words depend on the browser's languages: a cache must not mix them
        "Vary": "Accept-Language",
        "Content-Language": language.tag,
    }
    return Answer(status, document.encode(), HTML, headers)


def home_page(
    pending: list[Pin],
    now: float,
    username: str,
    *,
    base: str,
    language: Language,
    flash: Markup,
    profiles: Sequence[HomeProfile] = (),
) -> Answer:
    """The waiting devices, each with an Approve button; refreshes by itself.

    With ``profiles`` it lists the Home's profiles, and the PINs of the protected ones
    (fake, and the page needs the run's secret): the person trying the demo must know them.
    """
    _ = language.translations.gettext
    if pending:
        table = _home_table(pending, now, base, language)
    else:
        table = render(
            "home_empty.html",
            message=_("No device is waiting for sign-in. This page refreshes by itself."),
        )
    listed = Markup("")
    if profiles:
        # TRANSLATORS: {profiles} is a list such as "Alex (admin), Mia (managed, PIN 1234)"
        sentence = _(
            "The account is a Plex Home; after sign-in the device may switch to a profile: "
            "{profiles}."
        )
        listed = render(
            "home_profiles.html",
            message=fill(
                sentence, profiles=Markup(html.escape(_profiles_text(profiles, language)))
            ),
        )
    content = render(
        "home.html",
        heading=_("Plex sign-in simulator"),
        intro=fill(_("Approve a device to sign it in as {username}."), username=strong(username)),
        fake=_("Nothing here talks to the real plex.tv; tokens are fake."),
        type_code=_("Type a code"),
        # TRANSLATORS: a link to the simulator's state as JSON, for developers
        state=_("State (JSON)"),
        flash=flash,
        table=table,
        base=base,
        profiles=listed,
    )
    answer = page(_("Plex sign-in simulator"), content, base=base, language=language)
    # Re-read the pending PINs every few seconds, and drop the one-off message.
    answer.headers["Refresh"] = f"{_REFRESH_SECONDS}; url={base}/"
    return answer


def _home_table(pending: list[Pin], now: float, base: str, language: Language) -> Markup:
    _ = language.translations.gettext
    rows = Markup("".join(_home_row(pin, now, base, language) for pin in pending))
    return render(
        "home_table.html",
        # TRANSLATORS: column headings of the waiting devices: the PIN code, the app's
        # name, what kind of code it is, and the minutes:seconds before it expires
        code=_("Code"),
        product=_("Product"),
        kind=_("Kind"),
        left=_("Time left"),
        rows=rows,
    )


def _home_row(pin: Pin, now: float, base: str, language: Language) -> str:
    _ = language.translations.gettext
    # TRANSLATORS: shown for a device that sent no product name
    no_product = render("no_product.html", message=_("(no product)"))
    return render(
        "home_row.html",
        code=pin.code,
        product=pin.product or no_product,
        # TRANSLATORS: a long code read from the QR code or a link, or a short one to type
        kind=_("strong (QR / link)") if pin.strong else _("short (typed)"),
        left=_mm_ss(pin.seconds_left(now)),
        id=pin.id,
        base=base,
        approve=_("Approve"),
    )


def flash(kind: str, message: str) -> Markup:
    """A one-line message (already translated): ``kind`` is ``"ok"`` or ``"error"``."""
    return render(f"flash_{kind}.html", message=message)


def link_page(
    code: str, username: str, *, base: str, language: Language, error: str | None = None
) -> Answer:
    """The stand-in for plex.tv/link: type a short code (``error`` is translated)."""
    _ = language.translations.gettext
    message = flash("error", error) if error else Markup("")
    content = render(
        "link.html",
        heading=_("Link a device"),
        prompt=_("Enter the 4-character code shown on your device."),
        error=message,
        code_label=_("Code"),
        code=code,
        # TRANSLATORS: the button that sends the typed code
        link=_("Link"),
        signing_in=fill(
            _("Signing in as {username} on a simulated plex.tv. Tokens are fake."),
            username=strong(username),
        ),
        waiting=_("Waiting devices"),
        base=base,
    )
    status = 404 if error else 200
    return page(_("Link a device"), content, base=base, language=language, status=status)


def linked_page(product: str, username: str, *, base: str, language: Language) -> Answer:
    """What /link says once a typed code signed its device in."""
    _ = language.translations.gettext
    if product:
        # TRANSLATORS: {product} is the app's name, {username} the Plex account's
        linked = fill(
            _("{product} is now signed in as {username}."),
            product=strong(product),
            username=strong(username),
        )
    else:
        linked = fill(_("The app is now signed in as {username}."), username=strong(username))
    content = render(
        "linked.html",
        heading=_("Device linked"),
        linked=linked,
        close=_("You can close this page."),
        another=_("Link another device"),
        waiting=_("Waiting devices"),
        base=base,
    )
    return page(_("Device linked"), content, base=base, language=language)


def auth_page(username: str, *, base: str, language: Language) -> Answer:
    """The stand-in for app.plex.tv/auth: one Approve button for the PIN in the fragment."""
    _ = language.translations.gettext
    # TRANSLATORS: stands for the app's name until the page has read it from its link
    product = render("product_slot.html", text=_("this app"))
    content = render(
        "auth.html",
        heading=_("Sign in with Plex"),
        question=fill(
            _("Allow {product} to sign in as {username}?"),
            product=product,
            username=strong(username),
        ),
        no_code=_("This sign-in link has no code."),
        approve=_("Approve"),
        # TRANSLATORS: {product} is the app's name; keep the braces as they are
        done=_("{product} is signed in. You can close this tab."),
        done_unnamed=_("The app is signed in. You can close this tab."),
        expired=_("This sign-in request has expired or was already approved."),
        offline=_("The simulator did not answer."),
        simulated=_("A simulated app.plex.tv: tokens are fake."),
        waiting=_("Waiting devices"),
        base=base,
    )
    return page(_("Sign in with Plex"), content, base=base, language=language, script="auth.js")


def _profiles_text(profiles: Sequence[HomeProfile], language: Language) -> str:
    """The Home's profiles as the language lists things: ``Alex (admin), Mia (PIN 1234)``."""
    _ = language.translations.gettext
    described = []
    for profile in profiles:
        # TRANSLATORS: notes after a Plex Home profile's name
        notes = [_("admin")] if profile.admin else []
        notes += [_("managed")] if profile.managed else []
        if profile.pin is not None:
            # TRANSLATORS: the profile's (fake) PIN, {pin} is four digits
            notes.append(_("PIN {pin}").format(pin=profile.pin))
        if notes:
            # TRANSLATORS: separates the notes after a profile's name ("managed, PIN 1234")
            notes_text = _(", ").join(notes)
            # TRANSLATORS: a profile's name, then its notes, e.g. "Mia (managed, PIN 1234)"
            described.append(_("{name} ({notes})").format(name=profile.title, notes=notes_text))
        else:
            described.append(profile.title)
    # a list of people, as the language writes one ("A, B and C", "A、B、C")
    return str(format_list(described, locale=language.code))


def _mm_ss(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
