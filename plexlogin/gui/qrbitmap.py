"""The QR code as the worker hands it to the window: one byte per module, Qt-free.

The worker encodes the QR off the UI thread; this value is all that crosses to the window.
Immutable, so handing it from thread to thread is safe.
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
