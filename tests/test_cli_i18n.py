"""The command line and the terminal in the person's language: --lang, gettext's variables.

Machine fields (the --json keys, ``status``, exit codes) stay English whatever the language;
the sentences for people follow it: each language's sign-in shows that catalog's own words.
"""

from __future__ import annotations

import io
import json
import signal
import time
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from plexlogin import i18n
from plexlogin.cli import OPTIONS, build_parser
from plexlogin.events import CodesReady, Trouble
from plexlogin.simulator import Simulator
from plexlogin.terminal import TerminalView
from plexlogin.tokens import MemoryKeyring
from tests.test_cli import (
    _env,
    approve_when_shown,
    json_line,
    run_main,
    sim_url,  # noqa: F401 - the fixture
    start_until_code_shown,
)

CANCELLED = "Sign-in cancelled."


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.activate(i18n.ENGLISH)


def german(msgid: str) -> str:
    """The German catalog's translation of ``msgid``, which must have one."""
    translated = i18n.load("de").translations.gettext(msgid)
    assert translated != msgid, f"the German catalog lacks {msgid!r}"
    return translated


# --- choosing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "de"], "de"),
        (["login", "--terminal", "--lang=ja"], "ja"),
        (["token"], None),
        (["--lang"], None),  # argparse says what is missing
        (["switch", "--", "--lang", "de"], None),  # a profile's name, not the option
    ],
)
def test_lang_is_found_before_the_parser_exists(argv: list[str], expected: str | None) -> None:
    assert i18n.lang_argument(argv) == expected


def test_the_help_is_built_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--lang", "de", "login", "--help"], capsys)
    assert code == 0 and "--lang CODE" in out
    assert i18n.current().code == "de", "chosen before argparse printed the help"


def test_argparses_own_words_follow_the_language_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--lang", "de", "login", "--help"], capsys)
    assert code == 0
    assert out.startswith("Aufruf: plexlogin login") and "diese Hilfe anzeigen und beenden" in out
    assert "usage:" not in out and "show this help message" not in out
    code, out, err = run_main(["--lang", "fr", "--json", "--bogus"], capsys)
    assert code == 2
    assert "arguments non reconnus : --bogus" in err
    assert str(json_line(out)["error"]).startswith("arguments non reconnus")


def test_every_command_takes_lang() -> None:
    subparsers = next(action for action in build_parser()._actions if action.dest == "command")
    for name, parser in subparsers.choices.items():  # type: ignore[union-attr]
        assert "--lang" in parser.format_help(), name
    assert "`en`" in OPTIONS["lang"].meaning and "`pt_BR`" in OPTIONS["lang"].meaning


# --- a sign-in in each language ------------------------------------------------------------


