"""The app's identity for the bundle: version, sources to freeze, Windows and macOS metadata.

Used by ``plexlogin.spec``, ``build.sh`` (``python packaging/app_metadata.py version``)
and ``tests/test_packaging.py``; imports nothing from PyInstaller.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

APP_ID = "io.github.plexlogin"
APP_NAME = "plexlogin"
DISPLAY_NAME = "Plex Sign-In"
DESCRIPTION = "Sign in to Plex with a PIN or QR code"
COPYRIGHT = "Copyright (c) plexlogin developers. MIT License."

ROOT = Path(__file__).resolve().parent.parent


def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``project.version`` from pyproject.toml (the one place the version is written)."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python 3.10: the [project] table's version line is enough
        match = re.search(r'(?ms)^\[project\].*?^version\s*=\s*"([^"]+)"', text)
        if not match:
            raise ValueError(f"no project version in {pyproject}") from None
        return match.group(1)
    return str(tomllib.loads(text)["project"]["version"])


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``0.1.0rc1`` -> ``(0, 1, 0, 0)``: Windows and macOS want four (three) plain numbers."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    numbers = [int(part) for part in release.group(0).split(".")][:4] if release else []
    return tuple([*numbers, 0, 0, 0, 0][:4])  # type: ignore[return-value]


def stage_sources(root: Path, stage: Path, version: str) -> Path:
    """Lay the package out as a wheel would, below ``stage``, and return ``stage``.

    The source tree keeps ``plexlogin.resources`` in ``resources/`` (setuptools maps it),
    and an editable install finds it through an import hook PyInstaller cannot follow.
    So the spec freezes this copy instead: ``plexlogin/`` with ``resources/`` inside it,
    plus a ``dist-info`` so ``importlib.metadata.version("plexlogin")`` (``--version``)
    answers in the bundle exactly as it does after ``pip install``.
    """
    if stage.exists():
        shutil.rmtree(stage)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "make_icons.py")
    shutil.copytree(root / "plexlogin", stage / "plexlogin", ignore=ignore)
    shutil.copytree(root / "resources", stage / "plexlogin" / "resources", ignore=ignore)
    dist_info = stage / f"plexlogin-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: plexlogin\nVersion: {version}\n", encoding="utf-8"
    )
    (dist_info / "INSTALLER").write_text("pyinstaller\n", encoding="utf-8")
    return stage


#: files the frozen app never reads: Python source is compiled into the archive, and the
#: message catalogs' sources (.po, .pot) are compiled to the .mo files that ship
NOT_DATA = (".py", ".pyc", ".po", ".pot")


def resource_datas(stage: Path) -> list[tuple[str, str]]:
    """(source, bundle folder) pairs for every data file of the staged package."""
    datas = []
    for path in sorted((stage / "plexlogin").rglob("*")):
        if path.is_file() and path.suffix not in NOT_DATA:
            datas.append((str(path), str(path.parent.relative_to(stage))))
    for dist_info in stage.glob("plexlogin-*.dist-info"):
        datas.append((str(dist_info), dist_info.name))
    return datas


def shipped_languages(stage: Path) -> tuple[str, ...]:
    """``plexlogin.i18n.TRANSLATED`` of the staged package, read without importing it.

    The spec runs in PyInstaller's process, where importing plexlogin would be wrong
    (and ``packaging/`` on the path would hide PyPI's ``packaging``); the tuple is a
    literal, so reading it is enough.
    """
    tree = ast.parse((stage / "plexlogin" / "i18n.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "TRANSLATED" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            return tuple(str(code) for code in value)
    raise ValueError("plexlogin/i18n.py defines no TRANSLATED")


def windows_version_file(version: str, exe_name: str) -> str:
    """The text of a PyInstaller version-info file for the .exe's Details tab.

    PyInstaller evaluates it with its ``versioninfo`` classes on Windows (they import
    ``pefile``, which only a Windows build environment has, hence text, not objects).
    """
    numbers = version_tuple(version)
    strings = {
        "CompanyName": "plexlogin developers",
        "FileDescription": DISPLAY_NAME,
        "FileVersion": version,
        "InternalName": APP_NAME,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": exe_name,
        "ProductName": DISPLAY_NAME,
        "ProductVersion": version,
    }
    string_structs = ",\n            ".join(
        f"StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    return f"""# generated by packaging/app_metadata.py
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3F,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0),
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '040904B0',
        [
            {string_structs}
        ],
      )
    ]),
    VarFileInfo([VarStruct('Translation', [0x0409, 1200])]),
  ],
)
"""


def macos_info_plist(version: str) -> dict[str, object]:
    """Info.plist keys PyInstaller's BUNDLE does not set itself (it adds the bundle id)."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,
        # follow the system's dark mode instead of forcing the light look
        "NSRequiresAquaSystemAppearance": False,
        "LSApplicationCategoryType": "public.app-category.utilities",
        "NSHumanReadableCopyright": COPYRIGHT,
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["version"]:
        print(project_version())
    else:
        sys.exit("usage: app_metadata.py version")
