"""A smaller ``libicudata``: ICU's data without the parts Qt never asks ICU for.

PySide6's Qt links ICU 73, whose data library is 32 MB, a quarter of the one-folder app.
Qt calls ICU for four things only (``objdump -T`` on the Qt libraries lists ``ucol_*``,
``ucnv_*``, ``ucal_*`` time zone names and ``u_strToUpper/Lower``), and plexlogin uses
none of them directly. So the bundle keeps the data those four can reach (locale data,
collation, time zones) and drops the rest, each item for a reason listed in
:data:`UNUSED`. What Qt could still reach in theory fails the way ICU fails without data
(an error code, which Qt turns into a fallback), never a crash.

The data lives in one symbol (``icudt73_dat``) in ICU's "common data" format: a header,
a sorted table of contents (name offset, data offset), then the items, each aligned to
16 bytes. :func:`trimmed_common_data` rewrites that table without the unused items;
:func:`build_library` wraps the result in a shared object with the same soname using
binutils (``as`` and ``ld``, which ``strip`` comes with).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

#: item name prefixes (after ``icudt73l/``) that nothing in Qt reaches, with the ICU API
#: that would read them
UNUSED: dict[str, str] = {
    "brkitr/": "break iterators (ubrk): Qt breaks text with its own Unicode tables",
    "unit/": "measure unit names (unumf)",
    "curr/": "currency names (unum): QLocale has its own CLDR data",
    "lang/": "language display names (uloc_getDisplayName): QLocale has its own",
    "region/": "region display names (uloc_getDisplayCountry): QLocale has its own",
    "translit/": "transliterators (utrans)",
    "rbnf/": "spelled-out numbers (unum with RBNF)",
    "unames.icu": "Unicode character names (u_charName)",
    "confusables": "spoof checks (uspoof)",
    "uts46.nrm": "IDNA (uidna): QUrl has its own",
    ".spp": "stringprep profiles (usprep): QUrl has its own",
    ".cnv": "legacy code pages (ucnv with a table): Qt 6 treats the local 8-bit "
    "encoding as UTF-8 on Unix, and UTF-8/16/32, ASCII and Latin-1 need no table",
}

_SYMBOL = re.compile(rb"^icudt\d+_dat$")
_ALIGN = 16


def is_unused(item: str) -> str | None:
    """Why ``icudt73l/brkitr/char.brk`` can go, or None if it stays."""
    name = item.split("/", 1)[1] if "/" in item else item
    for pattern, reason in UNUSED.items():
        if pattern.startswith("."):
            if name.endswith(pattern):
                return reason
        elif name.startswith(pattern):
            return reason
    return None


def read_data_symbol(library: bytes) -> tuple[str, int, int]:
    """(symbol name, file offset, size) of ``icudtNN_dat`` in an x86-64/aarch64 ELF."""
    if library[:4] != b"\x7fELF" or library[4] != 2 or library[5] != 1:
        raise ValueError("not a little-endian 64-bit ELF file")
    (shoff,) = struct.unpack_from("<Q", library, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", library, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", library, shoff + index * shentsize)
        for index in range(shnum)
    ]
    for _name, sh_type, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if sh_type != 11:  # SHT_DYNSYM
            continue
        strtab_offset = sections[link][4]
        for position in range(offset, offset + size, entsize):
            st_name, _st_info, _other, shndx, value, st_size = struct.unpack_from(
                "<IBBHQQ", library, position
            )
            start = strtab_offset + st_name
            name = library[start : library.index(b"\0", start)]
            if _SYMBOL.match(name):
                section = sections[shndx]
                file_offset = value - section[3] + section[4]
                return name.decode(), file_offset, st_size
    raise ValueError("no icudtNN_dat symbol")


def _items(data: bytes) -> tuple[int, list[tuple[str, bytes]]]:
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise ValueError("not ICU common data (CmnD)")
    toc = header_size
    (count,) = struct.unpack_from("<I", data, toc)
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * index) for index in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        name_start = toc + name_offset
        name = data[name_start : data.index(b"\0", name_start)].decode("ascii")
        end = toc + entries[index + 1][1] if index + 1 < count else len(data)
        items.append((name, data[toc + data_offset : end]))
    return header_size, items


def trimmed_common_data(data: bytes) -> tuple[bytes, list[tuple[str, int, str]]]:
    """``data`` without the unused items, and (name, size, reason) of each dropped one."""
    header_size, items = _items(data)
    kept = [(name, item) for name, item in items if is_unused(name) is None]
    dropped = [(name, len(item), is_unused(name) or "") for name, item in items if is_unused(name)]
    # table of contents: count, (name offset, data offset) pairs, names; offsets count from
    # the table's start, and the names stay in their (sorted) order for ICU's binary search
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in kept)
    names_start = 4 + 8 * len(kept)
    items_start = _aligned(names_start + len(names))
    toc = bytearray(struct.pack("<I", len(kept)))
    body = bytearray()
    name_offset = names_start
    for name, item in kept:
        toc += struct.pack("<II", name_offset, items_start + len(body))
        name_offset += len(name) + 1
        body += item
        body += b"\0" * (_aligned(len(body)) - len(body))
    toc += names
    toc += b"\0" * (items_start - len(toc))
    return bytes(data[:header_size]) + bytes(toc) + bytes(body), dropped


def _aligned(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


def build_library(original: Path, output: Path) -> list[tuple[str, int, str]]:
    """Write a trimmed copy of the ICU data library ``original`` to ``output``.

    Returns what was dropped. Raises ValueError if ``original`` is not what this expects
    (then the caller should keep ``original``), OSError/CalledProcessError if binutils fail.
    """
    library = original.read_bytes()
    symbol, offset, size = read_data_symbol(library)
    data, dropped = trimmed_common_data(library[offset : offset + size])
    soname = original.name
    with tempfile.TemporaryDirectory() as temp:
        blob = Path(temp, "data.bin")
        blob.write_bytes(data)
        source = Path(temp, "data.s")
        source.write_text(
            f"""\t.section .rodata
