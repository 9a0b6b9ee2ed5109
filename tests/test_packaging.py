"""Fast checks of packaging/: what the spec leaves out, the ICU trim, the app's metadata.

The frozen app itself is tested by packaging/smoke.sh (it takes a minute or two).
"""

from __future__ import annotations

import ast
import gettext
import importlib.metadata
import importlib.util
import io
import os
import plistlib
import shutil
import struct
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from babel.localedata import locale_identifiers

from plexlogin import i18n

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load(name: str) -> ModuleType:
    # by path: "packaging" is also the name of a PyPI package, so no package imports here
    spec = importlib.util.spec_from_file_location(f"_plexlogin_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bundle_filter = _load("bundle_filter")
icu_trim = _load("icu_trim")
app_metadata = _load("app_metadata")

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundles")


# --- Qt plugins and translations -------------------------------------------------------


def test_only_allowed_qt_plugins_and_no_translations_are_kept() -> None:
    entries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/x/libqoffscreen.so", "BINARY"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/x/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "/x/libqjpeg.so", "BINARY"),
        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
        ("PySide6/QtCore.abi3.so", "/x/QtCore.abi3.so", "EXTENSION"),
    ]
    result = bundle_filter.drop_unused_qt(entries, "linux")
    assert [dest for dest, _, _ in result.kept] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/QtCore.abi3.so",
    ]
    reasons = {entry[0]: reason for entry, reason in result.dropped}
    assert reasons["PySide6/Qt/plugins/platformthemes/libqgtk3.so"] == "Qt plugin not used"
    assert reasons["PySide6/Qt/translations/qtbase_de.qm"] == "Qt translation"


def test_windows_layout_and_backslashes_are_understood() -> None:
    entries = [
        ("PySide6\\plugins\\platforms\\qwindows.dll", "C:/x/qwindows.dll", "BINARY"),
        ("PySide6\\plugins\\platforms\\qminimal.dll", "C:/x/qminimal.dll", "BINARY"),
        ("PySide6\\translations\\qtbase_fr.qm", "C:/x/qtbase_fr.qm", "DATA"),
    ]
    result = bundle_filter.drop_unused_qt(entries, "win32")
    assert [dest for dest, _, _ in result.kept] == ["PySide6\\plugins\\platforms\\qwindows.dll"]


@linux_only
def test_every_allowed_linux_plugin_exists_in_the_installed_pyside6() -> None:
    """A plugin renamed by a PySide6 upgrade must fail here, not vanish from the bundle."""
    pyside6 = pytest.importorskip("PySide6")
    plugins = Path(pyside6.__file__).parent / "Qt" / "plugins"
    missing = [name for name in bundle_filter.QT_PLUGINS["linux"] if not (plugins / name).exists()]
    assert missing == []


# --- libraries nothing links ------------------------------------------------------------


