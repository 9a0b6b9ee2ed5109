"""Choosing the language as gettext does, and speaking it: plexlogin.i18n."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from plexlogin import i18n


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.activate(i18n.ENGLISH)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANGUAGE": "fr:de", "LC_ALL": "it_IT.UTF-8", "LANG": "es_ES.UTF-8"}, "fr"),
        ({"LC_ALL": "it_IT.UTF-8", "LC_MESSAGES": "nl_NL", "LANG": "es_ES.UTF-8"}, "it"),
        ({"LC_MESSAGES": "nl_NL.UTF-8", "LANG": "es_ES.UTF-8"}, "nl"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.ISO-8859-1@euro"}, "de"),
        ({"LANG": "pt_BR.UTF-8"}, "pt_BR"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "ar_EG.UTF-8"}, "ar"),
        ({"LANGUAGE": "xx:de"}, "de"),  # the first language that has a catalog wins
        ({"LANGUAGE": "en:de"}, "en"),  # English is a choice, not a fallback only
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_gettexts_variables(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.choose(None, environ).code == expected
    assert i18n.current().code == expected


def test_lang_option_overrides_the_environment() -> None:
    assert i18n.choose("ja", {"LANGUAGE": "de", "LANG": "fr_FR.UTF-8"}).code == "ja"
    assert i18n.choose("pt-BR", {}).code == "pt_BR"


def test_portuguese_from_portugal_gets_the_brazilian_catalog_not_english() -> None:
    assert i18n.choose(None, {"LANG": "pt_PT.UTF-8"}).code == "pt_BR"
    assert i18n.choose("pt", {}).code == "pt_BR"


def test_an_unknown_language_falls_back_to_english_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    language = i18n.choose("xx", {"LANG": "de_DE.UTF-8"})
    assert language is i18n.ENGLISH
    assert i18n._("Sign-in cancelled.") == "Sign-in cancelled."
    # one line for -v, at a level the default logging never prints
    assert [record.levelname for record in caplog.records] in ([], ["INFO"])


def test_every_shipped_language_has_a_compiled_catalog() -> None:
    for code in i18n.TRANSLATED:
        assert (i18n.locale_dir() / code / "LC_MESSAGES" / "plexlogin.mo").is_file(), code
        assert i18n.load(code).code == code


def test_speaking_german_translates_what_is_shown() -> None:
    from plexlogin.errors import Cancelled

    i18n.choose("de", {})
    assert str(Cancelled()) == "Anmeldung abgebrochen."
    i18n.activate(i18n.ENGLISH)
    assert str(Cancelled()) == "Sign-in cancelled."


def test_arabic_is_the_one_written_right_to_left() -> None:
    assert [code for code in i18n.TRANSLATED if i18n.load(code).right_to_left] == ["ar"]
    assert i18n.load("pt_BR").tag == "pt-BR"


def test_times_and_numbers_follow_the_language() -> None:
    moment = datetime(2026, 12, 1, 14, 5, tzinfo=timezone.utc)
    assert i18n.format_clock(moment, i18n.load("de")) == "14:05"
    english = i18n.format_clock(moment, i18n.ENGLISH)  # CLDR's space before PM varies
    assert english.startswith("2:05") and english.endswith("PM")
    assert i18n.format_number(1234.5, i18n.load("de")) == "1.234,5"
    assert i18n.format_number(1234.5, i18n.ENGLISH) == "1,234.5"


def test_small_whole_numbers_need_no_locale_data_yet_match_it() -> None:
    from babel.numbers import format_decimal

    for code in (i18n.SOURCE_LANGUAGE, *i18n.TRANSLATED):
        language = i18n.load(code)
        for value in (0, 7, 59, 999):
            assert i18n.format_number(value, language) == format_decimal(value, locale=code)
