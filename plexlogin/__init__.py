"""plexlogin: sign in to Plex with a PIN or QR code and keep the token in the OS keyring."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

#: written here as in pyproject.toml (test_packaging keeps the two equal): asking
#: importlib.metadata at start-up cost ~10 ms before the window could paint
__version__ = "0.1.0"

APP_NAME = "plexlogin"
#: keyring services: the real entry, and the one --demo uses so it never touches it
KEYRING_SERVICE = "plexlogin"
DEMO_KEYRING_SERVICE = "plexlogin-demo"

#: the product name plex.tv shows in its list of devices, unless --product says otherwise
DEFAULT_PRODUCT = "plexlogin"

#: the real plex.tv; anything else is a stand-in such as the built-in simulator
PLEX_URL = "https://plex.tv"

# The Python API for setup wizards. Its names load on first use (PEP 562), so that
# `import plexlogin` stays cheap: no requests, no keyring, no Qt.
__all__ = [
    "Cancelled",
    "Codes",
    "PlexLoginError",
    "SignInResult",
    "SignInTimeout",
    "UiMode",
    "UsageError",
    "__version__",
    "events",
    "sign_in",
    "stored_token",
]

_LAZY = {
    "sign_in": "plexlogin.api",
    "stored_token": "plexlogin.api",
    "Codes": "plexlogin.api",
    "SignInResult": "plexlogin.api",
    "UiMode": "plexlogin.api",
    "PlexLoginError": "plexlogin.errors",
    "Cancelled": "plexlogin.errors",
    "SignInTimeout": "plexlogin.errors",
    "UsageError": "plexlogin.errors",
}

if TYPE_CHECKING:
    from plexlogin import events
    from plexlogin.api import Codes, SignInResult, UiMode, sign_in, stored_token
    from plexlogin.errors import Cancelled, PlexLoginError, SignInTimeout, UsageError


def __getattr__(name: str) -> Any:
    """Load a public name of the API on first use (PEP 562)."""
    import importlib

    if name == "events":
        return importlib.import_module("plexlogin.events")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'plexlogin' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted({*globals(), *__all__})
