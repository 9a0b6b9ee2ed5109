"""Regenerate the raster icons from ``plexlogin.svg``.

Run from anywhere with the project's virtualenv::

    python resources/make_icons.py

It writes, next to this file:

* ``icons/hicolor/<N>x<N>/apps/io.github.plexlogin.png`` for N in 16 … 512
* ``icons/hicolor/scalable/apps/io.github.plexlogin.svg`` (byte-for-byte copy of
  ``plexlogin.svg``; the XDG icon theme layout needs it at that path)
* ``plexlogin.ico`` (16-256, Windows) and ``plexlogin.icns`` (32-1024, macOS)

Rendering is done by QtSvg on the offscreen platform, and every file is written
by Pillow without timestamps or other metadata, so re-running it gives
byte-identical output for the same Qt and Pillow versions.  ``--check`` exits
non-zero if any committed file is out of date instead of writing.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

APP_ID = "io.github.plexlogin"
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "plexlogin.svg"
HICOLOR = HERE / "icons" / "hicolor"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """Rasterise the SVG at ``size`` x ``size`` and return it as an RGBA Pillow image."""
    qimg = QImage(size, size, QImage.Format.Format_RGBA8888)
    qimg.fill(Qt.GlobalColor.transparent)
    painter = QPainter(qimg)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    renderer.render(painter)
    painter.end()
    # Format_RGBA8888 is non-premultiplied RGBA in byte order: exactly Pillow's "RGBA".
    data = bytes(qimg.constBits())[: qimg.sizeInBytes()]
    stride = qimg.bytesPerLine()
    return Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", stride, 1).copy()


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def build() -> dict[Path, bytes]:
    """Return every generated file's path and contents (nothing is written)."""
    svg = SOURCE.read_bytes()
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: QtSvg cannot parse this SVG")

    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    images = {n: render(renderer, n) for n in sizes}

    out: dict[Path, bytes] = {}
    for n in PNG_SIZES:
        out[HICOLOR / f"{n}x{n}" / "apps" / f"{APP_ID}.png"] = png_bytes(images[n])
    out[HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"] = svg

    buf = io.BytesIO()
    biggest = images[max(ICO_SIZES)]
    biggest.save(
        buf,
        "ICO",
        sizes=[(n, n) for n in ICO_SIZES],
        append_images=[images[n] for n in ICO_SIZES if n != max(ICO_SIZES)],
    )
    out[HERE / "plexlogin.ico"] = buf.getvalue()

    buf = io.BytesIO()
    images[max(ICNS_SIZES)].save(buf, "ICNS", append_images=[images[n] for n in ICNS_SIZES])
    out[HERE / "plexlogin.icns"] = buf.getvalue()
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    stale = []
    for path, data in build().items():
        rel = path.relative_to(HERE)
        if path.exists() and path.read_bytes() == data:
            continue
        if check:
            stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {rel}")
    if stale:
        print("out of date (run resources/make_icons.py):", *map(str, stale), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
