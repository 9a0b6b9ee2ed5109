"""Build ``dist/plexlogin_<version>_<arch>.deb`` from the one-folder app, with dpkg-deb alone.

    python packaging/deb_package.py [--app dist/plexlogin] [--dist dist] [--work build/deb]

No debhelper and no network: the tree is laid out here, ``Depends`` comes from
``dpkg-shlibdeps`` over the bundle's ELF files, and ``dpkg-deb --root-owner-group`` packs
it. ``build.sh`` runs this after PyInstaller; ``deb-check.sh`` installs the result.

The bundle ships copies of many system libraries (PyInstaller collects what the build
machine's Qt linked: glib, dbus, libxcb-cursor, ...). ``dpkg-shlibdeps`` still names the
packages of the system's copies, because it finds those too; :func:`bundled_only_packages`
works out which packages only stand for shipped copies so they can be left out (``-x``).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app_metadata  # beside this file, like bundle_filter
import bundle_filter

PACKAGE = "plexlogin"
PREFIX = "usr/lib/plexlogin"
MAINTAINER = os.environ.get(
    "DEB_MAINTAINER", "plexlogin developers <plexlogin@users.noreply.github.com>"
)
HOMEPAGE = "https://github.com/plexlogin/plexlogin"
# A Secret Service for the token. gnome-keyring first: apt installs the first alternative
# when none is there. libkf5wallet-bin is KWallet's daemon (it answers the Secret Service
# API), already on every KDE desktop, so KDE gets no gnome-keyring beside it; kwalletmanager
# is only its settings GUI. KeePassXC, when someone uses it as their Secret Service, must
# not get a second provider fighting over the D-Bus name either. Debian 12 has no virtual
# package for "a Secret Service".
RECOMMENDS = "gnome-keyring | libkf5wallet-bin | keepassxc"
HERE = Path(__file__).resolve().parent
DEB_FILES = HERE / "deb"


# --- version and texts ------------------------------------------------------------------


def debian_version(version: str, revision: int = 1) -> str:
    """``0.1.0`` -> ``0.1.0-1``; pre-releases sort before the release (``0.2.0~rc1-1``)."""
    upstream = re.sub(r"(?<=\d)\.?(a|b|rc|dev)", r"~\1", version)
    return f"{upstream}-{revision}"


def release_date(metainfo: Path, version: str) -> datetime:
    """The metainfo's date for this release: the changelog's date, so rebuilds match."""
    for release in ET.parse(metainfo).getroot().iter("release"):
        if release.get("version") == version and release.get("date"):
            day = datetime.strptime(str(release.get("date")), "%Y-%m-%d")
            return day.replace(tzinfo=timezone.utc)
    raise ValueError(f"{metainfo} has no dated <release> for {version}")


def changelog(version: str, date: datetime, maintainer: str = MAINTAINER) -> str:
    """A one-entry ``changelog.Debian`` pointing at the upstream release."""
    return (
        f"{PACKAGE} ({version}) unstable; urgency=medium\n\n"
        f"  * Binary package of upstream release {version.rsplit('-', 1)[0]}, built from\n"
        "    its PyInstaller one-folder app.\n\n"
        f" -- {maintainer}  {format_datetime(date)}\n"
    )


def control(version: str, arch: str, depends: str, installed_kib: int) -> str:
    """The DEBIAN/control file."""
    fields = {
        "Package": PACKAGE,
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": depends,
        "Recommends": RECOMMENDS,
        "Section": "video",
        "Priority": "optional",
        "Homepage": HOMEPAGE,
        "Description": f"{app_metadata.DESCRIPTION}\n" + _description_body(),
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value)


def _description_body() -> str:
    text = (
        "plexlogin signs a person into their Plex account with a short PIN or a QR code "
        "(approved at plex.tv/link or on a phone) and keeps the account token in the "
        "system keyring (Secret Service), never in a plain file. Media-center setup "
        "wizards and scripts run it and read its exit code, a JSON line and the keyring."
        "\n\n"
        "This package holds the self-contained app (Python, Qt and the libraries they "
        "use), a menu entry and icons."
    )
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append(" .")
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > 78:
                lines.append(" " + line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(" " + line)
    return "\n".join(lines)


# --- Depends ------------------------------------------------------------------------------


def is_elf(path: Path) -> bool:
    """Whether ``path`` is a regular ELF file (not a symlink to one)."""
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as file:
        return file.read(4) == b"\x7fELF"


def elf_files(app: Path) -> list[Path]:
    """Every ELF file of the bundle, sorted."""
    return sorted(path for path in app.rglob("*") if is_elf(path))


def linked_outside(app: Path) -> set[str]:
    """Sonames the bundle's ELF files link that the bundle does not ship itself."""
    shipped = {path.name for path in app.rglob("*")}
    needed = {name for path in elf_files(app) for name in bundle_filter.elf_needed(str(path))}
    return needed - shipped


