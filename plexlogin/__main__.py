"""``python -m plexlogin``."""

import sys

from plexlogin.cli import main

sys.exit(main())
