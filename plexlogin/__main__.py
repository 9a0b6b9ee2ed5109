"""``python -m plexlogin``."""

import sys

from plexlogin.entry import main

sys.exit(main())