def soname_owners(sonames: Iterable[str]) -> dict[str, set[str]]:
    """Which installed packages hold a file of each name (``dpkg -S``; none if unknown)."""
    names = sorted(set(sonames))
    owners: dict[str, set[str]] = {name: set() for name in names}
    if not names:
        return owners
    result = subprocess.run(
        ["dpkg", "-S", *(f"*/{name}" for name in names)],
        capture_output=True,
        text=True,
        check=False,  # 1 when a name is nobody's (a library only the bundle has)
    )
    for line in result.stdout.splitlines():
        packages, _, path = line.partition(": ")
        name = os.path.basename(path)
        if name in owners and not packages.startswith("diversion by"):
            owners[name].update(package.split(":")[0] for package in packages.split(", "))
    return owners


def bundled_only_packages(
    shipped: Mapping[str, set[str]], outside: Mapping[str, set[str]]
) -> set[str]:
    """Packages that hold only libraries the bundle ships a copy of.

    ``shipped`` and ``outside`` map sonames to the packages holding them on the build
    machine. A package that also holds a library the bundle links but does not ship (say
    libglib2.0-0 if libgio were not bundled) stays a dependency.
    """
    needed = set().union(*outside.values()) if outside else set()
    copies = set().union(*shipped.values()) if shipped else set()
    return copies - needed