\t.globl {symbol}
\t.type {symbol}, @object
\t.balign 4096
{symbol}:
\t.incbin "{blob}"
\t.size {symbol}, . - {symbol}
\t.section .note.GNU-stack,"",@progbits
""",
            encoding="ascii",
        )
        obj = Path(temp, "data.o")
        subprocess.run(["as", "-o", str(obj), str(source)], check=True)
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ld", "-shared", "-s", f"-soname={soname}", "-o", str(output), str(obj)],
            check=True,
        )
    os.chmod(output, 0o755)
    return dropped


_CHECK = r"""
import ctypes, sys
data, uc, i18n, version = sys.argv[1:]
for path in (data, uc, i18n):
    ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)  # by path: the trimmed data wins the soname
uc_lib, i18n_lib = ctypes.CDLL(uc), ctypes.CDLL(i18n)
status = ctypes.c_int(0)
getattr(uc_lib, "u_init_" + version)(ctypes.byref(status))
assert status.value <= 0, f"u_init: ICU error {status.value}"
open_collator = getattr(i18n_lib, "ucol_open_" + version)
open_collator.restype = ctypes.c_void_p
assert open_collator(b"de", ctypes.byref(status)) and status.value <= 0, "ucol_open(de)"
open_calendar = getattr(i18n_lib, "ucal_open_" + version)
open_calendar.restype = ctypes.c_void_p
calendar = open_calendar(None, 0, b"de", 0, ctypes.byref(status))
assert calendar and status.value <= 0, f"ucal_open: ICU error {status.value}"
name = (ctypes.c_uint16 * 64)()
size = getattr(i18n_lib, "ucal_getTimeZoneDisplayName_" + version)(
    ctypes.c_void_p(calendar), 0, b"de", name, 64, ctypes.byref(status))
assert size > 0 and status.value <= 0, f"time zone name: ICU error {status.value}"
"""


def check_library(data: Path, icu_lib_dir: Path) -> None:
    """Load ``data`` with the ICU libraries beside the original and use what Qt uses.

    Collation, a time zone's display name and ICU's start-up must work with the trimmed
    data; raises CalledProcessError (with ICU's error) if not. Runs in a child process
    so a broken library cannot take the build down with it.
    """
    version = re.search(r"\.so\.(\d+)", data.name)
    if version is None:
        raise ValueError(f"no ICU version in {data.name}")
    number = version.group(1)
    subprocess.run(
        [
            sys.executable,
            "-c",
            _CHECK,
            str(data),
            str(icu_lib_dir / f"libicuuc.so.{number}"),
            str(icu_lib_dir / f"libicui18n.so.{number}"),
            number,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