def test_an_unknown_language_signs_in_in_english(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    approve_when_shown(simulator)
    code, out, err = run_main(
        ["--terminal", "--plex-url", simulator.url, "--json", "--lang", "xx"], capsys
    )
    assert code == 0, err
    assert i18n.current() is i18n.ENGLISH
    assert json_line(out)["status"] == "signed_in"
    assert "Sign in to Plex: go to " in err and "Signed in as demo-user." in err
    assert "xx" not in err, "falling back to English is not worth a word without -v"


@pytest.mark.parametrize("code", i18n.TRANSLATED)
def test_a_terminal_sign_in_completes_in_every_language(
    code: str,
    simulator: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    approve_when_shown(simulator)
    exit_code, out, err = run_main(
        ["--terminal", "--plex-url", simulator.url, "--json", "--lang", code], capsys
    )
    assert exit_code == 0, err
    assert i18n.current().code == code
    data = json_line(out)
    assert data["status"] == "signed_in" and data["error"] is None  # machine fields: English
    assert "Traceback" not in err and "demo-user" in err
    assert memory_keyring.get_password("plexlogin", "demo-user")
    # the terminal spoke this language's catalog, not English
    catalog = i18n.load(code).translations
    for msgid in ("Signed in as {name}.", "Sign in to Plex: go to {url} and enter this code:"):
        assert catalog.gettext(msgid) != msgid, f"{code} lacks {msgid!r}"
    assert catalog.gettext("Signed in as {name}.").format(name="demo-user") in err
    assert "Signed in as" not in err and "Sign in to Plex: go to" not in err


def test_a_timed_out_run_keeps_its_machine_fields_english(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_main(
        ["--terminal", "--plex-url", simulator.url, "--json", "--timeout", "0.5", "--lang", "de"],
        capsys,
    )
    assert code == 4
    data = json_line(out)
    assert data["status"] == "timeout"
    assert data["error"] == i18n.load("de").translations.gettext("The sign-in timed out.")


def _cancel_while_waiting(options: list[str], **env: str) -> tuple[dict[str, object], str]:
    process = start_until_code_shown(*options, env=_env(**env))
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 3, err
    assert "Traceback" not in err
    return json.loads(out), err


@pytest.mark.parametrize(
    ("options", "env"),
    [([], {"LANGUAGE": "de", "LANG": "de_DE.UTF-8"}), (["--lang", "de"], {"LANGUAGE": "fr"})],
    ids=["LANGUAGE", "--lang"],
)
def test_a_cancelled_run_says_so_in_german_but_its_status_stays_english(
    sim_url: str,  # noqa: F811 - the fixture
    options: list[str],
    env: dict[str, str],
) -> None:
    data, err = _cancel_while_waiting(["--plex-url", sim_url, *options], **env)
    assert data["status"] == "cancelled"
    assert data["error"] == german(CANCELLED)
    assert f"plexlogin: {german(CANCELLED)}" in err
    assert CANCELLED not in err


# --- the terminal's numbers and times --------------------------------------------------


def _codes_shown(language: i18n.Language, expires_at: datetime) -> str:
    i18n.activate(language)
    out = io.StringIO()
    view = TerminalView(out, link_url="https://plex.tv/link")
    view.handle(CodesReady("ABCD", "https://app.plex.tv/auth#x", 0.0, 900.0, expires_at, False))
    return out.getvalue()


def test_the_expiry_is_the_local_time_of_day_as_the_language_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # UTC+9 all year
    time.tzset()
    try:
        moment = datetime(2026, 12, 1, 14, 5, tzinfo=timezone.utc)
        # the German sentence, with the time of day in Tokyo
        assert "(Der Code läuft um 23:05 ab." in _codes_shown(i18n.load("de"), moment)
        english = _codes_shown(i18n.ENGLISH, moment)
        assert "(The code expires at 11:05" in english and "PM." in english
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_retry_countdown_counts_in_the_languages_digits() -> None:
    from plexlogin.errors import NetworkError

    trouble = Trouble("Can't reach plex.tv", 1234.0, NetworkError("no route"))
    i18n.activate(i18n.ENGLISH)
    assert trouble.describe(0.0) == "Can't reach plex.tv — retrying in 1,234 s"
    i18n.activate(i18n.load("de"))
    assert "1.234" in trouble.describe(0.0)
    assert trouble.describe(1233.0).endswith(" 1 s")


def test_a_cancel_before_the_parser_exists_is_said_in_the_asked_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from plexlogin.entry import cancelled_while_starting

    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = cancelled_while_starting(["--terminal", "--json", "--lang", "de"])
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    out, err = capsys.readouterr()
    assert code == 3
    assert json.loads(out) == {**json.loads(out), "status": "cancelled", "error": german(CANCELLED)}
    assert err == f"plexlogin: {german(CANCELLED)}\n"


# --- the Python API ------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "said"), [("de", german(CANCELLED)), ("xx", CANCELLED)])
def test_the_python_api_speaks_the_language_it_is_given(
    simulator: Simulator, memory_keyring: MemoryKeyring, language: str, said: str
) -> None:
    import threading

    import plexlogin
    from plexlogin.errors import Cancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled) as raised:
        plexlogin.sign_in(ui="none", cancel=cancel, plex_url=simulator.url, language=language)
    assert str(raised.value) == said and raised.value.kind == "cancelled"


def test_the_python_api_refuses_a_language_that_is_not_a_code() -> None:
    import plexlogin
    from plexlogin.errors import UsageError

    with pytest.raises(UsageError, match="language"):
        plexlogin.sign_in(ui="none", language=7)  # type: ignore[arg-type]
