"""The frozen app's entry point: exactly what the ``plexlogin`` console script runs."""

import sys

from plexlogin.entry import main

if __name__ == "__main__":
    sys.exit(main())