def test_libraries_behind_a_dropped_plugin_go_and_shared_ones_stay() -> None:
    binaries = [
        ("PySide6/QtGui.abi3.so", "/s/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("libglib-2.0.so.0", "/s/libglib-2.0.so.0", "BINARY"),
        ("libgtk-3.so.0", "/s/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/s/libcairo.so.2", "BINARY"),
        ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY"),
        ("libz.so.1", "/s/libz.so.1", "BINARY"),
    ]
    needed = {
        "/s/QtGui.abi3.so": ["libQt6Gui.so.6", "libc.so.6"],
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6"],
        "/s/libQt6Gui.so.6": ["libglib-2.0.so.0"],
        "/s/libQt6XcbQpa.so.6": ["libQt6Gui.so.6", "libxcb.so.1"],
        "/s/libglib-2.0.so.0": [],
        # only the (already dropped) GTK platform theme linked these
        "/s/libgtk-3.so.0": ["libcairo.so.2", "libglib-2.0.so.0"],
        "/s/libcairo.so.2": ["libz.so.1"],
        "/s/libpython3.11.so.1.0": ["libz.so.1"],
        "/s/libz.so.1": [],
    }
    assert bundle_filter.unreachable_libraries(binaries, needed) == {
        "libgtk-3.so.0",
        "libcairo.so.2",
    }


def test_a_library_nothing_linked_before_filtering_stays() -> None:
    """Loaded with ctypes or asked for by a hook: no DT_NEEDED points at it, yet it is used."""
    binaries = [
        ("_ctypes.cpython-311-x86_64-linux-gnu.so", "/s/_ctypes.so", "EXTENSION"),
        ("libfoo.so.1", "/s/libfoo.so.1", "BINARY"),  # ctypes.CDLL("libfoo.so.1")
        ("libbar.so.2", "/s/libbar.so.2", "BINARY"),  # linked by libfoo
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/s/libqgtk3.so", "BINARY"),
        ("libgtk-3.so.0", "/s/libgtk-3.so.0", "BINARY"),
    ]
    needed = {
        "/s/_ctypes.so": ["libffi.so.8"],
        "/s/libfoo.so.1": ["libbar.so.2"],
        "/s/libbar.so.2": [],
        "/s/libqgtk3.so": ["libgtk-3.so.0"],
        "/s/libgtk-3.so.0": [],
    }
    without_theme = [entry for entry in binaries if "qgtk3" not in entry[0]]
    kept, _ = bundle_filter.drop_unlinked(without_theme, [], needed, collected=binaries)
    assert [entry[0] for entry in kept.kept] == [
        "_ctypes.cpython-311-x86_64-linux-gnu.so",
        "libfoo.so.1",
        "libbar.so.2",
    ]


def test_a_symlink_to_a_dropped_library_goes_with_it() -> None:
    tls_plugin = ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "/s/libqossl.so", "BINARY")
    binaries = [
        ("PySide6/QtCore.abi3.so", "/s/QtCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/s/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/s/libQt6Network.so.6", "BINARY"),
    ]
    datas = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("certifi/cacert.pem", "/s/cacert.pem", "DATA"),
    ]
    needed = {
        "/s/QtCore.abi3.so": ["libQt6Core.so.6"],
        "/s/libQt6Core.so.6": [],
        "/s/libQt6Network.so.6": ["libQt6Core.so.6"],
        "/s/libqossl.so": ["libQt6Network.so.6"],
    }
    kept_binaries, kept_datas = bundle_filter.drop_unlinked(
        binaries, datas, needed, collected=[*binaries, tls_plugin]
    )
    assert [entry[0] for entry in kept_binaries.kept] == [
        "PySide6/QtCore.abi3.so",
        "PySide6/Qt/lib/libQt6Core.so.6",
    ]
    assert [entry[0] for entry in kept_datas.kept] == ["libQt6Core.so.6", "certifi/cacert.pem"]
    assert [entry[0] for entry, _ in kept_datas.dropped] == ["libQt6Network.so.6"]


@linux_only
def test_elf_needed_reads_a_real_binary(tmp_path: Path) -> None:
    assert "libc.so.6" in bundle_filter.elf_needed(os.path.realpath(sys.executable))
    text = tmp_path / "not-elf"
    text.write_text("#!/bin/sh\n")
    assert bundle_filter.elf_needed(str(text)) == []


def test_report_lists_biggest_first_with_a_total() -> None:
    text = bundle_filter.report([("small", 1_000, "a"), ("big", 3_000_000, "b")])
    lines = text.splitlines()
    assert lines[0].endswith("big  (b)") and lines[1].endswith("small  (a)")
    assert "3.00 MB  in total, 2 entries" in lines[2]


# --- ICU data ---------------------------------------------------------------------------


def _common_data(items: dict[str, bytes]) -> bytes:
    """A tiny ICU common-data package in the layout libicudata uses."""
    info = struct.pack("<HHBBBB4s4B4B", 20, 0, 0, 0, 2, 0, b"CmnD", 1, 0, 0, 0, 3, 0, 0, 0)
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + info
    header += b"\0" * (32 - len(header))
    names = sorted(items)
    name_bytes = b"".join(name.encode() + b"\0" for name in names)
    data_start = (4 + 8 * len(names) + len(name_bytes) + 15) // 16 * 16
    toc = struct.pack("<I", len(names))
    body = b""
    name_offset = 4 + 8 * len(names)
    for name in names:
        toc += struct.pack("<II", name_offset, data_start + len(body))
        name_offset += len(name) + 1
        body += items[name] + b"\0" * (-len(items[name]) % 16)
    toc += name_bytes
    return header + toc + b"\0" * (data_start - len(toc)) + body


