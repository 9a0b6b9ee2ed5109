"""The command line: an API that setup wizards depend on, so it is exact and tested.

    plexlogin [login] [options]   sign in (the window by default; --terminal for text mode)
    plexlogin token               print the stored token on stdout (exit 1 if there is none)
    plexlogin status [--json]     is a token stored, and does plex.tv accept it? (0 yes, 1 no)
    plexlogin logout              remove the stored token (exit 0, also when there was none)
    plexlogin profiles [--json]   list the stored account's Plex Home profiles
    plexlogin switch NAME         switch the stored token to a Plex Home profile's
    plexlogin --version

Exit codes are :class:`plexlogin.errors.ExitCode`. Nothing here imports PySide6, requests
or keyring at import time: the window must paint first.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from plexlogin import (
    DEFAULT_PRODUCT,
    DEMO_KEYRING_SERVICE,
    KEYRING_SERVICE,
    PLEX_URL,
    __version__,
    i18n,
)
from plexlogin.errors import Cancelled, ExitCode, PlexLoginError, UsageError
from plexlogin.i18n import N_, _, ngettext
from plexlogin.login import AUTH_KINDS, LoginSettings, Outcome, Status
from plexlogin.report import Report
from plexlogin.signals import ignore_cancel_signals, sigterm_interrupts
from plexlogin.text import for_terminal

if TYPE_CHECKING:
    from plexlogin.config import Config

log = logging.getLogger("plexlogin")

#: seconds until the demo approves its own PIN when nobody does
DEMO_AUTO_APPROVE = 8.0

COMMANDS = ("login", "token", "status", "logout", "profiles", "switch")


#: argparse's own words that a person can meet in plexlogin's --help and usage errors.
#: argparse looks each up through its module's ``_`` when it prints it; pointed at our
#: catalog (:func:`_argparse_speaks_our_language`), they follow --lang like the rest.
#: The %-placeholders are argparse's: a translation keeps each one.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("%(heading)s:"),
    N_("show this help message and exit"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ignored explicit argument %r"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
)


def _argparse_speaks_our_language() -> None:
    """Let argparse's module-level ``_`` and ``ngettext`` read plexlogin's catalog.

    argparse calls them when it formats help or a complaint, so this covers every parser;
    a word not in :data:`ARGPARSE_WORDS` stays argparse's English.
    """
    setattr(argparse, "_", _)  # noqa: B010 - argparse has no public hook for this
    setattr(argparse, "ngettext", ngettext)  # noqa: B010


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of exiting, so --json still gets its line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(
            # TRANSLATORS: {message} is argparse's own (English) complaint, {prog} "plexlogin"
            _("{message} (see '{prog} --help')").format(message=message, prog=self.prog)
        )


# --- argument checks -------------------------------------------------------------------


def check_plex_url(value: str) -> str:
    """A plex.tv base URL; plain http only to a loopback host (credentials travel over it)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[::1", characters that change under NFKC normalization
        raise UsageError(
            _("--plex-url is not a valid URL: {url}").format(url=repr(value))
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.netloc:
        raise UsageError(_("--plex-url must be an https:// URL, not {url}").format(url=repr(value)))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UsageError(_("--plex-url must not contain a user name or password"))
    if parts.query or parts.fragment:
        raise UsageError(_("--plex-url must not contain a query or fragment"))
    if not _AUTHORITY.fullmatch(parts.netloc):
        # urllib.parse is lenient ("[::1]x" has the host ::1 for it); requests is not, and
        # where the two disagree the host we checked need not be the host we connect to
        raise _bad_host_or_port(value)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise _bad_host_or_port(value) from None
    if not host:
        raise UsageError(_("--plex-url has no host: {url}").format(url=repr(value)))
    if scheme == "http" and not _is_loopback(host):
        raise UsageError(
            _(
                "refusing to send credentials over plain HTTP: "
                "--plex-url must be https:// unless it points at this machine (127.0.0.1, ::1)"
            )
        )
    return f"{scheme}://{parts.netloc}{parts.path}".rstrip("/")


#: a URL's host and port, written so that every URL parser reads them alike: a DNS name or
#: IPv4 address, or a bracketed IPv6 address (with an optional %25 zone), and a port
_AUTHORITY = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\])"
    r"(?::[0-9]{1,5})?"
)


