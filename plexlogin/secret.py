"""The token type: a string that refuses to show itself by accident."""

from __future__ import annotations

import logging
import re
from typing import Final

_REDACTED: Final = "Token(<redacted>)"


class Token:
    """A Plex account token.

    ``repr()``, ``str()`` and f-strings print ``Token(<redacted>)``; only :meth:`reveal`
    gives the value, so every place that needs it is easy to find (the HTTP header,
    the keyring, and ``plexlogin token``).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a token must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        """The token itself. Never log or print it."""
        return self._value

    def __repr__(self) -> str:
        return _REDACTED

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return _REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("tokens are not pickled")


#: a ``pin=`` query parameter (a Plex Home profile's PIN) in a logged URL or request line
_PIN_IN_QUERY: Final = re.compile(r"([?&]pin=)[^&\s\"']*", re.IGNORECASE)


class ProfilePinFilter(logging.Filter):
    """Blanks a profile PIN (``?pin=1234``) in log records that quote a request URL.

    plex.tv takes the PIN in the switch request's query, and HTTP libraries log request
    lines at DEBUG: a household secret must not reach a log at any level.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "pin=" in message.lower():
            record.msg, record.args = _PIN_IN_QUERY.sub(r"\1<redacted>", message), None
        return True


def redact_profile_pins(logger: logging.Logger) -> None:
    """Put one :class:`ProfilePinFilter` on ``logger`` (idempotent)."""
    if not any(isinstance(f, ProfilePinFilter) for f in logger.filters):
        logger.addFilter(ProfilePinFilter())
