"""Small Qt-free values the window shows: the QR bitmap the worker draws, initials, codes.

What the window is *told* is :mod:`plexlogin.events`, the same vocabulary as every other
front-end; the worker adds only the QR bitmap (made off the UI thread). Immutable, so
handing it from thread to thread is safe.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QrBitmap:
    """A QR code as one byte per module (0 dark, 255 light), quiet zone included."""

    side: int
    pixels: bytes

    def __post_init__(self) -> None:
        if self.side <= 0 or len(self.pixels) != self.side * self.side:
            raise ValueError("a QR bitmap is side x side bytes")


def initials(name: str) -> str:
    """One or two letters for the avatar placeholder: "Jane Doe" -> "JD", "plexfan" -> "P"."""
    words = [word for word in name.replace("_", " ").replace(".", " ").split() if word]
    letters = [word[0] for word in words if word[0].isalnum()][:2]
    return "".join(letters).upper() or "?"


def spell_out(code: str) -> str:
    """The code as a screen reader should say it: "7RQZ" -> "7 R Q Z"."""
    return " ".join(code)
