"""Babel's locale data without the tables plexlogin never shows, for the frozen app.

Babel keeps CLDR's data per locale (``babel/locale-data/<locale>.dat``) plus shared
``global.dat``, as pickled dicts. plexlogin writes numbers, times, lists and plural forms
in the person's language; the names of every currency, territory, script and unit in
that language, and the world's time-zone and currency tables, are most of each file and
never shown. The spec swaps the kept files (bundle_filter.babel_locales) for copies
without those tables, pickled with the newest protocol (Babel reads any): about 2.4 MB
become 0.9 MB. Language and territory names stay (a language menu may show
"português (Brasil)").

Imports nothing from PyInstaller; unpickling needs Babel itself (the build has it).
"""

from __future__ import annotations

import pickle
from pathlib import Path

#: per-locale tables of names of things plexlogin never names, and formats it never uses
DROPPED_LOCALE_KEYS = frozenset(
    {
        "scripts",
        "variants",
        "currency_names",
        "currency_names_plural",
        "currency_symbols",
        "currency_formats",
        "currency_unit_patterns",
        "compact_currency_formats",
        "unit_display_names",
        "measurement_systems",
        "time_zones",
        "meta_zones",
    }
)
#: world tables in global.dat for currencies, time-zone mapping and territory languages;
#: what Locale.parse and the locale inheritance read (likely subtags, aliases,
#: parent exceptions) stays
DROPPED_GLOBAL_KEYS = frozenset(
    {
        "all_currencies",
        "currency_fractions",
        "territory_currencies",
        "territory_languages",
        "territory_zones",
        "zone_territories",
        "windows_zone_mapping",
        "meta_zones",
    }
)


def trim_file(source: Path, target: Path) -> tuple[int, int]:
    """Write ``source`` without its dropped tables to ``target``; (old size, new size)."""
    dropped = DROPPED_GLOBAL_KEYS if source.name == "global.dat" else DROPPED_LOCALE_KEYS
    with source.open("rb") as file:
        data = pickle.load(file)  # Babel's own data file, as Babel itself loads it
    kept = {key: value for key, value in data.items() if key not in dropped}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
    return source.stat().st_size, target.stat().st_size
