"""Runtime hook (Windows, windowed .exe): give Python somewhere to write.

A GUI-subsystem program started by a double click has no console, so Python sets
``sys.stdout`` and ``sys.stderr`` to None, and plexlogin's ``sys.stdout.write`` (``--json``,
``plexlogin token``) or a logging handler would raise. When the parent did hand over pipes
(a wizard's ``subprocess.run(..., capture_output=True)``) they stay as they are.
"""

import os
import sys

if sys.stdout is None:
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
if sys.stderr is None:
    sys.stderr = open(os.devnull, "w", encoding="utf-8")
