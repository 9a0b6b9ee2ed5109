"""plexlogin.errors: the exit codes and error kinds wizards read are fixed and distinct."""

from __future__ import annotations

import pytest

from plexlogin import errors
from plexlogin.errors import (
    Cancelled,
    ExitCode,
    KeyRejected,
    KeyringError,
    NetworkError,
    PlexError,
    PlexLoginError,
    ProfilePinRejected,
    RateLimited,
    RequestTimeout,
    ServerError,
    SignInTimeout,
    TokenRejected,
    UsageError,
)


def family() -> list[type[PlexLoginError]]:
    """PlexLoginError and every subclass of it, however deep."""
    found: list[type[PlexLoginError]] = []
    todo: list[type[PlexLoginError]] = [PlexLoginError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def test_exit_codes_are_the_documented_numbers() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "FAILED": 1,
        "USAGE": 2,
        "CANCELLED": 3,
        "TIMEOUT": 4,
    }


def test_every_error_has_its_own_json_kind() -> None:
    # the classes defined in plexlogin.errors (tests may subclass, but not here)
    defined = [k for k in family() if k.__module__ == errors.__name__]
    assert len(defined) >= 17
    kinds = [k.kind for k in defined]
    assert len(set(kinds)) == len(kinds), f"two errors share a --json kind: {sorted(kinds)}"
    assert all(kind.isidentifier() and kind.islower() for kind in kinds)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UsageError("--timeout must be positive"), ExitCode.USAGE),
        (Cancelled(), ExitCode.CANCELLED),
        (Cancelled.while_saving(), ExitCode.CANCELLED),
        (SignInTimeout("timed out"), ExitCode.TIMEOUT),
        (NetworkError("no network"), ExitCode.FAILED),
        (KeyringError("no keyring"), ExitCode.FAILED),
        (TokenRejected("rejected"), ExitCode.FAILED),
    ],
)
def test_each_error_ends_the_process_with_its_exit_code(
    error: PlexLoginError, code: ExitCode
) -> None:
    assert error.exit_code == code


def test_the_message_is_what_a_person_reads() -> None:
    error = ServerError("plex.tv is having problems", status=503)
    assert str(error) == error.message == "plex.tv is having problems"
    assert error.status == 503
    assert str(Cancelled()) == "Sign-in cancelled."


def test_cancelled_while_saving_says_the_token_may_have_been_saved() -> None:
    message = str(Cancelled.while_saving())
    assert "cancelled" in message.lower()
    assert "may or may not have been saved" in message


def test_rate_limited_keeps_retry_after() -> None:
    assert RateLimited("busy", retry_after=12.0).retry_after == 12.0
    assert RateLimited("busy", retry_after=None).retry_after is None


def test_only_a_rejected_token_device_key_or_profile_pin_is_not_worth_retrying() -> None:
    # the same wrong PIN sent again is refused again: only the person can change it
    plex_errors = [k for k in family() if issubclass(k, PlexError)]
    assert {k for k in plex_errors if not k.transient} == {
        TokenRejected,
        KeyRejected,
        ProfilePinRejected,
    }


def test_callers_can_catch_by_family() -> None:
    """A timed-out request is a network problem with plex.tv, and every error is ours."""
    assert issubclass(RequestTimeout, NetworkError) and issubclass(NetworkError, PlexError)
    assert issubclass(KeyringError, PlexLoginError) and issubclass(PlexError, PlexLoginError)