def test_icu_items_qt_never_reads_are_dropped_and_the_rest_survive_intact() -> None:
    items = {
        "icudt73l/brkitr/char.brk": b"B" * 40,
        "icudt73l/coll/de.res": b"C" * 17,
        "icudt73l/de.res": b"D" * 5,
        "icudt73l/ibm-943_P15A-2003.cnv": b"J" * 33,
        "icudt73l/zone/de.res": b"Z" * 16,
    }
    trimmed, dropped = icu_trim.trimmed_common_data(_common_data(items))
    assert sorted(name for name, _, _ in dropped) == [
        "icudt73l/brkitr/char.brk",
        "icudt73l/ibm-943_P15A-2003.cnv",
    ]
    header_size, kept = icu_trim._items(trimmed)
    assert header_size == 32
    assert [name for name, _ in kept] == [
        "icudt73l/coll/de.res",
        "icudt73l/de.res",
        "icudt73l/zone/de.res",
    ]
    for name, data in kept:  # padding to 16 bytes comes after each item
        assert data.rstrip(b"\0") == items[name]
    _, offsets = struct.unpack_from("<II", trimmed, header_size + 4)
    assert offsets % 16 == 0


def test_icu_classification_keeps_what_qt_uses() -> None:
    kept_items = (
        "icudt73l/coll/root.res",
        "icudt73l/zone/en.res",
        "icudt73l/root.res",
        "icudt73l/cnvalias.icu",
        "icudt73l/metaZones.res",
        "icudt73l/nfkc.nrm",
    )
    for kept in kept_items:
        assert icu_trim.is_unused(kept) is None, kept
    for dropped in ("icudt73l/lang/de.res", "icudt73l/unames.icu", "icudt73l/rfc3491.spp"):
        assert icu_trim.is_unused(dropped), dropped


def test_not_common_data_is_refused() -> None:
    with pytest.raises(ValueError):
        icu_trim.trimmed_common_data(b"\0" * 64)


# --- the app's identity -------------------------------------------------------------------


def test_version_comes_from_pyproject_and_matches_the_installed_package() -> None:
    import plexlogin

    # __version__ is written out (asking importlib.metadata cost start-up time): it must
    # follow pyproject.toml, and the installed package must agree
    version = app_metadata.project_version()
    assert version == plexlogin.__version__
    assert importlib.metadata.version("plexlogin") == version


def test_metainfo_lists_the_current_version_as_a_release() -> None:
    metainfo = ET.parse(ROOT / "resources" / "io.github.plexlogin.metainfo.xml")
    releases = [release.get("version") for release in metainfo.iter("release")]
    assert app_metadata.project_version() in releases


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2", (1, 2, 0, 0)),
        ("2.0.1rc1", (2, 0, 1, 0)),
        ("1.2.3.4.5", (1, 2, 3, 4)),
        ("0.1.0+local", (0, 1, 0, 0)),
    ],
)
def test_version_tuple(version: str, numbers: tuple[int, ...]) -> None:
    assert app_metadata.version_tuple(version) == numbers


def test_windows_version_info_is_a_vsversioninfo_expression() -> None:
    text = app_metadata.windows_version_file("0.1.0", "plexlogin.exe")
    tree = ast.parse(text, mode="eval")
    assert isinstance(tree.body, ast.Call) and ast.unparse(tree.body.func) == "VSVersionInfo"
    assert "filevers=(0, 1, 0, 0)" in text
    assert "StringStruct('ProductVersion', '0.1.0')" in text
    assert "StringStruct('OriginalFilename', 'plexlogin.exe')" in text


def test_macos_info_plist() -> None:
    plist = app_metadata.macos_info_plist("0.1.0")
    assert plist["CFBundleShortVersionString"] == "0.1.0"
    assert plist["NSHighResolutionCapable"] is True
    assert b"<key>NSHighResolutionCapable</key>" in plistlib.dumps(plist)  # BUNDLE writes it so


def test_staged_package_looks_like_the_wheel(tmp_path: Path) -> None:
    stage = app_metadata.stage_sources(ROOT, tmp_path / "stage", "9.9.9")
    package = stage / "plexlogin"
    assert (package / "cli.py").is_file()
    assert (package / "resources" / "__init__.py").is_file()
    assert (package / "resources" / "io.github.plexlogin.desktop").is_file()
    assert not list(stage.rglob("__pycache__"))
    assert not (package / "resources" / "make_icons.py").exists()
    metadata = (stage / "plexlogin-9.9.9.dist-info" / "METADATA").read_text()
    assert "Name: plexlogin\nVersion: 9.9.9\n" in metadata

    datas = app_metadata.resource_datas(stage)
    folders = {Path(source).name: folder for source, folder in datas}
    assert folders["io.github.plexlogin.desktop"] == "plexlogin/resources"
    assert folders["plexlogin-9.9.9.dist-info"] == "plexlogin-9.9.9.dist-info"
    icon_folders = {folder for source, folder in datas if source.endswith(".png")}
    assert "plexlogin/resources/icons/hicolor/48x48/apps" in icon_folders


