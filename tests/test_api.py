"""The Python API, driven the way a setup wizard drives it: against the simulator."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

import plexlogin
from plexlogin import events
from plexlogin.errors import (
    Cancelled,
    PlexLoginError,
    ProfilePinRejected,
    SignInTimeout,
    UsageError,
)
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from plexlogin.tokens import MemoryKeyring
from tests.helpers.qr_decode import decode_qr_picture, matrix_picture

CLIENT_ID = "0f4c7a2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b"


def wizard_options(sim: Simulator, **more: Any) -> dict[str, Any]:
    return {"plex_url": sim.url, "client_id": CLIENT_ID, "keyring_service": "wizard", **more}


def test_a_wizard_draws_the_codes_and_reads_the_token_after(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    shown: list[plexlogin.Codes] = []
    approved: list[str] = []

    def on_codes(codes: plexlogin.Codes) -> None:
        shown.append(codes)
        approved.append(simulator.approve(code=codes.code))  # the person types the code

    result = plexlogin.sign_in(ui="none", on_codes=on_codes, **wizard_options(simulator))

    [codes] = shown
    assert len(codes.code) == 4 and not codes.renewed
    assert codes.link_url == simulator.url + "/link"
    assert decode_qr_picture(matrix_picture([list(row) for row in codes.qr_matrix])) == [
        codes.auth_url
    ]
    assert all(not dark for dark in codes.qr_matrix[0]), "the quiet zone is included"
    now = datetime.now(timezone.utc)
    assert codes.expires_at.tzinfo is not None
    assert now + timedelta(minutes=14) < codes.expires_at <= now + timedelta(minutes=16)
    assert result == plexlogin.SignInResult(
        username="demo-user",
        profile=None,
        keyring_service="wizard",
        keyring_username="demo-user",
        client_id=CLIENT_ID,
    )
    assert "SIMULATED-" not in repr(result)
    assert plexlogin.stored_token("wizard", "demo-user") == approved[0]
    assert plexlogin.stored_token("wizard") == approved[0], "None: the last sign-in's entry"
    assert plexlogin.stored_token("elsewhere") is None
    assert plexlogin.stored_token("wizard", "nobody") is None


def test_events_arrive_typed_and_in_order_on_the_sign_in_thread(
    make_sim: Any, memory_keyring: MemoryKeyring
) -> None:
    sim = make_sim(auto_approve_after=0.2)
    heard: list[tuple[type, str]] = []

    def on_event(event: events.Event) -> None:
        heard.append((type(event), threading.current_thread().name))

    plexlogin.sign_in(ui="none", on_event=on_event, **wizard_options(sim))
    assert [kind for kind, _ in heard] == [
        events.CodesReady,
        events.Approved,
        events.Verified,
        events.Stored,
    ]
    assert {thread for _, thread in heard} == {"plexlogin-signin"}


def test_setting_cancel_ends_the_sign_in_within_a_second(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    cancel = threading.Event()
    codes_shown = threading.Event()
    cancelled_at: list[float] = []

    def person_gives_up() -> None:
        codes_shown.wait(10)
        cancelled_at.append(time.monotonic())
        cancel.set()

    threading.Thread(target=person_gives_up, daemon=True).start()
    with pytest.raises(Cancelled) as raised:
        plexlogin.sign_in(
            ui="none",
            on_codes=lambda codes: codes_shown.set(),
            cancel=cancel,
            **wizard_options(simulator),
        )
    assert time.monotonic() - cancelled_at[0] < 1.0
    assert str(raised.value) == "Sign-in cancelled."
    assert memory_keyring.get_password("wizard", "demo-user") is None


def test_a_cancel_set_before_the_start_ends_at_once(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    cancel = threading.Event()
    cancel.set()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        plexlogin.sign_in(ui="none", cancel=cancel, **wizard_options(simulator))
    assert time.monotonic() - started < 1.0


def test_the_timeout_raises_sign_in_timeout(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    started = time.monotonic()
    with pytest.raises(SignInTimeout):
        plexlogin.sign_in(ui="none", timeout=0.5, **wizard_options(simulator))
    assert time.monotonic() - started < 3.0


def test_a_callback_that_raises_stops_the_sign_in_and_is_raised(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    def broken(codes: plexlogin.Codes) -> None:
        raise RuntimeError("the wizard's page is gone")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="page is gone"):
        plexlogin.sign_in(ui="none", on_codes=broken, **wizard_options(simulator))
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"ui": "tv"}, "ui must be"),
        ({"timeout": -1}, "timeout must be"),
        ({"timeout": float("nan")}, "timeout must be"),
        ({"on_codes": "print"}, "on_codes must be callable"),
        ({"cancel": True}, "cancel must be a threading.Event"),
        ({"plex_url": "http://example.com"}, "plain HTTP"),
        ({"product": ""}, "product must be"),
        ({"client_id": "a\nb"}, "client_id must be"),
        ({"profile_pin": "1234"}, "profile_pin needs a profile"),
        ({"auth": "oauth"}, "auth must be one of legacy, jwt"),
    ],
)
def test_bad_arguments_are_refused_before_anything_starts(
    options: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(UsageError, match=complaint):
        plexlogin.sign_in(**{"ui": "none", **options})


def test_auth_jwt_signs_in_with_a_device_key_and_stores_a_plex_jwt(
    simulator: Simulator, memory_keyring: MemoryKeyring
) -> None:
    result = plexlogin.sign_in(
        ui="none",
        on_codes=lambda codes: simulator.approve(code=codes.code),
        auth="jwt",
        **wizard_options(simulator),
    )
    token = plexlogin.stored_token("wizard", result.keyring_username)
    assert token is not None and token.count(".") == 2, "a Plex JWT, not a legacy token"
    answer = requests.get(
        simulator.url + "/api/v2/user",
        headers={
            "X-Plex-Token": token,
            "X-Plex-Client-Identifier": CLIENT_ID,
            "Accept": "application/json",
        },
        timeout=5,
    )
    assert answer.status_code == 200, "the simulator accepts it"
    key = memory_keyring.get_password("wizard-device-key", result.keyring_username)
    assert key is not None and key.startswith("ed25519:"), "the device key is kept beside it"


def test_a_wizard_signs_in_as_a_protected_home_profile(
    make_sim: Callable[..., Simulator], memory_keyring: MemoryKeyring
) -> None:
    sim = make_sim(home=DEMO_HOME)
    result = plexlogin.sign_in(
        ui="none",
        on_codes=lambda codes: sim.approve(code=codes.code),
        profile="mia",  # any case
        profile_pin=DEMO_PROFILE_PIN,
        **wizard_options(sim),
    )
    assert (result.username, result.profile, result.keyring_username) == (None, "Mia", "Mia")
    assert plexlogin.stored_token("wizard", "Mia") is not None


def test_a_wrong_profile_pin_stores_nothing(
    make_sim: Callable[..., Simulator], memory_keyring: MemoryKeyring
) -> None:
    sim = make_sim(home=DEMO_HOME)
    with pytest.raises(ProfilePinRejected):
        plexlogin.sign_in(
            ui="none",
            on_codes=lambda codes: sim.approve(code=codes.code),
            profile="Mia",
            profile_pin="0000",
            **wizard_options(sim),
        )
    assert plexlogin.stored_token("wizard", "Mia") is None
    assert plexlogin.stored_token("wizard", "alex") is None


def test_the_terminal_front_end_draws_and_reports_the_same_way(
    make_sim: Any, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = make_sim(auto_approve_after=0.2)
    shown: list[str] = []
    result = plexlogin.sign_in(
        ui="terminal", on_codes=lambda codes: shown.append(codes.code), **wizard_options(sim)
    )
    out = capsys.readouterr().out
    assert result.keyring_username == "demo-user"
    assert " ".join(shown[0]) in out and "Signed in as demo-user." in out


def test_the_window_is_refused_in_words_without_a_display(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(PlexLoginError, match=r"no display found.*ui='none'"):
        plexlogin.sign_in(ui="window", plex_url="http://127.0.0.1:9")


# --- what importing costs ----------------------------------------------------------------

_HEADLESS_RUN = """
import json, sys
import plexlogin
slow = ("requests", "keyring", "PySide6", "qrcode")
loaded_by_import = sorted(m for m in slow if m in sys.modules)
assert "sign_in" in dir(plexlogin) and set(plexlogin.__all__) <= set(dir(plexlogin))
import keyring
from plexlogin.simulator import DEMO_HOME, DEMO_PROFILE_PIN, Simulator
from plexlogin.tokens import MemoryKeyring
keyring.set_keyring(MemoryKeyring())
with Simulator(auto_approve_after=0.1) as sim:
    result = plexlogin.sign_in(ui="none", plex_url=sim.url, on_codes=lambda codes: None,
                               keyring_service="wizard")
print(json.dumps({"import": loaded_by_import, "user": result.username,
                  "qt": sorted(m for m in sys.modules if m.startswith("PySide6"))}))
"""


def test_import_and_a_headless_sign_in_load_no_qt(tmp_path: Any) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _HEADLESS_RUN],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PLEXLOGIN_CONFIG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer == {"import": [], "user": "demo-user", "qt": []}


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        plexlogin.nope  # noqa: B018
