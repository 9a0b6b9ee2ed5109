"""What the frozen app leaves out: plain functions over PyInstaller's (dest, src, type) lists.

PyInstaller collects generously: every Qt plugin of every Qt module it sees, Qt's
translations, and every shared library those plugins link. On a build machine with
gnome-keyring installed that includes Qt's GTK 3 platform theme and, through it, GTK,
cairo and pango (about 21 MB). plexlogin needs a small part of that, so the spec

1. keeps only the Qt plugins on :data:`QT_PLUGINS` for the target platform,
2. keeps Qt's own translations (``qtbase_<lang>.qm``, the texts of Qt's standard
   buttons and context menus) only for the languages plexlogin speaks,
3. keeps Babel's locale data (numbers and times in the person's conventions) only for
   those languages, their parents and English (:func:`babel_locales`), without the
   tables plexlogin never shows (``babel_trim.py``), and
4. on Linux, drops every bundled shared library that nothing kept still links
   (:func:`unreachable_libraries`, a walk over the ELF ``DT_NEEDED`` entries), so the
   libraries behind a dropped plugin go with it and nothing needed can be dropped by a
   stale name list.

:func:`slim` does all of it (and, on Linux, swaps in the trimmed ICU data of
``icu_trim.py``) for a spec. No PyInstaller import here: the specs and
``tests/test_packaging.py`` both use this module.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: PyInstaller's table-of-contents entry: destination in the bundle, source file, type.
Entry = tuple[str, str, str]

# Qt plugins the app uses, by path below Qt's plugins directory; everything else is dropped.
# Linux: xcb and wayland for desktops, offscreen for CI and wizards without a display; the
# input contexts make dead keys and IBus work; the portal theme gives Flatpak/GNOME the
# colour scheme. No imageformats: the app's icons are PNG, which QtGui reads itself.
QT_PLUGINS: dict[str, frozenset[str]] = {
    "linux": frozenset(
        {
            "platforms/libqxcb.so",
            "platforms/libqoffscreen.so",
            "platforms/libqwayland.so",
            "xcbglintegrations/libqxcb-glx-integration.so",
            "xcbglintegrations/libqxcb-egl-integration.so",
            "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
            "platforminputcontexts/libibusplatforminputcontextplugin.so",
            "platformthemes/libqxdgdesktopportal.so",
            "wayland-shell-integration/libxdg-shell.so",
            "wayland-decoration-client/libbradient.so",
            "wayland-decoration-client/libadwaita.so",
        }
    ),
    # Windows 11 look (Qt >= 6.7 ships it as a style plugin); offscreen for tests.
    "win32": frozenset(
        {
            "platforms/qwindows.dll",
            "platforms/qoffscreen.dll",
            "styles/qmodernwindowsstyle.dll",
        }
    ),
    # the native look lives in the macstyle plugin, not in QtWidgets
    "darwin": frozenset(
        {
            "platforms/libqcocoa.dylib",
            "platforms/libqoffscreen.dylib",
            "styles/libqmacstyle.dylib",
        }
    ),
}

# PySide6 wheels keep Qt below PySide6/Qt/ on Linux and macOS and below PySide6/ on Windows.
_QT_PLUGIN = re.compile(r"^PySide6/(?:Qt/)?plugins/(?P<plugin>.+)$")
_QT_TRANSLATION = re.compile(r"^PySide6/(?:Qt/)?translations/(?P<name>[^/]+)$")
# Babel's per-locale data; global.dat beside locale-data/ is shared by all and always stays
_BABEL_LOCALE = re.compile(r"^babel/locale-data/(?P<locale>[^/]+)\.dat$")

#: Python modules to leave out even though something imports them. Each is optional for
#: its importer or reachable only from code plexlogin never runs.
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter",
    "unittest",
    "pydoc",
    # Qt modules PySide6's hooks add: nothing in plexlogin uses the network, GL or SVG in Qt
    "PySide6.QtNetwork",
    "PySide6.QtOpenGL",
    "PySide6.QtSvg",
    # Pillow: the window's QR bitmap is made from qrcode's module matrix (gui/qrencode.py),
    # so nothing plexlogin runs needs an image library. qrcode imports Pillow's module
    # drawers only for backwards compatibility, inside try/except ImportError.
    "PIL",
)


@dataclass(frozen=True)
class Filtered:
    """The entries to collect, and what was left out (for the build report)."""

    kept: list[Entry]
    dropped: list[tuple[Entry, str]]


def _posix(dest: str) -> str:
    return dest.replace("\\", "/")


def qt_plugin(dest: str) -> str | None:
    """``platforms/libqxcb.so`` for a Qt plugin's destination, None for anything else."""
    match = _QT_PLUGIN.match(_posix(dest))
    return match.group("plugin") if match else None


