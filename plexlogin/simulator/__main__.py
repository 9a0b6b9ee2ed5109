"""``python -m plexlogin.simulator``."""

import sys

from plexlogin.simulator.command import main

sys.exit(main())
