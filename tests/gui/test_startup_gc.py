"""How the window starts: no cyclic garbage collection in the way of the first paint."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtWidgets import QApplication

from plexlogin.gui import app, run_window
from plexlogin.login import LoginSettings, Outcome
from plexlogin.simulator import Simulator

from .conftest import CLIENT_ID

pytestmark = pytest.mark.gui


def test_no_automatic_collection_while_the_window_is_built_and_start_up_is_frozen(
    qapp: QApplication, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collection stays off until the window closes; what start-up made is left out of
    the loop's passes (frozen), and all of it is given back afterwards."""
    gc.unfreeze()  # this test's own starting point: nothing frozen, collection on
    gc.enable()
    seen: dict[str, object] = {}

    class Watched(app.SignInWindow):
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen["collecting while built"] = gc.isenabled()
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def cancel() -> bool:
        seen["frozen while open"] = gc.get_freeze_count()
        return True

    monkeypatch.setattr(app, "SignInWindow", Watched)
    settings = LoginSettings(sim.url, CLIENT_ID, "plexlogin", None, "plexlogin-test", None)
    try:
        outcome = run_window(settings, cancel=cancel)
        after = (gc.isenabled(), gc.get_freeze_count())
    finally:
        gc.disable()  # back to what the Qt tests' fixture set up
    assert isinstance(outcome, Outcome)
    assert seen["collecting while built"] is False
    assert isinstance(seen["frozen while open"], int) and seen["frozen while open"] > 0
    assert after == (True, 0)