def shlibdeps(app: Path, scratch: Path, exclude: Iterable[str]) -> str:
    """``dpkg-shlibdeps`` over every ELF file of the bundle: the ``Depends`` value.

    It wants a ``debian/control`` naming a binary package, so it runs in ``scratch``;
    ``-l`` lets it resolve the bundle's libraries by soname (PyInstaller puts them on
    ``LD_LIBRARY_PATH`` at run time), and ``--ignore-missing-info`` accepts that those
    copies belong to no package.
    """
    (scratch / "debian").mkdir(parents=True, exist_ok=True)
    (scratch / "debian" / "control").write_text(
        f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: any\n", encoding="utf-8"
    )
    lib_dirs = sorted({path.parent for path in elf_files(app) if ".so" in path.name})
    command = [
        "dpkg-shlibdeps",
        "-O",
        "--ignore-missing-info",
        *(f"-l{directory}" for directory in lib_dirs),
        *(f"-x{package}" for package in sorted(exclude)),
        *(str(path) for path in elf_files(app)),
    ]
    result = subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=True)
    match = re.search(r"^shlibs:Depends=(.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"dpkg-shlibdeps printed no shlibs:Depends: {result.stderr[-2000:]}")
    return match.group(1).strip()


# Run-time needs no ELF header names: the bundled fontconfig reads /etc/fonts/fonts.conf,
# and without a single font Qt draws empty boxes without a word; fontconfig-config brings
# both (it depends on fonts-dejavu-core or another font).
DATA_DEPENDS = ("fontconfig-config",)


def depends(app: Path, scratch: Path) -> str:
    """The Depends value for the bundle: what it links and does not ship, and its data."""
    shipped_libs = {path.name for path in app.rglob("*.so*") if path.is_file()}
    outside = linked_outside(app)
    owners = soname_owners(shipped_libs | outside)  # one dpkg -S: it reads every file list
    exclude = bundled_only_packages(
        {name: owners[name] for name in shipped_libs}, {name: owners[name] for name in outside}
    )
    return ", ".join([shlibdeps(app, scratch, exclude), *DATA_DEPENDS])


def drop_build_paths(app: Path) -> list[Path]:
    """Remove RUNPATHs that name the build machine (a pyenv's lib/ in Python's own
    modules): dead on the target, and a place to plant a library if that path ever
    exists there. ``$ORIGIN`` paths (Qt's, PySide6's) stay. Returns the files changed."""
    changed = []
    for path in elf_files(app):
        result = subprocess.run(
            ["patchelf", "--print-rpath", str(path)], capture_output=True, text=True, check=False
        )
        entries = [entry for entry in result.stdout.strip().split(":") if entry]
        if any(not entry.startswith("$ORIGIN") for entry in entries):
            kept = ":".join(entry for entry in entries if entry.startswith("$ORIGIN"))
            command = ["--set-rpath", kept] if kept else ["--remove-rpath"]
            subprocess.run(["patchelf", *command, str(path)], check=True)
            changed.append(path)
    return changed


# --- the tree -----------------------------------------------------------------------------


def _copy_app(app: Path, target: Path) -> None:
    """The one-folder app, with Debian's modes: 0755 for directories and the executable,
    0644 for everything else (shared libraries need no execute bit to be loaded)."""
    shutil.copytree(app, target, symlinks=True)
    for path in [target, *target.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path == target / PACKAGE:
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _install(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def _gzip(data: bytes, target: Path) -> None:
    """gzip -9n: no name and no time stamp in the header, so rebuilds give the same bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as packed,
    ):
        packed.write(data)
    target.chmod(0o644)


def stage(app: Path, root: Path, resources: Path, version: str, date: datetime) -> None:
    """Lay out the package's files below ``root`` (DEBIAN/ comes later)."""
    if root.exists():
        shutil.rmtree(root)
    _copy_app(app, root / PREFIX)
    (root / "usr/bin").mkdir(parents=True)
    # relative, so the link works wherever the tree is unpacked (and lintian likes it)
    (root / "usr/bin" / PACKAGE).symlink_to(f"../lib/{PACKAGE}/{PACKAGE}")
    app_id = app_metadata.APP_ID
    share = root / "usr/share"
    _install(resources / f"{app_id}.desktop", share / "applications" / f"{app_id}.desktop")
    _install(resources / f"{app_id}.metainfo.xml", share / "metainfo" / f"{app_id}.metainfo.xml")
    for icon in sorted((resources / "icons").rglob("*")):
        if icon.is_file():
            _install(icon, share / "icons" / icon.relative_to(resources / "icons"))
    doc = share / "doc" / PACKAGE
    _install(DEB_FILES / "copyright", doc / "copyright")
    _gzip(changelog(version, date).encode(), doc / "changelog.Debian.gz")
    _gzip((DEB_FILES / f"{PACKAGE}.1").read_bytes(), share / "man/man1" / f"{PACKAGE}.1.gz")
    _install(DEB_FILES / "lintian-overrides", share / "lintian/overrides" / PACKAGE)
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def installed_size_kib(root: Path) -> int:
    """Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus 1 per
    directory and symlink."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        else:
            total += -(-path.stat().st_size // 1024)
    return total


def build(app: Path, dist: Path, work: Path) -> Path:
    """Stage, compute Depends, write DEBIAN/control and pack; returns the .deb's path."""
    upstream = app_metadata.project_version(app_metadata.ROOT / "pyproject.toml")
    resources = app_metadata.ROOT / "resources"
    version = debian_version(upstream)
    date = release_date(resources / f"{app_metadata.APP_ID}.metainfo.xml", upstream)
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = work / "root"
    started = time.monotonic()
    stage(app, root, resources, version, date)
    drop_build_paths(root / PREFIX)
    _progress("staged", started)
    value = depends(root / PREFIX, work / "shlibdeps")
    _progress(f"Depends: {value}", started)
    (root / "DEBIAN").mkdir(mode=0o755)
    (root / "DEBIAN" / "control").write_text(
        control(version, arch, value, installed_size_kib(root)), encoding="utf-8"
    )
    (root / "DEBIAN" / "control").chmod(0o644)
    deb = dist / f"{PACKAGE}_{version}_{arch}.deb"
    # --root-owner-group: root:root inside the package whoever builds it (no fakeroot);
    # xz like Debian's own packages
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(int(date.timestamp()))},
    )
    _progress("packed", started)
    return deb


def _progress(what: str, started: float) -> None:
    print(f"deb_package: {what} ({time.monotonic() - started:.0f} s)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the .deb, print its path."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--app", type=Path, default=Path("dist/plexlogin"))
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    parser.add_argument("--work", type=Path, default=Path("build/deb"))
    args = parser.parse_args(argv)
    if not (args.app / PACKAGE).is_file():
        parser.error(f"{args.app / PACKAGE} is missing: run PyInstaller first")
    print(build(args.app.resolve(), args.dist, args.work.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