def qt_translations(languages: Iterable[str]) -> frozenset[str]:
    """The file names of Qt's own catalogs for ``languages`` (``qtbase_pt_BR.qm``)."""
    return frozenset(f"qtbase_{code}.qm" for code in languages)


def babel_locales(languages: Iterable[str]) -> frozenset[str]:
    """Babel's locale data files a language needs: it, its parents, ``root`` and English.

    Babel reads a locale's data by merging it onto its parent's (``pt_BR`` onto ``pt``
    onto ``root``); English is there because untranslated runs format in English.
    """
    needed = {"root", "en"}
    for code in languages:
        parts = code.split("_")
        needed.update("_".join(parts[:length]) for length in range(1, len(parts) + 1))
    return frozenset(needed)


def drop_unused_qt(
    entries: Iterable[Entry], platform: str, languages: Iterable[str] = ()
) -> Filtered:
    """Drop Qt plugins not on the platform's allow-list, and Qt's and Babel's data for
    languages plexlogin does not speak."""
    allowed = QT_PLUGINS[_platform_key(platform)]
    languages = tuple(languages)
    catalogs = qt_translations(languages)
    locales = babel_locales(languages)
    kept: list[Entry] = []
    dropped: list[tuple[Entry, str]] = []
    for entry in entries:
        dest = _posix(entry[0])
        plugin = qt_plugin(dest)
        translation = _QT_TRANSLATION.match(dest)
        babel_locale = _BABEL_LOCALE.match(dest)
        if plugin is not None and plugin not in allowed:
            dropped.append((entry, "Qt plugin not used"))
        elif translation and translation.group("name") not in catalogs:
            dropped.append((entry, "Qt translation"))
        elif babel_locale and babel_locale.group("locale") not in locales:
            dropped.append((entry, "Babel locale not shipped"))
        else:
            kept.append(entry)
    return Filtered(kept, dropped)


def _platform_key(platform: str) -> str:
    if platform.startswith("linux"):
        return "linux"
    if platform in ("win32", "darwin"):
        return platform
    raise ValueError(f"no Qt plugin list for platform {platform!r}")


# --- ELF: which shared libraries does a binary link? -----------------------------------

_DT_NEEDED = 1
_DT_STRTAB = 5
_PT_LOAD = 1
_PT_DYNAMIC = 2


def elf_needed(path: str) -> list[str]:
    """The ``DT_NEEDED`` sonames of an ELF file, in order; [] for anything that is not ELF.

    Reads the dynamic segment through the program headers (what the dynamic loader
    itself uses), so it works on stripped files too.
    """
    with open(path, "rb") as file:
        data = file.read()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return []
    is64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    loads, dynamic = _segments(data, is64, endian)
    if dynamic is None:
        return []  # statically linked
    needed, strtab_vaddr = _dynamic_entries(data, dynamic, endian + ("qQ" if is64 else "iI"))
    if strtab_vaddr is None:
        return []
    strtab = _file_offset(strtab_vaddr, loads)
    names = []
    for name_offset in needed:
        start = strtab + name_offset
        names.append(data[start : data.index(b"\0", start)].decode())
    return names


def _segments(
    data: bytes, is64: bool, endian: str
) -> tuple[list[tuple[int, int, int]], tuple[int, int] | None]:
    """The loaded segments (vaddr, offset, filesz) and the dynamic one (offset, size), if any."""
    if is64:
        (phoff,) = struct.unpack_from(endian + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x36)
        ph_format = endian + "IIQQQQQQ"
    else:
        (phoff,) = struct.unpack_from(endian + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 0x2A)
        ph_format = endian + "IIIIIIII"
    loads: list[tuple[int, int, int]] = []
    dynamic: tuple[int, int] | None = None
    for index in range(phnum):
        fields = struct.unpack_from(ph_format, data, phoff + index * phentsize)
        if is64:
            p_type, _flags, offset, vaddr, _paddr, filesz = fields[:6]
        else:
            p_type, offset, vaddr, _paddr, filesz = fields[:5]
        if p_type == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif p_type == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    return loads, dynamic