def _bad_host_or_port(value: str) -> UsageError:
    return UsageError(_("--plex-url has an invalid host or port: {url}").format(url=repr(value)))


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name such as 127.0.0.1.example.com resolves anywhere


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a number of seconds: {value}").format(value=repr(value))
        ) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(
            _("must be a positive number of seconds: {value}").format(value=repr(value))
        )
    return seconds


def _auth_kind(value: str) -> str:
    if value not in AUTH_KINDS:
        raise argparse.ArgumentTypeError(
            _("must be 'legacy' or 'jwt', not {value}").format(value=repr(value))
        )
    return value


def _name(label: str, limit: int = 128) -> type[str]:
    def check(value: str) -> str:
        if not value.strip() or len(value) > limit or not value.isprintable():
            raise argparse.ArgumentTypeError(
                # TRANSLATORS: {label} is an option such as --product; {limit} a number
                _("{label} must be 1 to {limit} printable characters").format(
                    label=label, limit=i18n.format_number(limit)
                )
            )
        return value

    check.__name__ = label
    return check  # type: ignore[return-value]


# --- the parser ------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One option of the contract: its flags, its value's name, and what it does.

    ``wording`` is the one wording of both ``--help`` and README.md's option table (a test
    keeps them equal), marked for the catalog with named placeholders for the defaults;
    backticks mark code for the README and are dropped for ``--help``, which speaks the
    run's language while README.md stays English.
    """

    flags: tuple[str, ...]
    metavar: str | None  # None: a switch
    wording: str

    @property
    def usage(self) -> str:
        """The option column of README.md's table, e.g. ``--timeout SECONDS``."""
        value = f" {self.metavar}" if self.metavar else ""
        return ", ".join(f"`{flag}{value}`" for flag in self.flags)

    @property
    def meaning(self) -> str:
        """The meaning column of README.md's table: the English wording."""
        return self.wording.format(**_DEFAULTS)

    @property
    def help(self) -> str:
        """The ``--help`` text, in the run's language."""
        return _(self.wording).format(**_DEFAULTS).replace("`", "")


#: the values the options' wordings name (code, never translated)
_DEFAULTS = {
    "plex_url": PLEX_URL,
    "product": DEFAULT_PRODUCT,
    "service": KEYRING_SERVICE,
    "demo_service": DEMO_KEYRING_SERVICE,
    "languages": ", ".join(f"`{code}`" for code in i18n.TRANSLATED),
}

