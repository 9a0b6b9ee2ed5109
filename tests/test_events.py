"""events: the one vocabulary every front-end hears, importable without requests or Qt."""

from __future__ import annotations

import subprocess
import sys

from plexlogin import events
from plexlogin.errors import NetworkError
from plexlogin.flow import account_of
from plexlogin.models import PlexUser


def test_importing_the_vocabulary_loads_neither_requests_nor_qt() -> None:
    """The window imports it before its first paint; a Python caller without a GUI too."""
    probe = (
        "import sys, plexlogin.events; "
        "print(sorted(m for m in ('requests', 'PySide6', 'keyring') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_trouble_says_when_the_next_try_comes() -> None:
    trouble = events.Trouble("Can't reach plex.tv", 108.0, NetworkError("offline"))
    assert trouble.describe(100.0) == "Can't reach plex.tv — retrying in 8 s"
    assert trouble.describe(200.0) == "Can't reach plex.tv — retrying in 0 s"


def test_a_verified_account_carries_what_a_front_end_shows_and_no_plex_model() -> None:
    user = PlexUser(id=1, username="jane", title="Jane", friendly_name="Jane Doe", thumb="t")
    account = account_of(user)
    assert account == events.Account("jane", "Jane Doe", "Jane", "t", None)
    assert type(events.Verified(account).account).__module__ == "plexlogin.events"


def test_a_managed_profile_has_no_username_but_still_a_name() -> None:
    account = events.Account(username=None, display_name="Kids")
    assert account.username is None and account.display_name == "Kids"
