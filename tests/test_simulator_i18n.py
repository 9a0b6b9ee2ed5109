"""The simulator's approval pages speak the browser's language, over real loopback HTTP."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
import requests

from plexlogin import i18n
from plexlogin.simulator import DEMO_HOME, Simulator
from plexlogin.simulator.language import accepted, page_language

HEADERS = {
    "X-Plex-Client-Identifier": "i18n-test-client",
    "X-Plex-Product": "APP-X",
    "Accept": "application/json",
}
# words that are data, not sentences: the demo Home's profiles, its admin's username, and
# the "and" of a German list (Babel's locale data writes it, not the catalog)
DATA_WORDS = ("Alex", "Mia", "Jules", "Sam", "alex", "und")


class Shouting(gettext.NullTranslations):
    """A catalog that 'translates' every sentence into capitals, placeholders untouched."""

    @staticmethod
    def _shout(message: str) -> str:
        return re.sub(
            r"\{[^}]*\}|[^{]+", lambda m: m[0] if m[0][0] == "{" else m[0].upper(), message
        )

    def gettext(self, message: str) -> str:
        return self._shout(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._shout(msgid1 if n == 1 else msgid2)


class VisibleText(HTMLParser):
    """What a person reads: text outside script and style, and attributes that are read
    out or shown (title, aria-label, the script's sentences in data-*)."""

    SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            shown = name in self.SHOWN_ATTRIBUTES or (
                name.startswith("data-") and name != "data-base"
            )
            if shown and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return " ".join(parser.parts)


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.activate(i18n.ENGLISH)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def create_pin(http: requests.Session, sim: Simulator, *, strong: bool = False) -> str:
    response = http.post(
        f"{sim.url}/api/v2/pins", params={"strong": "true"} if strong else None, headers=HEADERS
    )
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


# --- which language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("de", ["de"]),
        ("fr;q=0.5, de-CH;q=0.9, ja", ["ja", "de-CH", "fr"]),
        ("en-US,en;q=0.9,ar;q=0.8", ["en-US", "en", "ar"]),
        ("nl, *;q=0.1, sv;q=0", ["nl"]),  # q=0 means "not this one", * says nothing
        ("it;q=high, es", ["es"]),  # a malformed q is left out, not guessed
        ("", []),
        (None, []),
    ],
)
def test_accept_language_is_read_by_its_q_values(header: str | None, tags: list[str]) -> None:
    assert accepted(header) == tags


def test_the_browsers_language_wins_and_the_apps_is_the_fallback() -> None:
    i18n.activate(i18n.load("fr"))
    assert page_language("sv, de;q=0.5").code == "de"
    assert page_language("pt-PT").code == "pt_BR"  # closer than English
    assert page_language("en-GB, de;q=0.5").code == "en"
    assert page_language("sv").code == "fr"  # nothing the browser reads: the app's language
    assert page_language(None).code == "fr"
    assert i18n.current().code == "fr"  # a page never changes the app's language


# --- the pages --------------------------------------------------------------------------


def test_accept_language_de_gives_a_german_page(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    sim = make_sim()
    for url in (sim.approval_url, f"{sim.control_url}/link", f"{sim.control_url}/auth"):
        answer = http.get(url, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        assert answer.status_code == 200
        assert '<html lang="de" dir="ltr">' in answer.text, url
        assert answer.headers["Content-Language"] == "de"
        assert "Accept-Language" in answer.headers["Vary"]
    english = http.get(sim.approval_url, headers={"Accept-Language": "sv, en;q=0.1"})
    assert '<html lang="en" dir="ltr">' in english.text


def test_the_apps_language_serves_a_browser_that_asks_for_none_plexlogin_speaks(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    i18n.activate(i18n.load("ja"))
    sim = make_sim()
    page = http.get(sim.approval_url, headers={"Accept-Language": "sv"}).text
    assert '<html lang="ja" dir="ltr">' in page


def test_arabic_pages_are_right_to_left_with_codes_left_to_right(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    sim = make_sim()
    code = create_pin(http, sim)
    arabic = {"Accept-Language": "ar"}
    home = http.get(sim.approval_url, headers=arabic).text
    assert '<html lang="ar" dir="rtl">' in home
    assert f"<code dir=ltr>{code}</code>" in home
    link = http.get(f"{sim.control_url}/link", params={"code": code}, headers=arabic).text
    assert '<html lang="ar" dir="rtl">' in link
    assert re.search(rf'<input name=code [^>]*dir=ltr [^>]*value="{code}"', link)


def test_every_sentence_on_every_page_comes_from_the_catalog(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    # a catalog that writes every sentence in capitals: any lowercase letter left on a
    # page (besides names that are data) is a sentence that bypassed gettext
    i18n.activate(i18n.Language("de", Shouting()))
    sim = make_sim(home=DEMO_HOME)
    short, strong = create_pin(http, sim), create_pin(http, sim, strong=True)
    no_product = http.post(
        f"{sim.url}/api/v2/pins", headers={**HEADERS, "X-Plex-Product": ""}
    ).json()["id"]
    pages = {
        "home": http.get(sim.approval_url),
        "approved": http.post(f"{sim.control_url}/approve", data={"id": str(no_product)}),
        "missing": http.post(f"{sim.control_url}/approve", data={"id": str(no_product)}),
        "link": http.get(f"{sim.control_url}/link"),
        "link error": http.post(f"{sim.control_url}/link", data={"code": "ZZZZ"}),
        "linked": http.post(f"{sim.control_url}/link", data={"code": short}),
        "auth": http.get(f"{sim.control_url}/auth#?code={strong}"),
    }
    for name, answer in pages.items():
        # {product} is a placeholder the auth page's script fills in, not English
        text = visible(answer.text).replace("{product}", "")
        for word in (*DATA_WORDS, short, strong):
            text = re.sub(rf"\b{word}\b", "", text)
        assert "Plex" not in text  # "Plex sign-in simulator" must be in capitals too
        assert not re.search(r"[a-z]", text), f"{name}: {text!r}"
        assert '<html lang="de" dir="ltr">' in answer.text
    # the pages were really filled: headings, the table, the flash message, the script's
    assert "PLEX SIGN-IN SIMULATOR" in visible(pages["home"].text)
    assert "TIME LEFT" in visible(pages["home"].text)
    assert "(MANAGED, PIN" in visible(pages["home"].text)
    assert "APPROVED" in visible(pages["approved"].text)
    assert "NO LONGER WAITING" in visible(pages["missing"].text)
    assert "CODE NOT FOUND" in visible(pages["link error"].text)
    assert "APP-X" in visible(pages["linked"].text)
    assert "{product} IS SIGNED IN" in visible(pages["auth"].text)


def test_a_translation_cannot_inject_markup(
    make_sim: Callable[..., Simulator], http: requests.Session
) -> None:
    class Sneaky(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return message.replace("Link", "<img src=x onerror=alert(1)>")

    i18n.activate(i18n.Language("de", Sneaky()))
    sim = make_sim()
    page = http.get(f"{sim.control_url}/link").text
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
