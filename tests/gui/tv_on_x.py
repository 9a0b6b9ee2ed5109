"""Run under ``xvfb-run``: ``plexlogin --demo --tv``, a screenshot, then the remote's Back.

Prints one JSON line: the window's geometry, the screen's, the QR texts and symbol height
read from the screenshot, how long the process took to exit after Back, and its exit code.
The demo approves itself after a few seconds, so all of this happens well before that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage

from tests.helpers.qr_decode import read_qr

TITLE = "Sign in to Plex"


def xdotool(*args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], check=True, capture_output=True, text=True, timeout=20
    ).stdout.strip()


def screenshot() -> Image.Image:
    """The whole X screen, through Qt (no ImageMagick needed)."""
    app = QGuiApplication.instance() or QGuiApplication([])
    assert isinstance(app, QGuiApplication)
    image = app.primaryScreen().grabWindow(0).toImage()
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    return Image.frombytes(
        "L", (image.width(), image.height()), bytes(image.constBits()), "raw", "L",
        image.bytesPerLine(),
    )  # fmt: skip


def main() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    process = subprocess.Popen(
        [sys.executable, "-m", "plexlogin", "--demo", "--tv", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    window = xdotool("search", "--sync", "--onlyvisible", "--name", TITLE).split()[0]
    time.sleep(2.0)  # codes arrive from the simulator and are painted
    geometry = xdotool("getwindowgeometry", "--shell", window)
    picture = screenshot()
    found = read_qr(picture)
    symbols = [abs(r.position.bottom_left.y - r.position.top_left.y) for r in found]
    xdotool("windowfocus", "--sync", window)
    pressed = time.monotonic()
    xdotool("key", "XF86Back")
    try:
        code = process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        code = None
    took = time.monotonic() - pressed
    out, err = process.communicate()
    report = {
        "geometry": dict(line.split("=", 1) for line in geometry.splitlines()),
        "screen": [picture.width, picture.height],
        "qr": [r.text for r in found],
        "symbols": symbols,
        "exit": code,
        "seconds": took,
        "json": out.strip(),
        "stderr": err[-2000:],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
