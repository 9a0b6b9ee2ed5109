"""plexlogin: sign in to Plex with a PIN or QR code and keep the token in the OS keyring."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # __version__ is looked up when first asked for: importlib.metadata costs tens of
    # milliseconds, and the console script's SIGTERM handler waits for this package
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("plexlogin")
    except PackageNotFoundError:  # a source checkout that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found


APP_NAME = "plexlogin"
#: keyring services: the real entry, and the one --demo uses so it never touches it
KEYRING_SERVICE = "plexlogin"
DEMO_KEYRING_SERVICE = "plexlogin-demo"

#: the product name plex.tv shows in its list of devices, unless --product says otherwise
DEFAULT_PRODUCT = "plexlogin"

#: the real plex.tv; anything else is a stand-in such as the built-in simulator
PLEX_URL = "https://plex.tv"
