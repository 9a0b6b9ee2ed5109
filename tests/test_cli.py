"""The command-line contract: exit codes, the --json line, token/status/logout, refusals.

In-process through ``main(argv)`` with an in-memory keyring, and through the installed
console script in a subprocess where the real process matters (signals, imports, streams).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from plexlogin import __version__
from plexlogin.cli import check_plex_url, main
from plexlogin.errors import UsageError
from plexlogin.simulator import Simulator
from plexlogin.tokens import MemoryKeyring
from tests.helpers.keyring_fixtures import RaisingKeyring
from tests.test_report import KEYS

PLEXLOGIN = Path(sys.executable).with_name("plexlogin")
JSON_KEYS = set(KEYS)  # the contract, spelled once in test_report


def approve_when_shown(sim: Simulator, *, strong: bool = False) -> threading.Thread:
    """Approve the newest PIN of the kind as soon as the program has made its pair."""

    def approve() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pins = [p for p in sim.pins() if p.strong == strong and not p.approved]
            if len([p for p in sim.pins() if not p.approved]) >= 2 and pins:
                sim.approve(max(pins, key=lambda p: p.id).id)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=approve, daemon=True)
    thread.start()
    return thread


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def json_line(out: str) -> dict[str, object]:
    lines = out.splitlines()
    assert len(lines) == 1, f"stdout must hold exactly one line, got {lines!r}"
    data = json.loads(lines[0])
    assert set(data) == JSON_KEYS
    return data


# --- arguments -------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.strip() == f"plexlogin {__version__}"


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    for command in ("login", "token", "status", "logout"):
        assert command in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--no-such-option"],
        ["login", "--timeout", "soon"],
        ["--timeout", "-5"],
        ["--timeout", "nan"],
        ["frobnicate"],
        ["--client-id", ""],
        ["--product", "x" * 500],
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(argv, capsys)
    assert code == 2
    assert err.startswith("plexlogin: ") and "Traceback" not in err
    assert out == ""


def test_bad_arguments_with_json_still_print_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--json", "--timeout", "soon"], capsys)
    assert code == 2
    assert json.loads(out)["status"] == "error"


def test_plain_http_to_another_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["--terminal", "--plex-url", "http://plex.example", "--json"], capsys)
    assert code == 2
    assert "refusing to send credentials over plain HTTP" in err
    assert json.loads(out)["status"] == "error"


def test_env_plex_url_is_checked_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLEXLOGIN_PLEX_URL", "http://10.0.0.1:32400")
    code, _, err = run_main(["--terminal"], capsys)
    assert code == 2 and "plain HTTP" in err


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://plex.tv", "https://plex.tv"),
        ("https://plex.tv/", "https://plex.tv"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("HTTP://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.5.6.7", "http://127.5.6.7"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://localhost:9000", "http://localhost:9000"),
    ],
)
def test_accepted_plex_urls(url: str, expected: str) -> None:
    assert check_plex_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1.evil.example",
        "http://plex.tv",
        "http://[::2]",
        "http://user:secret@127.0.0.1:8080",
        "https://user@plex.tv",
        "ftp://127.0.0.1",
        "file:///etc/passwd",
        "plex.tv",
        "https://plex.tv?x=1",
        "http://127.0.0.1:99999",
        "",
    ],
)
def test_refused_plex_urls(url: str) -> None:
    with pytest.raises(UsageError):
        check_plex_url(url)


# --- login -----------------------------------------------------------------------------


def test_terminal_login_signs_in_and_stores_the_token(
    simulator: Simulator,
    memory_keyring: MemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    approve_when_shown(simulator)
    code, out, err = run_main(
        [
            "login",
            "--terminal",
            "--plex-url",
            simulator.url,
            "--json",
            "--keyring-service",
            "wizard",
            "--keyring-username",
            "living-room",
        ],
        capsys,
    )
    assert code == 0, err
    data = json_line(out)
    assert data["status"] == "signed_in" and data["username"] == "demo-user"
    assert data["keyring_service"] == "wizard" and data["keyring_username"] == "living-room"
    issued = next(p.token for p in simulator.pins() if p.approved)
    assert issued and memory_keyring.get_password("wizard", "living-room") == issued
    assert issued not in out and issued not in err
    assert "plex.tv/link" not in out, "with --json, the person's text goes to stderr"
    assert "/link" in err


def test_qr_approval_signs_in_too(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    approve_when_shown(simulator, strong=True)
    code, out, _ = run_main(["--terminal", "--plex-url", simulator.url, "--json"], capsys)
    assert code == 0
    # default keyring username: the Plex account's
    assert json_line(out)["keyring_username"] == "demo-user"
    assert memory_keyring.get_password("plexlogin", "demo-user")


def test_token_status_logout_after_login(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    approve_when_shown(simulator)
    assert run_main(["--terminal", "--plex-url", simulator.url], capsys)[0] == 0
    issued = next(p.token for p in simulator.pins() if p.approved)

    code, out, _ = run_main(["token"], capsys)
    assert (code, out) == (0, f"{issued}\n")

    code, out, _ = run_main(["status", "--json", "--plex-url", simulator.url], capsys)
    assert code == 0
    status = json_line(out)
    assert status["status"] == "valid" and status["username"] == "demo-user"
    assert issued not in out

    assert issued is not None
    simulator.revoke(issued)
    code, out, _ = run_main(["status", "--json", "--plex-url", simulator.url], capsys)
    assert code == 1 and json_line(out)["status"] == "invalid"

    code, out, _ = run_main(["logout"], capsys)
    assert code == 0 and memory_keyring.get_password("plexlogin", "demo-user") is None
    assert run_main(["logout"], capsys)[0] == 0, "logout with nothing stored still succeeds"
    code, out, err = run_main(["token"], capsys)
    assert code == 1 and out == "" and "No token is stored" in err
    code, out, _ = run_main(["status", "--json"], capsys)
    assert code == 1 and json_line(out)["status"] == "missing"


def test_token_before_any_sign_in(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(["token"], capsys)
    assert code == 1 and out == ""
    assert "sign in" in err and "Traceback" not in err


def test_status_when_plex_is_unreachable_is_unknown(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_keyring.set_password("plexlogin", "someone", "SIMULATED-token")
    simulator.add_fault("user", status=503)
    code, out, _ = run_main(
        ["status", "--json", "--plex-url", simulator.url, "--keyring-username", "someone"], capsys
    )
    assert code == 1 and json_line(out)["status"] == "unknown"


def test_keyring_failure_reports_error_and_exit_1(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_keyring(RaisingKeyring(keyring.errors.PasswordSetError("write refused")))
    approve_when_shown(simulator)
    code, out, err = run_main(["--terminal", "--plex-url", simulator.url, "--json"], capsys)
    assert code == 1
    data = json_line(out)
    assert data["status"] == "error" and data["username"] == "demo-user"
    assert "keyring" in str(data["error"]).lower()
    assert "Traceback" not in err


def test_no_keyring_backend_is_a_plain_error(
    simulator: Simulator,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from keyring.backends import fail

    use_keyring(fail.Keyring())
    approve_when_shown(simulator)
    code, out, err = run_main(["--terminal", "--plex-url", simulator.url, "--json"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "keyring" in str(json_line(out)["error"]).lower()


def test_timeout_exits_4(
    simulator: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_main(
        ["--terminal", "--plex-url", simulator.url, "--json", "--timeout", "0.5"], capsys
    )
    assert code == 4
    assert json_line(out)["status"] == "timeout"


def test_unreachable_plex_until_timeout_exits_1(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, _ = run_main(
        ["--terminal", "--plex-url", f"http://127.0.0.1:{port}", "--json", "--timeout", "0.5"],
        capsys,
    )
    assert code == 1
    assert "Can't reach plex.tv" in str(json_line(out)["error"])


def test_broken_config_is_reported_and_replaced(
    _isolated_config: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    (_isolated_config / "config.json").write_bytes(b"\x00{not json")
    code, _, err = run_main(["token"], capsys)
    assert code == 1 and "Traceback" not in err
    assert "replaced" in err
    json.loads((_isolated_config / "config.json").read_text())


def test_no_display_falls_back_to_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from plexlogin import api

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert api.no_window_reason() == "no display found"
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert api.no_window_reason() is None


# --- the installed console script ------------------------------------------------------


@pytest.fixture
def sim_url() -> Iterator[str]:
    with Simulator() as sim:
        # the URL with the run secret: the API answers below it and so do the controls
        yield sim.control_url


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(extra)
    return env


def start_until_code_shown(
    *options: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """The console script in terminal mode, once its code is on screen (waiting to poll)."""
    process = subprocess.Popen(
        [str(PLEXLOGIN), "--terminal", "--json", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env() if env is None else env,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "/link" in line:
            break
    return process


def test_console_script_sigterm_while_waiting_exits_3(sim_url: str) -> None:
    process = start_until_code_shown("--plex-url", sim_url)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    took = time.monotonic() - sent
    assert process.returncode == 3
    assert json.loads(out)["status"] == "cancelled"
    assert "Traceback" not in err
    assert took < 1.0, f"SIGTERM took {took:.2f} s to end the run"


def test_console_script_terminal_mode_never_loads_qt(sim_url: str) -> None:
    script = (
        "import sys; from plexlogin.cli import main; "
        f"code = main(['--terminal', '--plex-url', {sim_url!r}, '--timeout', '0.3']); "
        "sys.exit(90 if 'PySide6' in sys.modules else code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_env(), timeout=30
    )
    assert done.returncode == 4, done.stderr


def test_console_script_without_display_uses_terminal(sim_url: str) -> None:
    env = _env()
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [str(PLEXLOGIN), "--plex-url", sim_url, "--json", "--timeout", "0.3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert done.returncode == 4
    assert "no display found; using the terminal instead" in done.stderr
    assert json.loads(done.stdout)["status"] == "timeout"


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "plexlogin", "--version"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and done.stdout.strip() == f"plexlogin {__version__}"


@pytest.mark.secret_service
@pytest.mark.skipif(
    os.environ.get("PLEXLOGIN_TEST_SECRET_SERVICE") != "1",
    reason="set PLEXLOGIN_TEST_SECRET_SERVICE=1 inside an unlocked D-Bus session",
)
def test_console_script_stores_in_the_real_secret_service(sim_url: str) -> None:
    service = f"plexlogin-test-{os.getpid()}"
    process = start_until_code_shown(
        "--plex-url", sim_url, "--keyring-service", service, "--keyring-username", "tester"
    )
    # approve through the simulator's HTTP control endpoint, as a wizard's test would
    import requests

    with requests.Session() as http:
        issued = http.post(f"{sim_url}/_sim/approve", json={}, timeout=5).json()["token"]
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert json.loads(out)["status"] == "signed_in"
    lookup = subprocess.run(
        ["secret-tool", "lookup", "service", service, "username", "tester"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert lookup.stdout.strip() == issued
    token = subprocess.run(
        [str(PLEXLOGIN), "token", "--keyring-service", service, "--keyring-username", "tester"],
        capture_output=True,
        text=True,
        timeout=30,
        env=_env(),
    )
    assert token.returncode == 0 and token.stdout.strip() == issued
    assert issued not in out + err
    subprocess.run(
        [str(PLEXLOGIN), "logout", "--keyring-service", service, "--keyring-username", "tester"],
        check=True,
        capture_output=True,
        timeout=30,
        env=_env(),
    )


# --- --help and README.md say the same -----------------------------------------------------


def _readme_options() -> dict[str, str]:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("| option | meaning |\n| --- | --- |\n", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split(" | ", 1) for line in table.splitlines()]
    return {usage.strip(): meaning.strip() for usage, meaning in rows}


def test_readme_option_table_is_the_help_table() -> None:
    from plexlogin.cli import OPTIONS

    assert _readme_options() == {option.usage: option.meaning for option in OPTIONS.values()}


@pytest.mark.parametrize("command", ["login", "token", "status", "logout"])
def test_every_option_says_what_it_does_and_no_default_is_none(command: str) -> None:
    from plexlogin.cli import OPTIONS, build_parser

    subparsers = next(action for action in build_parser()._actions if action.dest == "command")
    parser = subparsers.choices[command]  # type: ignore[index]
    meanings = {option.help for option in OPTIONS.values()}
    for action in parser._actions:
        if action.dest == "help":
            continue
        assert action.help in meanings, action.option_strings
    text = parser.format_help()
    assert "None" not in text
