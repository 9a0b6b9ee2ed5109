"""The person's language: one gettext catalog for every front-end.

The window, the terminal mode, error sentences and the simulator's approval pages all read
their words from the ``plexlogin`` gettext domain (``plexlogin/locale/<lang>/LC_MESSAGES``).
The terminal never imports Qt, so the catalog is not Qt's: it is the standard library's
``gettext`` reading ``.mo`` files that the build compiles from the ``.po`` sources with Babel
(docs/translating.md). The window adds Qt's own ``qtbase_<lang>.qm`` for Qt's standard texts.

The language is chosen once, at start-up, as gettext does it: ``--lang``, else the first of
``LANGUAGE`` (a colon-separated list), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set;
``de_DE.UTF-8`` means ``de``, ``pt_BR`` is tried before ``pt``. Nothing here calls
``locale.setlocale``: the person's locale need not be generated on the system.

Code marks a sentence with :func:`_` (or :func:`ngettext` when it counts something) where it
is used; a sentence defined at import time is marked with :func:`N_` and translated where it
is shown. Placeholders are named (``{name}``), so a translation can move them.
"""

from __future__ import annotations

import gettext as _gettext
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

DOMAIN = "plexlogin"
#: the language the source is written in; it needs no catalog
SOURCE_LANGUAGE = "en"
#: the languages plexlogin ships a catalog for, besides English
TRANSLATED = ("de", "fr", "es", "it", "nl", "pt_BR", "ja", "ar")
#: languages written right to left: the window mirrors its layout for them
RIGHT_TO_LEFT = frozenset({"ar"})
#: the environment variables gettext reads, first match wins
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def locale_dir() -> Path:
    """Where the compiled catalogs are: next to this module, installed or frozen alike."""
    return Path(__file__).resolve().parent / "locale"


@dataclass(frozen=True)
class Language:
    """The language chosen for this run."""

    #: a catalog's name (``de``, ``pt_BR``) or ``en``
    code: str
    translations: _gettext.NullTranslations

    @property
    def right_to_left(self) -> bool:
        """Whether it is written right to left (Arabic)."""
        return self.code in RIGHT_TO_LEFT

    @property
    def tag(self) -> str:
        """The BCP 47 tag (``pt-BR``) for HTML ``lang`` attributes and locale data."""
        return self.code.replace("_", "-")


ENGLISH = Language(SOURCE_LANGUAGE, _gettext.NullTranslations())
_current = ENGLISH


def requested(option: str | None, environ: Mapping[str, str] | None = None) -> list[str]:
    """The languages asked for, most wanted first: ``--lang``, else gettext's variables."""
    if option:
        return [option]
    environ = os.environ if environ is None else environ
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return [part for part in value.split(":") if part]
    return []


def lang_argument(argv: Sequence[str]) -> str | None:
    """``--lang``'s value in a command line, read before argparse builds its help text
    (which is in that language) or when a Ctrl-C comes before there is a parser."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def candidates(name: str) -> list[str]:
    """``de_DE.UTF-8@euro`` → ``de_DE``, ``de``: the catalog names to try, in order."""
    bare = name.split(".")[0].split("@")[0].replace("-", "_")
    language, _sep, territory = bare.partition("_")
    language = language.lower()
    if not language:
        return []
    found = [f"{language}_{territory.upper()}"] if territory else []
    return [*found, language]


def match(wanted: Iterable[str], available: Iterable[str] = TRANSLATED) -> str | None:
    """The first catalog that serves one of ``wanted``; English is a catalog of its own.

    A request for a language that ships only in one region's form (``pt`` or ``pt_PT``
    against ``pt_BR``) gets that form: closer to the person than English is.
    """
    shipped = [SOURCE_LANGUAGE, *available]
    for name in wanted:
        tried = candidates(name)  # the regional form first, the bare language last
        for candidate in tried:
            if candidate in shipped:
                return candidate
        regional = [code for code in shipped if tried and code.partition("_")[0] == tried[-1]]
        if regional:
            return regional[0]
    return None


def load(code: str) -> Language:
    """The catalog for ``code`` (one of :data:`TRANSLATED`, or English)."""
    if code == SOURCE_LANGUAGE:
        return ENGLISH
    try:
        translations = _gettext.translation(DOMAIN, locale_dir(), languages=[code])
    except OSError:
        log.info("no compiled catalog for %s under %s; speaking English", code, locale_dir())
        return ENGLISH
    return Language(code, translations)


def choose(option: str | None = None, environ: Mapping[str, str] | None = None) -> Language:
    """Pick the run's language and make it current; unknown ones fall back to English."""
    wanted = requested(option, environ)
    code = match(wanted)
    if code is None:
        if wanted:
            log.info("no catalog for %s; speaking English", ", ".join(wanted))
        code = SOURCE_LANGUAGE
    return activate(load(code))


def activate(language: Language) -> Language:
    """Make ``language`` the one :func:`_` and :func:`ngettext` speak."""
    global _current
    _current = language
    return language


def current() -> Language:
    """The language in use."""
    return _current


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted sentence that suits ``count`` under the language's plural rules.

    Format the result with a named ``{count}``: ``ngettext("{count} second", ...).format(...)``.
    """
    return _current.translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart from its namesakes by ``context``."""
    return _current.translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (it is translated when shown)."""
    return message


def format_number(value: float, language: Language | None = None) -> str:
    """``value`` written as the language writes numbers (digits, decimal sign).

    A whole number under 1000 is its plain digits in every language plexlogin speaks
    (Babel writes Latin digits unless asked otherwise, and there is nothing to group), so
    the countdown's seconds need no locale data: loading Babel's would cost the window's
    first paint 40-70 ms. A test holds this against Babel for every shipped language.
    """
    if type(value) is int and 0 <= value < 1000:
        return str(value)
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=(language or _current).code))


def format_clock(moment: datetime, language: Language | None = None) -> str:
    """A time of day as the language writes it (``14:05``, ``2:05 PM``, ``2:05 م``)."""
    from babel.dates import format_time

    return str(format_time(moment, format="short", locale=(language or _current).code))
