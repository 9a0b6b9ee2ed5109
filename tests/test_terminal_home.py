"""The terminal's Plex Home chooser on its own: the list, the answers, server text made safe."""

from __future__ import annotations

import io

from plexlogin.events import Profile, ProfilesOffered
from plexlogin.terminal import TerminalChooser, TerminalView, for_terminal

ALEX = Profile(1, "a1", "Alex", "alex", admin=True)
EVIL = Profile(2, "b2", "\x1b]0;pwned\x07Eve\u202e", None, protected=True)


def chooser(answers: list[str]) -> tuple[TerminalChooser, io.StringIO]:
    out = io.StringIO()
    lines = iter(answers)
    return TerminalChooser(TerminalView(out, link_url=""), lambda: next(lines, "")), out


def test_server_text_cannot_drive_the_terminal() -> None:
    assert for_terminal("Mia") == "Mia"
    assert "\x1b" not in for_terminal(EVIL.title) and "\u202e" not in for_terminal(EVIL.title)
    pick, out = chooser(["2"])
    assert pick.choose(ProfilesOffered((ALEX, EVIL), "a1")) is EVIL
    assert "\x1b" not in out.getvalue() and "\u202e" not in out.getvalue()
    assert "1. Alex (admin, signed in)" in out.getvalue() and "(PIN)" in out.getvalue()


def test_each_profile_has_a_line_of_its_own() -> None:
    pick, out = chooser(["1"])
    pick.choose(ProfilesOffered((ALEX, EVIL), "a1"))
    text = out.getvalue()
    assert "\\x0a" not in text, "line breaks are real ones, not shown as escapes"
    assert "\nThis account is a Plex Home. Who should this device sign in as?\n" in text
    assert "\n  1. Alex (admin, signed in)\n  2. " in text


def test_answers_a_person_may_give() -> None:
    offer = ProfilesOffered((ALEX, EVIL), "a1")
    pick, out = chooser(["x", "0", "3", "1"])
    assert pick.choose(offer) is ALEX
    assert out.getvalue().count("Please type a number from 1 to 2.") == 3
    pick, _ = chooser(["\n"])
    assert pick.choose(offer) is None  # Enter alone: the signed-in one, nothing to switch
    pick, _ = chooser([])  # end of input
    assert pick.choose(offer) is None