def _dynamic_entries(
    data: bytes, dynamic: tuple[int, int], dyn_format: str
) -> tuple[list[int], int | None]:
    """The string-table offsets of the ``DT_NEEDED`` names, and the string table's address."""
    entry_size = struct.calcsize(dyn_format)
    needed: list[int] = []
    strtab_vaddr = None
    offset, size = dynamic
    for position in range(offset, offset + size - entry_size + 1, entry_size):
        tag, value = struct.unpack_from(dyn_format, data, position)
        if tag == 0:
            break
        if tag == _DT_NEEDED:
            needed.append(value)
        elif tag == _DT_STRTAB:
            strtab_vaddr = value
    return needed, strtab_vaddr


def _file_offset(vaddr: int, loads: Sequence[tuple[int, int, int]]) -> int:
    for segment_vaddr, offset, filesz in loads:
        if segment_vaddr <= vaddr < segment_vaddr + filesz:
            return vaddr - segment_vaddr + offset
    raise ValueError(f"address {vaddr:#x} is in no loaded segment")


# --- Linux: drop libraries nothing links any more --------------------------------------


def is_root(entry: Entry) -> bool:
    """Whether something other than the dynamic linker loads this binary.

    Python imports extension modules, Qt loads its plugins with dlopen(), and the
    bootloader loads libpython; every other shared library is there because one of those
    links it.
    """
    dest, _src, typecode = entry
    dest = _posix(dest)
    return (
        typecode == "EXTENSION"
        or qt_plugin(dest) is not None
        or os.path.basename(dest).startswith("libpython")
    )


def unreachable_libraries(
    binaries: Sequence[Entry],
    needed: dict[str, list[str]] | None = None,
    extra_roots: Iterable[str] = (),
) -> set[str]:
    """Destinations of the shared libraries that no root binary links, even indirectly.

    Roots are :func:`is_root` entries and the destinations in ``extra_roots``. ``needed``
    maps a source path to its ``DT_NEEDED`` names (default: read with :func:`elf_needed`);
    libraries are matched by file name, the way the loader does.
    """
    needed = needed if needed is not None else {}

    def links(src: str) -> list[str]:
        if src not in needed:
            needed[src] = elf_needed(src)
        return needed[src]

    files = [entry for entry in binaries if entry[2] != "SYMLINK"]
    by_name: dict[str, list[Entry]] = {}
    for entry in files:
        by_name.setdefault(os.path.basename(_posix(entry[0])), []).append(entry)
    extra = set(extra_roots)
    reached: set[str] = set()
    todo = [entry for entry in files if is_root(entry) or entry[0] in extra]
    while todo:
        entry = todo.pop()
        if entry[0] in reached:
            continue
        reached.add(entry[0])
        for name in links(entry[1]):
            todo.extend(by_name.get(name, ()))
    return {entry[0] for entry in files} - reached


def drop_unlinked(
    binaries: Sequence[Entry],
    datas: Sequence[Entry],
    needed: dict[str, list[str]] | None = None,
    collected: Sequence[Entry] | None = None,
) -> tuple[Filtered, Filtered]:
    """Split ``binaries`` by :func:`unreachable_libraries`, and ``datas`` to match.

    ``collected`` is what PyInstaller collected before any filtering (default:
    ``binaries``). A library nothing linked even then is there for another reason (a
    ``ctypes`` load, a hook that asked for it), so it stays: only what a dropped binary
    alone linked goes.

    PyInstaller lists the top-level symlinks it makes for libraries in subfolders (such as
    ``libQt6Network.so.6 -> PySide6/Qt/lib/libQt6Network.so.6``) among the datas; a
    symlink to a dropped library goes too, or the bundle would ship a dangling link.
    """
    needed = needed if needed is not None else {}
    loaded_otherwise = unreachable_libraries(binaries if collected is None else collected, needed)
    gone = unreachable_libraries(binaries, needed, extra_roots=loaded_otherwise)
    gone_names = {os.path.basename(_posix(dest)) for dest in gone}

    def dangling(entry: Entry) -> bool:
        return entry[2] == "SYMLINK" and os.path.basename(_posix(entry[1])) in gone_names

    def goes(entry: Entry) -> bool:
        return entry[0] in gone or dangling(entry)

    reason = "no kept binary links it"
    return (
        Filtered(
            [entry for entry in binaries if not goes(entry)],
            [(entry, reason) for entry in binaries if goes(entry)],
        ),
        Filtered(
            [entry for entry in datas if not dangling(entry)],
            [(entry, "symlink to a dropped library") for entry in datas if dangling(entry)],
        ),
    )


