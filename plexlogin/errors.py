"""Exit codes and the one error family every part of plexlogin raises.

Every error carries a message a person understands. None of them ever holds a token:
the token only travels inside :class:`plexlogin.secret.Token`, whose repr is redacted.
"""

from __future__ import annotations

import enum

from plexlogin.i18n import _


class ExitCode(enum.IntEnum):
    """Process exit codes: part of the command-line contract that setup wizards rely on."""

    OK = 0  #: signed in: the token was verified and stored (or the command succeeded)
    FAILED = 1  #: gave up: network, server, keyring, or no token stored
    USAGE = 2  #: bad command line
    CANCELLED = 3  #: window closed, Esc, Ctrl-C, SIGINT or SIGTERM
    TIMEOUT = 4  #: --timeout ran out


class PlexLoginError(Exception):
    """Base of every error plexlogin reports; ``str(err)`` is for people."""

    exit_code: ExitCode = ExitCode.FAILED
    #: short machine-readable name used in ``--json`` output
    kind: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(PlexLoginError):
    """The command line or an option's value is wrong."""

    exit_code = ExitCode.USAGE
    kind = "usage"


class Cancelled(PlexLoginError):
    """The person (or a signal) cancelled the sign-in."""

    exit_code = ExitCode.CANCELLED
    kind = "cancelled"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Sign-in cancelled."))

    @classmethod
    def while_saving(cls) -> Cancelled:
        """Cancelled during the keyring write, which may still land after we exit."""
        return cls(
            _(
                "Sign-in cancelled while the token was being saved to the keyring; "
                "it may or may not have been saved."
            )
        )


class SignInTimeout(PlexLoginError):
    """``--timeout`` ran out before the sign-in finished."""

    exit_code = ExitCode.TIMEOUT
    kind = "timeout"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The sign-in timed out."))


# --- plex.tv -------------------------------------------------------------------------


class PlexError(PlexLoginError):
    """Something went wrong talking to plex.tv."""

    kind = "plex"
    #: whether trying again later may help
    transient = True


class NetworkError(PlexError):
    """plex.tv could not be reached (no network, DNS failure, refused, dropped)."""

    kind = "network"


class RequestTimeout(NetworkError):
    """plex.tv did not answer in time."""

    kind = "timeout_network"


class RateLimited(PlexError):
    """plex.tv answered 429; ``retry_after`` is its Retry-After in seconds, if it sent one."""

    kind = "rate_limited"

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(PlexError):
    """plex.tv answered with a 5xx status."""

    kind = "server"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class UnexpectedAnswer(PlexError):
    """plex.tv answered something that is not what it documents (HTML, bad JSON, wrong shape)."""

    kind = "unexpected_answer"


class PinExpired(PlexError):
    """The PIN is gone (404, error 1020): make a new one."""

    kind = "pin_expired"


class TokenRejected(PlexError):
    """plex.tv answered 401 to the token check: the token is not valid."""

    kind = "token_rejected"
    transient = False


class TokenExpired(PlexError):
    """plex.tv answered 498: a JWT (the Plex JWT, or a device JWT) has expired.

    Not a reason to sign in again: the device renews a Plex JWT by itself, and re-makes a
    device JWT over a fresh nonce.
    """

    kind = "token_expired"


class KeyRejected(PlexError):
    """plex.tv no longer accepts the device's key (422, or not registered): sign in again."""

    kind = "key_rejected"
    transient = False

class ProfilePinRejected(PlexError):
    """plex.tv refused to switch to a protected Home profile: the PIN was wrong (error 1041).

    The message never holds the PIN: it is a household secret.
    """

    kind = "profile_pin_rejected"
    transient = False

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The PIN was wrong for that profile."))


class NoSuchProfile(PlexLoginError):
    """The profile asked for by name is not in the Plex Home; the message names those that are."""

    kind = "no_such_profile"


# --- keyring -------------------------------------------------------------------------


class KeyringError(PlexLoginError):
    """The OS keyring could not do what was asked."""

    kind = "keyring"


class KeyringUnavailable(KeyringError):
    """No usable OS keyring (no backend, or only an unsafe plaintext one)."""

    kind = "keyring_unavailable"


class KeyringLocked(KeyringError):
    """The keyring is locked and was not unlocked."""

    kind = "keyring_locked"


class KeyringTimeout(KeyringError):
    """The keyring did not answer in time (often a hidden unlock prompt)."""

    kind = "keyring_timeout"


class KeyringWriteFailed(KeyringError):
    """The keyring refused to store, read or delete the entry."""

    kind = "keyring_write_failed"


class ConfigError(PlexLoginError):
    """The config file could not be read or written."""

    kind = "config"
