"""``python -m plexlogin``: the same as the ``plexlogin`` command."""

from plexlogin.entry import console

console()
