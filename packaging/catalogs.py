"""Compile the message catalogs (.po → .mo) whenever the package is built.

setuptools runs :class:`BuildPyWithCatalogs` in place of ``build_py`` (pyproject.toml's
``[tool.setuptools.cmdclass]``), for a wheel, an sdist's build and an editable install alike,
so the compiled catalogs are never edited by hand nor committed: they are written next to
their sources under ``plexlogin/locale/<lang>/LC_MESSAGES/`` before the package's files are
collected, and ship as package data. Babel does the compiling (a build requirement).

Also a script, the commands docs/translating.md gives:

- ``python packaging/catalogs.py update``: extract every marked sentence from the source into
  ``plexlogin/locale/plexlogin.pot``, merge it into each language's ``.po`` (new sentences
  empty, changed ones fuzzy), and compile;
- ``python packaging/catalogs.py init LANG``: start a catalog for a new language;
- ``python packaging/catalogs.py``: compile only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "plexlogin" / "locale"
TEMPLATE = LOCALE_DIR / "plexlogin.pot"
DOMAIN = "plexlogin"
#: how sentences are marked in the source (plexlogin.i18n): _, ngettext, pgettext are
#: Babel's defaults; N_ marks one that is translated later, where it is shown
EXTRACT_OPTIONS = [
    "--keywords=N_",
    "--add-comments=TRANSLATORS:",
    "--add-location=file",
    "--sort-by-file",
    "--project=plexlogin",
    "--copyright-holder=plexlogin developers",
]


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write every ``<lang>/LC_MESSAGES/plexlogin.mo`` from its ``.po``; returns them.

    A fuzzy entry (a guess by ``pybabel update``) is left out, as gettext's own tools do:
    the English shows until a translator confirms it.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for source in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with source.open("rb") as po:
            catalog = read_po(po, locale=source.parent.parent.name)
        target = source.with_suffix(".mo")
        with target.open("wb") as mo:
            write_mo(mo, catalog, use_fuzzy=False)
        written.append(target)
    return written


class BuildPyWithCatalogs(build_py):  # type: ignore[misc]  # setuptools ships no types
    """``build_py`` that compiles the catalogs first, so package data picks them up."""

    def run(self) -> None:
        compile_catalogs()
        super().run()


def pybabel(*args: str) -> None:
    """Run one of Babel's ``pybabel`` commands in this process."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "--quiet", *args])  # type: ignore[no-untyped-call]


def update() -> None:
    """Re-extract the template from the source and merge it into every catalog."""
    # relative to the project, so the template names files as plexlogin/cli.py wherever it is
    started_in = Path.cwd()
    os.chdir(ROOT)
    try:
        pybabel("extract", *EXTRACT_OPTIONS, f"--output-file={TEMPLATE}", "plexlogin")
    finally:
        os.chdir(started_in)
    pybabel(
        "update",
        f"--domain={DOMAIN}",
        f"--input-file={TEMPLATE}",
        f"--output-dir={LOCALE_DIR}",
        "--ignore-obsolete",
    )


def main(argv: list[str]) -> int:
    """``update``, ``init LANG`` or nothing (compile); then compile."""
    if argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["init"] and len(argv) == 2:
        pybabel(
            "init",
            f"--domain={DOMAIN}",
            f"--input-file={TEMPLATE}",
            f"--output-dir={LOCALE_DIR}",
            f"--locale={argv[1]}",
        )
    elif argv:
        print("usage: python packaging/catalogs.py [update | init LANG]", file=sys.stderr)
        return 2
    for path in compile_catalogs():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
