"""Report: the --json object has every key of the contract, null when unknown, in order."""

from __future__ import annotations

import io
import json

from plexlogin.errors import Cancelled
from plexlogin.login import LoginSettings, Outcome
from plexlogin.report import Report

KEYS = [
    "status",
    "username",
    "keyring_service",
    "keyring_username",
    "client_id",
    "error",
    "auth",
    "expires_at",
    "profile",
]


def settings(keyring_username: str | None = None) -> LoginSettings:
    return LoginSettings(
        plex_url="https://plex.tv",
        client_id="0b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d",
        product="plexlogin",
        device_name=None,
        keyring_service="plexlogin",
        keyring_username=keyring_username,
    )


def test_an_empty_report_still_has_every_key() -> None:
    out = io.StringIO()
    Report(status="error", error="bad flag").write(out)
    line = out.getvalue()
    assert line.endswith("\n") and line.count("\n") == 1
    data = json.loads(line)
    assert list(data) == KEYS
    assert data == dict.fromkeys(KEYS) | {"status": "error", "error": "bad flag"}


def test_a_report_is_filled_as_the_run_goes() -> None:
    report = Report(keyring_service="plexlogin", client_id=None)
    report.learned(settings(keyring_username="wizard"))
    assert report.client_id == "0b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d"
    report.ended(Outcome.from_error(Cancelled.while_saving(), "jane"))
    assert report.as_json() == {
        "status": "cancelled",
        "username": "jane",
        "keyring_service": "plexlogin",
        "keyring_username": "wizard",
        "client_id": "0b7c4d3e-5f60-4a1b-8c2d-9e0f1a2b3c4d",
        "error": str(Cancelled.while_saving()),
        "auth": "legacy",
        "expires_at": None,
        "profile": None,
    }


def test_the_login_outcome_speaks_through_the_same_report() -> None:
    data = Outcome.signed_in("jane", "jane").as_json(settings())
    assert list(data) == KEYS
    assert data["status"] == "signed_in" and data["keyring_username"] == "jane"
    assert data["error"] is None and data["profile"] is None


def test_a_switched_profile_is_named_by_its_title() -> None:
    data = Outcome.signed_in(None, "Mia", profile="Mia").as_json(settings())
    assert (data["username"], data["keyring_username"], data["profile"]) == (None, "Mia", "Mia")