# --- the Debian package ------------------------------------------------------------------

deb_package = _load("deb_package")
needs_dpkg_dev = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("dpkg-deb", "dpkg-shlibdeps", "patchelf")),
    reason="needs dpkg-dev and patchelf",
)


@pytest.mark.parametrize(
    ("upstream", "debian"),
    [("0.1.0", "0.1.0-1"), ("0.2.0rc1", "0.2.0~rc1-1"), ("1.0.0.dev3", "1.0.0~dev3-1")],
)
def test_debian_version(upstream: str, debian: str) -> None:
    assert deb_package.debian_version(upstream) == debian


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg")
def test_a_pre_release_sorts_before_its_release_for_dpkg() -> None:
    earlier, later = deb_package.debian_version("0.2.0rc1"), deb_package.debian_version("0.2.0")
    assert subprocess.run(["dpkg", "--compare-versions", earlier, "lt", later]).returncode == 0


def test_only_packages_standing_for_shipped_copies_are_excluded() -> None:
    shipped = {
        "libglib-2.0.so.0": {"libglib2.0-0"},
        "libz.so.1": {"zlib1g"},
        "libQt6Core.so.6": set(),  # only the bundle has it
    }
    outside = {"libc.so.6": {"libc6"}, "libgio-2.0.so.0": {"libglib2.0-0"}}
    # glib's package also holds libgio, which the bundle links without shipping
    assert deb_package.bundled_only_packages(shipped, outside) == {"zlib1g"}


def test_the_changelog_is_dated_by_the_metainfo_release() -> None:
    resources = ROOT / "resources"
    version = app_metadata.project_version(ROOT / "pyproject.toml")
    date = deb_package.release_date(resources / "io.github.plexlogin.metainfo.xml", version)
    entry = deb_package.changelog(deb_package.debian_version(version), date)
    assert entry.startswith(f"plexlogin ({version}-1) unstable; urgency=medium\n")
    assert entry.endswith(f"  {date.strftime('%a, %d %b %Y')} 00:00:00 +0000\n")


