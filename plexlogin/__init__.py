"""plexlogin: sign in to Plex with a PIN or QR code and keep the token in the OS keyring."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plexlogin")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0.0.0+unknown"

APP_NAME = "plexlogin"
#: keyring services: the real entry, and the one --demo uses so it never touches it
KEYRING_SERVICE = "plexlogin"
DEMO_KEYRING_SERVICE = "plexlogin-demo"

#: the product name plex.tv shows in its list of devices, unless --product says otherwise
DEFAULT_PRODUCT = "plexlogin"

#: the real plex.tv; anything else is a stand-in such as the built-in simulator
PLEX_URL = "https://plex.tv"
