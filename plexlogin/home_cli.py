"""``plexlogin profiles`` and ``plexlogin switch NAME``: Plex Home with the stored token.

Like ``status``, both take ``--plex-url``, ``--client-id`` and the keyring options. ``switch``
goes through the same Home stage as a sign-in (:mod:`plexlogin.home`), so a profile is
found, unlocked with its PIN and verified the one way, and its ``--json`` line is the login
one. Neither ever prints a token or a PIN.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from plexlogin import DEFAULT_PRODUCT, KEYRING_SERVICE
from plexlogin.errors import ExitCode, PlexLoginError
from plexlogin.i18n import _
from plexlogin.report import Report

if TYPE_CHECKING:
    from plexlogin.events import Profile
    from plexlogin.flow import SignIn
    from plexlogin.login import Outcome
    from plexlogin.plex import PlexClient
    from plexlogin.secret import Token
    from plexlogin.terminal import TerminalChooser


def run_home_command(args: argparse.Namespace) -> int:
    """Run ``profiles`` or ``switch``; returns the exit code."""
    if args.command == "profiles":
        return _profiles(args)
    return _switch(args)


def _client(args: argparse.Namespace, client_id: str) -> PlexClient:
    from plexlogin.cli import plex_url_of
    from plexlogin.plex import Identity, PlexClient

    identity = Identity(client_id=client_id, product=args.product or DEFAULT_PRODUCT)
    return PlexClient(identity, plex_url_of(args))


def _stored_token(args: argparse.Namespace, report: Report) -> Token:
    """The stored token of the entry the options (or the last sign-in) name; fills ``report``."""
    from plexlogin.cli import read_config
    from plexlogin.tokens import TokenStore

    config = read_config()
    report.keyring_service = args.keyring_service or config.keyring_service or KEYRING_SERVICE
    report.keyring_username = args.keyring_username or config.keyring_username
    report.client_id = args.client_id or config.client_id
    if report.keyring_username is None:
        raise PlexLoginError(_("No Plex account is stored yet: sign in with 'plexlogin' first."))
    token = TokenStore(report.keyring_service).load(report.keyring_username)
    if token is None:
        raise PlexLoginError(
            _("No token is stored for {username} (keyring service {service}).").format(
                username=report.keyring_username, service=report.keyring_service
            )
        )
    return token


# --- profiles --------------------------------------------------------------------------


def profile_json(profile: Profile, current: str | None) -> dict[str, object]:
    """One entry of ``profiles --json``: no token, no PIN (a Profile holds neither)."""
    return {
        "title": profile.title,
        "username": profile.username,
        "uuid": profile.uuid,
        "admin": profile.admin,
        "protected": profile.protected,
        "restricted": profile.restricted,
        "current": profile.uuid == current,
    }


def _profiles(args: argparse.Namespace) -> int:
    from plexlogin.home import current_first

    try:
        token = _stored_token(args, Report())
        with _client(args, _client_id(args)) as client:
            current = client.get_user(token).uuid
            profiles = current_first(client.home_users(token), current)
    except PlexLoginError as error:
        if args.json:
            _write({"profiles": None, "error": str(error)})
        raise
    if args.json:
        _write({"profiles": [profile_json(profile, current) for profile in profiles]})
    elif not profiles:
        print(_("This account is not in a Plex Home: it has no other profiles."))
    else:
        _print_profiles(profiles, current)
    return int(ExitCode.OK)


def _client_id(args: argparse.Namespace) -> str:
    from plexlogin.cli import read_config

    return str(args.client_id or read_config().client_id)


def _print_profiles(profiles: tuple[Profile, ...], current: str | None) -> None:
    from plexlogin.text import for_terminal

    for profile in profiles:
        badges = ((_("admin"), profile.admin), (_("PIN"), profile.protected))
        marks = [name for name, on in badges if on]
        mark = "*" if profile.uuid == current else " "
        separator = _(", ")
        extra = f" ({separator.join(marks)})" if marks else ""
        print(f"{mark} {for_terminal(profile.title)}{extra}")


def _write(data: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


# --- switch ----------------------------------------------------------------------------


def _switch(args: argparse.Namespace) -> int:
    from plexlogin.login import Outcome

    report = Report()
    try:
        outcome = _switch_and_store(args, report)
    except PlexLoginError as error:
        outcome = Outcome.from_error(error)
        print(f"plexlogin: {error}", file=sys.stderr)
    report.ended(outcome)
    if args.json:
        report.write()
    return int(outcome.exit_code)


def _switch_and_store(args: argparse.Namespace, report: Report) -> Outcome:
    from plexlogin.cli import read_profile_pin
    from plexlogin.flow import SignIn
    from plexlogin.home import HomeStage, ProfileRequest
    from plexlogin.login import Outcome, remember_account
    from plexlogin.tokens import TokenStore

    token = _stored_token(args, report)
    pin = read_profile_pin() if args.profile_pin_stdin else None
    request = ProfileRequest(args.name, pin, picker=False)
    del pin
    with _client(args, str(report.client_id)) as client:
        signin = SignIn(client.get_user(token), token)
        switched, profile = HomeStage(client, request, _pin_asker(), lambda event: None).run(signin)
    assert report.keyring_service is not None and report.keyring_username is not None
    if profile is not None:  # else NAME is the profile the stored token already has
        TokenStore(report.keyring_service).save(report.keyring_username, switched.token)
        remember_account(
            report.keyring_service, report.keyring_username, switched.user.account_name
        )
    said = _("Signed in as {name} (keyring service {service}, account {username}).").format(
        name=_name_of(profile, switched),
        service=report.keyring_service,
        username=report.keyring_username,
    )
    print(said, file=sys.stderr)
    title = profile.title if profile is not None else None
    return Outcome.signed_in(switched.user.username, report.keyring_username, profile=title)


def _name_of(profile: Profile | None, signin: SignIn) -> str:
    from plexlogin.text import for_terminal

    return for_terminal(profile.title if profile is not None else signin.user.account_name)


def _pin_asker() -> TerminalChooser | None:
    """A person at a terminal types a protected profile's PIN (without echo); a pipe can't."""
    from plexlogin.terminal import TerminalChooser, TerminalView, stdin_is_tty

    if not stdin_is_tty():
        return None
    return TerminalChooser(TerminalView(sys.stderr, link_url=""))
