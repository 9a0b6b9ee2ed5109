"""The start-up marks the benchmarks time: the first paint of each new code."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from plexlogin.gui import paint_marks
from plexlogin.gui.widgets import CodeView


def test_each_new_code_is_marked_once_when_first_painted(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first code marks "codes-shown", the renewed one "codes-shown-2": the swap is timed."""
    marks = tmp_path / "marks"
    monkeypatch.setenv(paint_marks.PAINT_MARK_ENV, str(marks))
    monkeypatch.setattr(paint_marks, "_marked", set())
    view = CodeView()
    qtbot.addWidget(view)
    view.grab()  # painted without a code: nothing to mark
    for code in ("7RQZ", "7RQZ", "K2MX"):
        view.set_code(code)
        view.grab()
        view.grab()
    names = [line.split()[0] for line in marks.read_text().splitlines()]
    assert names == ["codes-shown", "codes-shown-2"]
