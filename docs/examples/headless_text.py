"""A wizard without Qt draws the codes itself: ``plexlogin.sign_in(ui="none")``.

Every toolkit can draw ``codes.qr_matrix`` (rows of booleans, True = dark, the quiet
zone included); here it is text, two characters per module. The test suite runs this file
against the built-in simulator (``PLEXLOGIN_PLEX_URL`` points it there).
"""

from __future__ import annotations

import sys

import plexlogin

CLIENT_ID = "6f1c2b9a-4d3e-4f5a-9b8c-7d6e5f4a3b2c"


def show(codes: plexlogin.Codes) -> None:
    """Called on the sign-in's thread with the first codes and with each renewal."""
    heading = "New code" if codes.renewed else "Sign in to Plex"
    print(f"{heading}: go to {codes.link_url} and enter {codes.code}")
    print(f"(it expires at {codes.expires_at:%H:%M}) or scan this code:")
    # light modules as full blocks: dark-on-light on a terminal with a dark background
    for row in codes.qr_matrix:
        print("".join("  " if dark else "\u2588\u2588" for dark in row))
    sys.stdout.flush()


def main() -> int:
    """Sign in, then read the token into memory."""
    try:
        result = plexlogin.sign_in(
            ui="none",
            on_codes=show,
            product="My Media Center",
            client_id=CLIENT_ID,
            timeout=900,
        )
    except plexlogin.Cancelled:
        print("The sign-in was cancelled.")
        return 3
    except plexlogin.SignInTimeout:
        print("Nobody signed in in time.")
        return 4
    except plexlogin.PlexLoginError as error:
        print(f"The sign-in failed: {error}")  # a sentence for people
        return 1
    print(f"Signed in as {result.username}.")
    token = plexlogin.stored_token(result.keyring_service, result.keyring_username)
    print(f"Read the token from the keyring ({len(token or '')} characters).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