def sized(dropped: Iterable[tuple[Entry, str]]) -> list[tuple[str, int, str]]:
    """(destination, size in bytes, reason) rows for :func:`report`."""
    rows = []
    for (dest, src, _typecode), reason in dropped:
        try:
            size = os.path.getsize(src)
        except OSError:
            size = 0
        rows.append((_posix(dest), size, reason))
    return rows


def report(rows: Iterable[tuple[str, int, str]]) -> str:
    """A readable list of what was left out, biggest first, with the total."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
    lines = [f"{size / 1e6:8.2f} MB  {dest}  ({reason})" for dest, size, reason in ordered]
    total = sum(row[1] for row in ordered)
    lines.append(f"{total / 1e6:8.2f} MB  in total, {len(ordered)} entries")
    return "\n".join(lines) + "\n"


# --- all of it, for a spec -------------------------------------------------------------


def slim(
    binaries: Sequence[Entry],
    datas: Sequence[Entry],
    platform: str,
    work: Path,
    languages: Sequence[str] = (),
) -> tuple[list[Entry], list[Entry], str]:
    """The binaries and datas a spec should collect, and the report of what was left out.

    ``languages`` are the ones plexlogin ships catalogs for (Qt's and Babel's data for
    them stay). Linux also gets the dependency walk and the trimmed ICU data (built in
    ``work``).
    """
    qt_binaries = drop_unused_qt(binaries, platform, languages)
    qt_datas = drop_unused_qt(datas, platform, languages)
    kept_binaries, kept_datas = qt_binaries.kept, qt_datas.kept
    rows = sized(qt_binaries.dropped + qt_datas.dropped)
    kept_datas = [_trim_babel_data(entry, work, rows) for entry in kept_datas]
    if platform.startswith("linux"):
        # libgtk-3, cairo, pango, ... stay behind with the GTK platform theme that linked them
        unlinked_binaries, unlinked_datas = drop_unlinked(
            kept_binaries, kept_datas, collected=binaries
        )
        kept_binaries, kept_datas = unlinked_binaries.kept, unlinked_datas.kept
        rows += sized(unlinked_binaries.dropped + unlinked_datas.dropped)
        kept_binaries = [_trim_icu_data(entry, work, rows) for entry in kept_binaries]
    return kept_binaries, kept_datas, report(rows)


def _trim_babel_data(entry: Entry, work: Path, rows: list[tuple[str, int, str]]) -> Entry:
    """A Babel data file swapped for its copy without unused tables (babel_trim.py)."""
    dest, src, typecode = entry
    posix = _posix(dest)
    if not (_BABEL_LOCALE.match(posix) or posix == "babel/global.dat"):
        return entry
    import babel_trim  # beside this file, like this module itself

    trimmed = work / "babel" / posix
    before, after = babel_trim.trim_file(Path(src), trimmed)
    rows.append((f"{posix}: unused tables", before - after, "Babel data plexlogin never shows"))
    return (dest, str(trimmed), typecode)


def _trim_icu_data(entry: Entry, work: Path, rows: list[tuple[str, int, str]]) -> Entry:
    """Qt's ICU data library swapped for the trimmed one (icu_trim.py), or else unchanged."""
    dest, src, typecode = entry
    name = os.path.basename(_posix(dest))
    if not name.startswith("libicudata.so."):
        return entry
    import icu_trim  # beside this file, like this module itself

    trimmed = work / "icu" / name
    try:
        gone = icu_trim.build_library(Path(src), trimmed)
        icu_trim.check_library(trimmed, Path(src).parent)
    except (ValueError, OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or error
        print(f"bundle_filter: WARNING: keeping the full ICU data ({detail})", file=sys.stderr)
        return entry
    by_reason: dict[str, tuple[int, int]] = {}
    for _item, size, reason in gone:
        count, total = by_reason.get(reason, (0, 0))
        by_reason[reason] = (count + 1, total + size)
    for reason, (count, total) in by_reason.items():
        rows.append((f"{_posix(dest)}: {count} ICU data items", total, reason))
    return (dest, str(trimmed), typecode)
