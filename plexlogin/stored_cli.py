"""The commands about the stored entry: ``token``, ``status`` and ``logout``.

They read where the last sign-in put its token (config.json), or the entry given with
``--keyring-service``/``--keyring-username``. A stored Plex JWT renews itself here (see
docs/jwt.md). The sign-in itself lives in :mod:`plexlogin.cli`; the Plex Home commands in
:mod:`plexlogin.home_cli`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plexlogin import DEFAULT_PRODUCT, KEYRING_SERVICE
from plexlogin.cli import plex_url_of, read_config
from plexlogin.errors import ExitCode, KeyringError, PlexLoginError
from plexlogin.i18n import _
from plexlogin.report import Report
from plexlogin.text import for_terminal

if TYPE_CHECKING:
    from plexlogin.config import Config
    from plexlogin.devicekey import StoredJwt
    from plexlogin.models import PlexUser
    from plexlogin.secret import Token


def run_stored_command(args: argparse.Namespace) -> int:
    """Run ``token``, ``status`` or ``logout``; returns the exit code."""
    commands = {"token": _token, "status": _status, "logout": _logout}
    return commands[args.command](args)


def _stored_entry(args: argparse.Namespace, config: Config | None = None) -> tuple[str, str | None]:
    config = config or read_config()
    service = args.keyring_service or config.keyring_service or KEYRING_SERVICE
    username = args.keyring_username or config.keyring_username
    return service, username


def _jwt_entry(
    args: argparse.Namespace, config: Config, service: str, username: str | None
) -> StoredJwt | None:
    """The entry as a stored Plex JWT, when config.json remembers it as one (else None).

    Imports the JWT code only then: a legacy entry never loads PyJWT or cryptography.
    """
    remembered = (config.keyring_service or KEYRING_SERVICE, config.keyring_username)
    if config.auth != "jwt" or username is None or remembered != (service, username):
        return None
    from plexlogin.devicekey import StoredJwt

    # a renewal speaks as the client the JWT was issued to, whatever --client-id says now
    client_id = config.jwt_client_id or args.client_id or config.client_id
    product = args.product or DEFAULT_PRODUCT
    return StoredJwt(service, username, client_id, plex_url_of(args), product)


def _fresh(entry: StoredJwt | None, token: Token, *, expired: bool = False) -> Token:
    """``token``, renewed first when it is a Plex JWT that is (nearly) expired."""
    if entry is None:
        return token
    from plexlogin.devicekey import fresh_token

    fresh, _expires, warning = fresh_token(entry, token, expired=expired)
    if warning:
        print(f"plexlogin: {warning}", file=sys.stderr)
    return fresh


def _token(args: argparse.Namespace) -> int:
    from plexlogin.tokens import TokenStore

    config = read_config()
    service, username = _stored_entry(args, config)
    if username is None:
        raise PlexLoginError(_("No Plex account is stored yet: sign in with 'plexlogin' first."))
    token = TokenStore(service).load(username)
    if token is None:
        raise PlexLoginError(
            _("No token is stored for {username} (keyring service {service}).").format(
                username=username, service=service
            )
        )
    token = _fresh(_jwt_entry(args, config, service, username), token)
    # the one place the token is printed: this is what `plexlogin token` is for
    sys.stdout.write(token.reveal() + "\n")
    sys.stdout.flush()
    return int(ExitCode.OK)


def _status(args: argparse.Namespace) -> int:
    from plexlogin.tokens import TokenStore

    config = read_config()
    report = Report(
        status="missing",
        keyring_service=args.keyring_service or config.keyring_service or KEYRING_SERVICE,
        keyring_username=args.keyring_username or config.keyring_username,
        client_id=args.client_id or config.client_id,
    )
    message = _("No token is stored: sign in with 'plexlogin'.")
    try:
        store = TokenStore(report.keyring_service or KEYRING_SERVICE)
        token = store.load(report.keyring_username) if report.keyring_username else None
    except KeyringError as error:
        token = None
        report.status, report.error = "unknown", str(error)
        message = str(error)
    if token is not None:
        entry = _jwt_entry(
            args, config, report.keyring_service or KEYRING_SERVICE, report.keyring_username
        )
        report.auth = "legacy" if entry is None else "jwt"
        message = _check_token(args, token, report, entry)
    if args.json:
        report.write()
    else:
        where = sys.stdout if report.status == "valid" else sys.stderr
        print(for_terminal(message), file=where)
    return int(ExitCode.OK if report.status == "valid" else ExitCode.FAILED)


def _check_token(
    args: argparse.Namespace, token: Token, report: Report, entry: StoredJwt | None = None
) -> str:
    """Ask plex.tv about the stored token; fills ``report`` and returns the message.

    A Plex JWT that is (nearly) expired, or that plex.tv calls expired (498), is renewed
    first: it renews itself, so only a refused device key makes it invalid.
    """
    from plexlogin.errors import KeyRejected, PlexError, TokenExpired, TokenRejected

    try:
        token = _fresh(entry, token)
        try:
            user = _user_of(args, token, report, entry)
        except TokenExpired:
            token = _fresh(entry, token, expired=True)
            user = _user_of(args, token, report, entry)
    except (TokenRejected, KeyRejected) as error:
        report.status, report.error = "invalid", _rejection(error)
        # TRANSLATORS: {reason} is a whole sentence saying why
        return _("The stored token is no longer valid: {reason}").format(reason=report.error)
    except (PlexError, KeyringError) as error:  # a renewed token the keyring refused, too
        report.status, report.error = "unknown", str(error)
        # TRANSLATORS: {reason} is a whole sentence saying why
        return _("Could not check the stored token: {reason}").format(reason=error)
    report.status, report.username = "valid", user.username
    if entry is not None:
        from plexlogin.jwtauth import expiry_of

        expires = expiry_of(token)
        report.expires_at = expires.isoformat() if expires else None
        # TRANSLATORS: {expires} is an ISO 8601 date and time (2026-12-08T14:05:00+00:00)
        return _(
            "Signed in as {name}; plex.tv accepts the stored token, a Plex JWT "
            "that expires {expires} and renews itself ('plexlogin token')."
        ).format(name=user.account_name, expires=report.expires_at)
    return _("Signed in as {name}; plex.tv accepts the stored token.").format(
        name=user.account_name
    )


def _user_of(
    args: argparse.Namespace, token: Token, report: Report, entry: StoredJwt | None
) -> PlexUser:
    from plexlogin.plex import Identity, PlexClient

    client_id = entry.client_id if entry is not None else str(report.client_id)
    identity = Identity(client_id=client_id, product=args.product or DEFAULT_PRODUCT)
    with PlexClient(identity, plex_url_of(args)) as client:
        return client.get_user(token)


def _rejection(error: PlexLoginError) -> str:
    from plexlogin.errors import KeyRejected

    if isinstance(error, KeyRejected):
        return str(error)
    return _("plex.tv rejected the stored token: sign in again with 'plexlogin'.")


def _logout(args: argparse.Namespace) -> int:
    from plexlogin.devicekey import DeviceKeyStore
    from plexlogin.tokens import TokenStore

    service, username = _stored_entry(args)
    if username is None:
        print(_("No Plex account is stored."))
        return int(ExitCode.OK)
    removed = TokenStore(service).delete(username)
    shown = for_terminal(username)  # it came from plex.tv (or the config file)
    # the JWT sign-in's device key goes with its token (a legacy entry has none)
    if DeviceKeyStore(service).delete(username):
        print(_("Removed the device key of {username} from the keyring.").format(username=shown))
    if removed:
        print(_("Removed the token of {username} from the keyring.").format(username=shown))
    else:
        print(_("No token was stored for {username}.").format(username=shown))
    return int(ExitCode.OK)
