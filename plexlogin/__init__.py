"""plexlogin: sign in to Plex with a PIN or QR code and keep the token in the OS keyring."""

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