#: every option, in README order; COMMON ones are taken by every subcommand
OPTIONS = {
    "plex_url": Option(
        ("--plex-url",),
        "URL",
        N_(
            "plex.tv base URL (default `{plex_url}`, or env `PLEXLOGIN_PLEX_URL`); `http://` "
            "only to this machine (127.0.0.1, ::1), else exit 2"
        ),
    ),
    "client_id": Option(
        ("--client-id",),
        "ID",
        N_("`X-Plex-Client-Identifier` (default: a UUID made once and kept in the config folder)"),
    ),
    "product": Option(
        ("--product",),
        "NAME",
        N_("`X-Plex-Product`, the app name in Plex's device list (default `{product}`)"),
    ),
    "device_name": Option(
        ("--device-name",),
        "NAME",
        N_(
            "`X-Plex-Device-Name`, the device name in Plex's device list "
            "(default: this computer's name)"
        ),
    ),
    "keyring_service": Option(
        ("--keyring-service",),
        "NAME",
        N_(
            "keyring service the token is stored under (default `{service}`; "
            "`{demo_service}` with `--demo`; token/status/logout: the last sign-in's)"
        ),
    ),
    "keyring_username": Option(
        ("--keyring-username",),
        "NAME",
        N_(
            "keyring username the token is stored under (default: the Plex account's "
            "username; token/status/logout: the last sign-in's)"
        ),
    ),
    "lang": Option(
        ("--lang",),
        "CODE",
        N_(
            "speak this language: {languages} or `en` (default: from env `LANGUAGE`, "
            "`LC_ALL`, `LC_MESSAGES`, `LANG`); an unknown one means English"
        ),
    ),
    "json": Option(
        ("--json",),
        None,
        N_("at the end print exactly one JSON object on stdout; never the token"),
    ),
    "timeout": Option(
        ("--timeout",),
        "SECONDS",
        N_("give up after that many seconds, exit 4 (default: no limit)"),
    ),
    "terminal": Option(
        ("--terminal",),
        None,
        N_("text mode: code, QR in Unicode blocks, a countdown line; never loads Qt"),
    ),
    "demo": Option(
        ("--demo",),
        None,
        N_(
            "run against the built-in simulator; stores into keyring service `{demo_service}` "
            "only (another `--keyring-service`: exit 2)"
        ),
    ),
    "stay_open": Option(("--stay-open",), None, N_("keep the window open after signing in")),
    "tv": Option(
        ("--tv",),
        None,
        N_(
            "full-screen TV mode for a remote control: huge code and QR, Back cancels "
            "(or env `PLEXLOGIN_TV=1`)"
        ),
    ),
    "auth": Option(
        ("--auth",),
        "KIND",
        N_(
            "`legacy` (default): a long-lived token; `jwt`: a device key in the keyring and "
            "7-day tokens that `plexlogin token` renews by itself (see docs/jwt.md)"
        ),
    ),
    "profile": Option(
        ("--profile",),
        "NAME",
        N_(
            "after signing in, switch to the Plex Home profile with this title or username "
            "(any case) without showing the picker; exit 1 if the Home has none"
        ),
    ),
    "profile_pin_stdin": Option(
        ("--profile-pin-stdin",),
        None,
        N_(
            "read that profile's PIN from the first line of standard input (never give it as "
            "an argument: every local user can read those)"
        ),
    ),
    "no_profile_picker": Option(
        ("--no-profile-picker",),
        None,
        N_("keep the account that approved the code: don't offer the Plex Home's profiles"),
    ),
    "verbose": Option(("-v", "--verbose"), None, N_("diagnostics on stderr (never the token)")),
}
_COMMON = (
    "plex_url",
    "client_id",
    "product",
    "device_name",
    "keyring_service",
    "keyring_username",
    "lang",
    "verbose",
)
_CHECKS: dict[str, Callable[[str], Any]] = {
    "client_id": _name("--client-id"),
    "product": _name("--product"),
    "device_name": _name("--device-name"),
    "keyring_service": _name("--keyring-service"),
    "keyring_username": _name("--keyring-username"),
    "profile": _name("--profile", 256),
    "timeout": _positive_seconds,
    "auth": _auth_kind,
}


def tv_wanted(flag: bool, environ: Mapping[str, str]) -> bool:
    """TV mode: ``--tv``, or ``PLEXLOGIN_TV=1`` from a wizard that can only set the environment."""
    return flag or environ.get("PLEXLOGIN_TV") == "1"


