"""The message catalogs against the source: complete, current, and safe to format.

Each sentence the source marks (``_``, ``ngettext``, ``pgettext``, ``N_``) must be in the
template and in every language's catalog, translated, with the same named placeholders; a
sentence the source no longer uses must not linger. The compiled catalogs the package loads
must be the ones their sources compile to (``python packaging/catalogs.py`` after an edit).
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from plexlogin import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "plexlogin" / "locale"

MessageId = tuple[str | None, str]  # (context, msgid)


def _key(message: Message) -> MessageId:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid)


def _source_ids() -> set[MessageId]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT / "plexlogin"), keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    return found


def _read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=path.parent.parent.name if path.suffix == ".po" else None)


def _ids(catalog: Catalog) -> set[MessageId]:
    return {_key(message) for message in catalog if message.id}


def _po(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / "plexlogin.po"


SOURCE_IDS = _source_ids()


def test_the_source_marks_sentences_for_translation() -> None:
    # a floor, so an extraction that silently finds nothing cannot pass the tests below
    assert len(SOURCE_IDS) > 100


def test_the_template_is_extracted_from_the_current_source() -> None:
    template = _ids(_read(LOCALE / "plexlogin.pot"))
    assert sorted(SOURCE_IDS - template, key=str) == [], "run: python packaging/catalogs.py update"
    assert sorted(template - SOURCE_IDS, key=str) == [], "run: python packaging/catalogs.py update"


def test_every_catalog_on_disk_is_a_shipped_language() -> None:
    on_disk = sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/*.po"))
    assert on_disk == sorted(i18n.TRANSLATED)


#: argparse's words (cli.ARGPARSE_WORDS) are %-formatted by argparse itself
_PERCENT = re.compile(r"%(?:\((\w+)\))?[sr]")


def _placeholders(text: str) -> set[str]:
    """The named ``{name}`` placeholders, or for a %-formatted sentence its ``%(name)s``."""
    if _PERCENT.search(text):
        return {f"%{name or index}" for index, name in enumerate(_PERCENT.findall(text))}
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def _translations(message: Message) -> Iterable[str]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _problems(message: Message) -> list[str]:
    """What is wrong with one translated entry: missing, fuzzy, placeholders, markup."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    wanted = set().union(*(_placeholders(text) for text in ids))
    problems = []
    if message.fuzzy:
        problems.append("fuzzy (a guess, not yet checked by a translator)")
    for form in _translations(message):
        if not form:
            problems.append("not translated")
            continue
        used = _placeholders(form)
        # a language with one plural form may leave {count} out ("数秒"), never add a name
        if used - wanted or (len(ids) == 1 and used != wanted):
            problems.append(f"placeholders {sorted(used)} instead of {sorted(wanted)}")
        if "<" in form and not any("<" in text for text in ids):
            problems.append("markup the English does not have")
    return problems


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_each_catalog_translates_exactly_what_the_source_uses(code: str) -> None:
    catalog = _read(_po(code))
    ids = _ids(catalog)
    assert sorted(SOURCE_IDS - ids, key=str) == [], "missing: python packaging/catalogs.py update"
    assert sorted(ids - SOURCE_IDS, key=str) == [], "stale: python packaging/catalogs.py update"
    problems = {
        _key(message)[1]: found
        for message in catalog
        if message.id and (found := _problems(message))
    }
    assert problems == {}


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_every_translation_formats_with_its_placeholders(code: str) -> None:
    for message in _read(_po(code)):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if any(_PERCENT.search(text) for text in ids):
            names = {name for text in ids for name in _PERCENT.findall(text)}
            values = {name: "x" for name in names} if names - {""} else ("x",) * len(names)
            for form in _translations(message):
                assert form % values  # a stray % or a renamed %(name)s raises here
            continue
        values = {name: "x" for text in ids for name in _placeholders(text)}
        for form in _translations(message):
            form.format(**values)  # an unbalanced brace or a stray name raises here


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_the_plural_rules_are_the_languages_own(code: str) -> None:
    catalog = _read(_po(code))
    expected = Catalog(locale=code).plural_forms
    assert re.sub(r"\s+", "", catalog.plural_forms) == re.sub(r"\s+", "", expected)


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_the_compiled_catalog_is_the_one_its_source_compiles_to(code: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _read(_po(code)), use_fuzzy=False)
    on_disk = _po(code).with_suffix(".mo").read_bytes()
    assert on_disk == compiled.getvalue(), "run: python packaging/catalogs.py"
