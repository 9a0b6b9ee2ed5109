"""One ``plexlogin login``, shared by every front-end: settings in, outcome out.

This module imports nothing slow at import time: the window paints first and only then
loads ``requests`` and ``keyring`` (through :class:`LoginSession`) in its worker thread.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plexlogin import PLEX_URL
from plexlogin.errors import ExitCode, PlexLoginError

if TYPE_CHECKING:
    from plexlogin.flow import Event, SignIn, Waiter


class Status(str, enum.Enum):
    """The ``status`` of the ``--json`` line."""

    SIGNED_IN = "signed_in"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class LoginSettings:
    """What the command line decided for this sign-in."""

    plex_url: str
    client_id: str
    product: str
    device_name: str | None
    keyring_service: str
    keyring_username: str | None
    timeout: float | None = None
    demo: bool = False
    stay_open: bool = False
    verbose: bool = False
    #: remember service/username in the config file (not for --demo)
    remember: bool = True

    @property
    def link_url(self) -> str:
        """Where the person types the 4-character code."""
        if self.plex_url.rstrip("/") == PLEX_URL:
            return "https://plex.tv/link"
        return self.plex_url.rstrip("/") + "/link"


@dataclass(frozen=True)
class Outcome:
    """How a sign-in ended: the exit code and the ``--json`` line."""

    status: Status
    exit_code: ExitCode
    username: str | None = None
    keyring_username: str | None = None
    error: str | None = None
    error_kind: str | None = None

    @classmethod
    def signed_in(cls, username: str, keyring_username: str) -> Outcome:
        """The token was verified and stored."""
        return cls(Status.SIGNED_IN, ExitCode.OK, username, keyring_username)

    @classmethod
    def from_error(cls, error: PlexLoginError, username: str | None = None) -> Outcome:
        """The sign-in ended with ``error``."""
        status = {
            ExitCode.CANCELLED: Status.CANCELLED,
            ExitCode.TIMEOUT: Status.TIMEOUT,
        }.get(error.exit_code, Status.ERROR)
        return cls(status, error.exit_code, username, None, str(error), error.kind)

    def as_json(self, settings: LoginSettings) -> dict[str, object]:
        """The ``--json`` object: never the token."""
        return {
            "status": self.status.value,
            "username": self.username,
            "keyring_service": settings.keyring_service,
            "keyring_username": self.keyring_username or settings.keyring_username,
            "client_id": settings.client_id,
            "error": self.error,
        }


class LoginSession:
    """The flow, the client and the token store of one sign-in.

    Building it imports ``requests`` and ``keyring``: the window does that in its worker.
    """

    def __init__(
        self,
        settings: LoginSettings,
        on_event: Callable[[Event], None],
        *,
        clock: Callable[[], float] | None = None,
        waiter: Waiter | None = None,
    ) -> None:
        from plexlogin.flow import CodesReady, SignInFlow
        from plexlogin.plex import Identity, PlexClient
        from plexlogin.tokens import TokenStore

        named = {"device_name": settings.device_name} if settings.device_name else {}
        identity = Identity(client_id=settings.client_id, product=settings.product, **named)
        self.settings = settings
        self.client = PlexClient(identity, settings.plex_url)
        self.store = TokenStore(settings.keyring_service)
        warmed = False

        def relay(event: Event) -> None:
            nonlocal warmed
            on_event(event)
            if not warmed and isinstance(event, CodesReady):
                # the person needs seconds to approve: find the keyring meanwhile
                warmed = True
                self.store.warm_up()

        self.flow = SignInFlow(
            self.client,
            relay,
            timeout=settings.timeout,
            waiter=waiter,
            clock=clock or time.monotonic,
        )

    def run(self) -> SignIn:
        """Sign in; raises Cancelled, SignInTimeout or a PlexLoginError."""
        return self.flow.run()

    def store_token(self, result: SignIn) -> str:
        """Put the token in the keyring and remember where; returns the keyring username."""
        username = self.settings.keyring_username or result.user.username
        self.flow.save(result, self.store, username)
        if self.settings.remember:
            remember_account(self.settings.keyring_service, username, result.user.username)
        return username

    def cancel(self) -> None:
        """Stop at once (any thread)."""
        self.flow.cancel()

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()


def remember_account(service: str, keyring_username: str, account: str) -> None:
    """Note (non-secret) where the token went, so token/status/logout need no flags."""
    from plexlogin.config import load_config, save_config

    config, _warning = load_config()
    config.keyring_service = service
    config.keyring_username = keyring_username
    config.last_username = account
    try:
        save_config(config)
    except PlexLoginError:
        pass  # the token is stored; only the convenience of flag-less commands is lost