def _fake_bundle(app: Path) -> None:
    """A one-folder app in miniature: an executable and two system libraries copied in."""
    (app / "_internal").mkdir(parents=True)
    shutil.copy("/usr/bin/true", app / "plexlogin")
    libdir = (
        Path("/usr/lib")
        / subprocess.run(
            ["dpkg-architecture", "-qDEB_HOST_MULTIARCH"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # libpng links libz and libm/libc: both copies ship, libc stays outside
    for name in ("libpng16.so.16", "libz.so.1"):
        shutil.copy(libdir / name, app / "_internal" / name)
    # a build path in a RUNPATH, as a pyenv Python leaves in its modules
    subprocess.run(
        ["patchelf", "--set-rpath", "/root/.pyenv/lib", str(app / "_internal/libpng16.so.16")],
        check=True,
    )


@linux_only
@needs_dpkg_dev
def test_the_deb_depends_on_what_the_bundle_does_not_ship(tmp_path: Path) -> None:
    if not Path("/usr/share/doc/libpng16-16").exists():
        pytest.skip("needs libpng16-16 installed")
    app = tmp_path / "plexlogin"
    _fake_bundle(app)
    deb = deb_package.build(app, tmp_path, tmp_path / "work")
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
    version = app_metadata.project_version(ROOT / "pyproject.toml")
    assert deb.name == f"plexlogin_{version}-1_{arch.stdout.strip()}.deb"

    def field(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    depends = [item.split(" ")[0] for item in field("Depends").split(", ")]
    assert depends == ["libc6", "fontconfig-config"]  # not zlib1g or libpng16-16: shipped
    assert field("Recommends").startswith("gnome-keyring | ")
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    modes = {
        line.split()[-1] if "->" not in line else line.split()[-3]: line.split()[:2]
        for line in listing.splitlines()
    }
    assert modes["./usr/lib/plexlogin/plexlogin"] == ["-rwxr-xr-x", "root/root"]
    assert modes["./usr/lib/plexlogin/_internal/libz.so.1"] == ["-rw-r--r--", "root/root"]
    assert modes["./usr/share/doc/plexlogin/changelog.Debian.gz"][0] == "-rw-r--r--"
    assert modes["./usr/bin/plexlogin"][0] == "lrwxrwxrwx"
    assert "./usr/share/applications/io.github.plexlogin.desktop" in modes
    assert "./usr/share/icons/hicolor/scalable/apps/io.github.plexlogin.svg" in modes
    assert "./usr/share/metainfo/io.github.plexlogin.metainfo.xml" in modes
    assert all(mode[0] == "drwxr-xr-x" for path, mode in modes.items() if path.endswith("/"))
    assert "-> ../lib/plexlogin/plexlogin" in listing
    unpacked = tmp_path / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    png = unpacked / "usr/lib/plexlogin/_internal/libpng16.so.16"
    rpath = subprocess.run(["patchelf", "--print-rpath", str(png)], capture_output=True, text=True)
    assert rpath.stdout.strip() == ""  # the build machine's path is gone
    for path in unpacked.rglob("*"):
        if path.is_file():
            assert str(tmp_path).encode() not in path.read_bytes(), path


def test_every_lintian_override_says_why() -> None:
    lines = (PACKAGING / "deb" / "lintian-overrides").read_text(encoding="utf-8").splitlines()
    overrides = [index for index, line in enumerate(lines) if line.startswith("plexlogin: ")]
    assert overrides, "no overrides at all: then the file should go"
    for index in overrides:
        assert index > 0 and lines[index - 1].startswith("# "), f"no reason above {lines[index]!r}"
    assert all(line.startswith(("# ", "plexlogin: ")) for line in lines), "stray line"


# --- translations: in the wheel, the sdist and the frozen app ----------------------------


def test_qt_and_babel_data_stay_only_for_the_languages_plexlogin_speaks() -> None:
    entries = [
        ("PySide6/Qt/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
        ("PySide6/Qt/translations/qtbase_pt_BR.qm", "/x/qtbase_pt_BR.qm", "DATA"),
        ("PySide6/Qt/translations/qtbase_ru.qm", "/x/qtbase_ru.qm", "DATA"),
        ("PySide6/Qt/translations/qt_de.qm", "/x/qt_de.qm", "DATA"),  # Designer, Help, ...
        ("babel/global.dat", "/x/global.dat", "DATA"),
        ("babel/locale-data/root.dat", "/x/root.dat", "DATA"),
        ("babel/locale-data/en.dat", "/x/en.dat", "DATA"),
        ("babel/locale-data/de.dat", "/x/de.dat", "DATA"),
        ("babel/locale-data/pt.dat", "/x/pt.dat", "DATA"),
        ("babel/locale-data/pt_BR.dat", "/x/pt_BR.dat", "DATA"),
        ("babel/locale-data/pt_PT.dat", "/x/pt_PT.dat", "DATA"),
        ("babel/locale-data/ru.dat", "/x/ru.dat", "DATA"),
    ]
    result = bundle_filter.drop_unused_qt(entries, "linux", ["de", "pt_BR"])
    assert [dest for dest, _, _ in result.kept] == [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/translations/qtbase_pt_BR.qm",
        "babel/global.dat",
        "babel/locale-data/root.dat",
        "babel/locale-data/en.dat",
        "babel/locale-data/de.dat",
        "babel/locale-data/pt.dat",  # pt_BR's data is merged onto its parent's
        "babel/locale-data/pt_BR.dat",
    ]
    reasons = {entry[0]: reason for entry, reason in result.dropped}
    assert reasons["babel/locale-data/ru.dat"] == "Babel locale not shipped"
    assert reasons["PySide6/Qt/translations/qtbase_ru.qm"] == "Qt translation"


def test_every_shipped_language_has_qt_and_babel_data_to_keep() -> None:
    pyside6 = pytest.importorskip("PySide6")
    translations = Path(pyside6.__file__).parent / "Qt" / "translations"
    if sys.platform.startswith("linux"):
        for name in bundle_filter.qt_translations(i18n.TRANSLATED):
            assert (translations / name).is_file(), name
    assert bundle_filter.babel_locales(i18n.TRANSLATED) <= {*locale_identifiers(), "root"}


def test_the_spec_reads_the_shipped_languages_and_ships_no_catalog_sources(
    tmp_path: Path,
) -> None:
    stage = app_metadata.stage_sources(ROOT, tmp_path / "stage", "9.9.9")
    assert app_metadata.shipped_languages(stage) == i18n.TRANSLATED
    compiled = (stage / "plexlogin" / "locale" / "de" / "LC_MESSAGES" / "plexlogin.mo").parent
    (compiled / "plexlogin.mo").write_bytes(b"")  # as catalogs.compile_catalogs leaves it
    names = {Path(source).name for source, _folder in app_metadata.resource_datas(stage)}
    assert "plexlogin.mo" in names
    assert "plexlogin.po" not in names and "plexlogin.pot" not in names


def _source_copy(target: Path) -> Path:
    """The files git tracks (plus uncommitted ones it would), without build output."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_sdist_has_the_catalog_sources_and_its_wheel_the_compiled_ones(
    tmp_path: Path,
) -> None:
    source = _source_copy(tmp_path / "src")
    build_sdist = "from setuptools import build_meta; print(build_meta.build_sdist(%r))"
    sdist_name = subprocess.run(
        [sys.executable, "-c", build_sdist % str(tmp_path)],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    with tarfile.open(tmp_path / sdist_name) as sdist:
        in_sdist = {Path(*Path(name).parts[1:]).as_posix() for name in sdist.getnames()}
    assert "plexlogin/locale/de/LC_MESSAGES/plexlogin.po" in in_sdist
    assert "packaging/catalogs.py" in in_sdist  # the build step the cmdclass names
    assert not [name for name in in_sdist if name.endswith(".mo")]

    # the wheel a person's pip builds from that sdist, in pip's own isolated environment
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path / "wheel"),
            str(tmp_path / sdist_name),
        ],
        capture_output=True,
        check=True,
    )
    (wheel_path,) = (tmp_path / "wheel").glob("plexlogin-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        german = wheel.read("plexlogin/locale/de/LC_MESSAGES/plexlogin.mo")
    for code in i18n.TRANSLATED:
        assert f"plexlogin/locale/{code}/LC_MESSAGES/plexlogin.mo" in names, code
    assert not [name for name in names if name.endswith((".po", ".pot"))]
    catalog = gettext.GNUTranslations(io.BytesIO(german))
    assert catalog.gettext("Sign-in cancelled.") == "Anmeldung abgebrochen."


babel_trim = _load("babel_trim")

# what plexlogin asks of Babel, run against the trimmed data only (a fresh interpreter,
# so no data cached from the full files can answer)
TRIMMED_BABEL_USE = """
import pickle, sys
from datetime import datetime, timezone
import babel.core, babel.localedata
babel.localedata._dirname = sys.argv[1] + "/locale-data"
with open(sys.argv[1] + "/global.dat", "rb") as file:
    babel.core._global_data = pickle.load(file)
from babel.lists import format_list
from plexlogin import i18n
for code in ("en", *i18n.TRANSLATED):
    language = i18n.Language(code, None)
    assert i18n.format_number(1234.5, language), code
    assert i18n.format_clock(datetime(2026, 1, 1, 14, 5, tzinfo=timezone.utc), language), code
    assert format_list(["A", "B", "C"], locale=code), code
    locale = babel.core.Locale.parse(code)
    assert locale.plural_form(5) and locale.display_name and locale.character_order, code
print(i18n.format_number(1234.5, i18n.Language("de", None)))
"""


def test_trimmed_babel_data_still_formats_every_shipped_language(tmp_path: Path) -> None:
    import babel

    source = Path(babel.__file__).parent
    wanted = {f"locale-data/{name}.dat" for name in bundle_filter.babel_locales(i18n.TRANSLATED)}
    before = after = 0
    for name in ["global.dat", *sorted(wanted)]:
        old, new = babel_trim.trim_file(source / name, tmp_path / "babel" / name)
        before, after = before + old, after + new
    assert after < before / 2  # the point of it
    formatted = subprocess.run(
        [sys.executable, "-c", TRIMMED_BABEL_USE, str(tmp_path / "babel")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert formatted.stdout.strip() == "1.234,5"


def test_slim_swaps_babels_data_for_the_trimmed_copies(tmp_path: Path) -> None:
    import babel

    source = Path(babel.__file__).parent
    datas = [
        ("babel/global.dat", str(source / "global.dat"), "DATA"),
        ("babel/locale-data/de.dat", str(source / "locale-data" / "de.dat"), "DATA"),
        ("babel/locale-data/ru.dat", str(source / "locale-data" / "ru.dat"), "DATA"),
    ]
    _binaries, kept, report = bundle_filter.slim([], datas, "win32", tmp_path, ["de"])
    assert [(dest, Path(src)) for dest, src, _ in kept] == [
        ("babel/global.dat", tmp_path / "babel" / "babel" / "global.dat"),
        ("babel/locale-data/de.dat", tmp_path / "babel" / "babel" / "locale-data" / "de.dat"),
    ]
    assert "Babel locale not shipped" in report and "Babel data plexlogin never shows" in report