def _add(parser: argparse.ArgumentParser, *names: str) -> None:
    for name in names:
        option = OPTIONS[name]
        if option.metavar is None:
            parser.add_argument(*option.flags, action="store_true", help=option.help)
        else:
            check = _CHECKS.get(name, str)
            parser.add_argument(*option.flags, metavar=option.metavar, type=check, help=option.help)


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line contract."""
    parser = _Parser(
        prog="plexlogin",
        description=_("Sign in to Plex with a code or QR code and keep the token in the keyring."),
        epilog=_(
            "Exit codes: 0 signed in / success, 1 failed, 2 usage error, 3 cancelled, 4 timed out."
        ),
    )
    _argparse_speaks_our_language()
    parser.add_argument(
        "--version",
        action="version",
        version=f"plexlogin {__version__}",
        help=_("show the version number and exit"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = _Parser(add_help=False)
    _add(common, *_COMMON)
    login = commands.add_parser("login", parents=[common], help=_("sign in (the default command)"))
    _add(login, "json", "timeout", "terminal", "demo", "stay_open", "tv", "auth")
    _add(login, "profile", "profile_pin_stdin", "no_profile_picker")
    commands.add_parser("token", parents=[common], help=_("print the stored token"))
    status = commands.add_parser("status", parents=[common], help=_("check the stored token"))
    _add(status, "json")
    commands.add_parser("logout", parents=[common], help=_("remove the stored token"))
    profiles = commands.add_parser(
        "profiles", parents=[common], help=_("list the stored account's Plex Home profiles")
    )
    _add(profiles, "json")
    switch = commands.add_parser(
        "switch", parents=[common], help=_("store a Plex Home profile's token instead")
    )
    switch.add_argument(
        "name", metavar="NAME", type=_name("NAME", 256), help=_("title or username")
    )
    _add(switch, "profile_pin_stdin", "json")
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """``plexlogin [options]`` means ``plexlogin login [options]``."""
    for arg in argv:
        if arg in ("-h", "--help", "--version"):
            return argv
        if not arg.startswith("-"):
            return argv if arg in COMMANDS else ["login", *argv]
    return ["login", *argv]


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run plexlogin; returns the exit code (the console script exits with it)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    with sigterm_interrupts():
        try:
            return _main(args_list)
        except (KeyboardInterrupt, RuntimeError) as error:
            # Ctrl-C or SIGTERM before the command got anywhere (perhaps wrapped: see
            # entry.interrupted)
            from plexlogin.entry import cancelled_while_starting, interrupted

            if not interrupted(error):
                raise
            return cancelled_while_starting(args_list)


def _main(args_list: list[str]) -> int:
    wants_json = "--json" in args_list
    i18n.choose(i18n.lang_argument(args_list))
    try:
        args = build_parser().parse_args(_with_default_command(args_list))
    except UsageError as error:
        return _usage_failure(error, wants_json)
    except SystemExit as done:  # --help and --version
        return int(done.code or 0)
    _configure_logging(args.verbose)
    # after logging is set up, so that -v can tell why a --lang was not heard
    log.debug("speaking %s (asked for: %s)", i18n.current().code, args.lang or "the environment")
    try:
        if args.command in ("token", "status", "logout"):
            from plexlogin.stored_cli import run_stored_command

            return run_stored_command(args)
        if args.command in ("profiles", "switch"):
            from plexlogin.home_cli import run_home_command

            return run_home_command(args)
        return _login(args)
    except UsageError as error:
        return _usage_failure(error, getattr(args, "json", False))
    except PlexLoginError as error:
        _error(error)
        return int(error.exit_code)


def _usage_failure(error: UsageError, wants_json: bool) -> int:
    _error(error)
    if wants_json:
        Report(status="error", error=str(error)).write()
    return int(ExitCode.USAGE)


def _error(error: BaseException) -> None:
    # an error may quote plex.tv's answer or a stored username: never raw escapes
    print(f"plexlogin: {for_terminal(str(error))}", file=sys.stderr)
    log.debug("details", exc_info=error)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="plexlogin: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # urllib3 logs request lines at DEBUG; plexlogin's own lines say what matters
    logging.getLogger("urllib3").setLevel(logging.INFO)


def plex_url_of(args: argparse.Namespace) -> str:
    raw = args.plex_url or os.environ.get("PLEXLOGIN_PLEX_URL") or PLEX_URL
    return check_plex_url(raw)


def read_config() -> Config:
    """The config file (warning on stderr when it was damaged and replaced)."""
    from plexlogin.config import load_config

    config, warning = load_config()
    if warning:
        print(f"plexlogin: {for_terminal(warning)}", file=sys.stderr)
    return config


# --- login -----------------------------------------------------------------------------


def _login(args: argparse.Namespace) -> int:
    service = args.keyring_service or (DEMO_KEYRING_SERVICE if args.demo else KEYRING_SERVICE)
    # what the --json line can say if Ctrl-C or SIGTERM comes before the settings exist
    report = Report(
        keyring_service=service, keyring_username=args.keyring_username, client_id=args.client_id
    )
    try:
        return _sign_in(args, report)
    except KeyboardInterrupt:
        ignore_cancel_signals()
        print(f"plexlogin: {Cancelled()}", file=sys.stderr)
        if args.json:
            report.status, report.error = Status.CANCELLED.value, str(Cancelled())
            report.write()
        return int(ExitCode.CANCELLED)


def _refuse_a_real_entry_for_the_demo(args: argparse.Namespace) -> None:
    """The demo's fake token must never replace a real one: only the demo's own service.

    Refused rather than quietly replaced by the demo service: a wizard that passed its own
    service would then look for the token where it never went.
    """
    if args.demo and args.keyring_service not in (None, DEMO_KEYRING_SERVICE):
        raise UsageError(
            _(
                "--demo stores its fake token only under keyring service {demo_service}, "
                "never under {service}: leave --keyring-service out"
            ).format(demo_service=DEMO_KEYRING_SERVICE, service=repr(args.keyring_service))
        )


def _sign_in(args: argparse.Namespace, report: Report) -> int:
    _refuse_a_real_entry_for_the_demo(args)
    config = read_config()
    report.client_id = args.client_id or config.client_id
    plex_url = plex_url_of(args)  # checked before anything starts
    simulator = None
    demo_url = None
    service = args.keyring_service or KEYRING_SERVICE
    if args.demo:
        from plexlogin.simulator import DEMO_HOME, Simulator
        from plexlogin.tokens import use_memory_keyring_if_none

        simulator = Simulator(auto_approve_after=DEMO_AUTO_APPROVE, home=DEMO_HOME).start()
        # the run's secret is part of every page the person may open (the link page and
        # the QR's auth page build on plex_url), so no other web page can drive them
        plex_url = simulator.control_url
        demo_url = simulator.approval_url
        service = DEMO_KEYRING_SERVICE  # never a real entry (checked above)
        if use_memory_keyring_if_none():
            message = _("no system keyring found; the demo keeps its (fake) token in memory only.")
            print(f"plexlogin: {message}", file=sys.stderr)
    settings = LoginSettings(
        plex_url=plex_url,
        client_id=args.client_id or config.client_id,
        product=args.product or DEFAULT_PRODUCT,
        device_name=args.device_name,
        keyring_service=service,
        keyring_username=args.keyring_username,
        timeout=args.timeout,
        demo=args.demo,
        stay_open=args.stay_open,
        tv=tv_wanted(args.tv, os.environ),
        verbose=args.verbose,
        remember=not args.demo,
        auth=args.auth or "legacy",
        profile=args.profile,
        profile_pin=read_profile_pin() if args.profile_pin_stdin else None,
        profile_picker=not args.no_profile_picker,
    )
    log.debug("signing in against %s as client %s", plex_url, settings.client_id)
    try:
        outcome = _run_front_end(args, settings, demo_url)
        ignore_cancel_signals()
    finally:
        if simulator is not None:
            simulator.stop()
    if outcome.error and outcome.exit_code != ExitCode.OK:
        print(f"plexlogin: {for_terminal(outcome.error)}", file=sys.stderr)
    if args.json:
        report.learned(settings)
        report.ended(outcome)
        report.write()
    return int(outcome.exit_code)


def _run_front_end(
    args: argparse.Namespace, settings: LoginSettings, demo_url: str | None
) -> Outcome:
    # the same entry as the Python API's sign_in(): the two cannot drift
    from plexlogin.api import no_window_reason, run_sign_in

    if not args.terminal:
        reason = no_window_reason()
        if reason is None:
            return run_sign_in(settings, "window")
        # TRANSLATORS: {reason} says why no window can open (e.g. no display)
        message = _("{reason}; using the terminal instead.").format(reason=reason)
        print(f"plexlogin: {message}", file=sys.stderr)
    # with --json, stdout carries only the JSON line
    out = sys.stderr if args.json else sys.stdout
    return run_sign_in(settings, "terminal", out=out, demo_url=demo_url)


def read_profile_pin() -> str:
    """A Plex Home profile's PIN from the first line of standard input (never an argument,
    which every local user sees in ``ps``). Four digits; the error never repeats it."""
    line = sys.stdin.readline()
    pin = line.rstrip("\r\n").strip()
    del line
    if len(pin) != 4 or not (pin.isascii() and pin.isdigit()):
        raise UsageError(
            _("--profile-pin-stdin: the first line of standard input must be 4 digits.")
        )
    return pin
