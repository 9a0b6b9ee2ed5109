"""A setup wizard that launches plexlogin and reads its answer: exit code, JSON line, keyring.

Run it as is: ``python launch_plexlogin.py``. It asks plexlogin whether a token is stored
and valid first, and only opens the sign-in when not. (The test suite runs this file
against the built-in simulator: ``PLEXLOGIN_PLEX_URL`` points plexlogin there.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import keyring

#: the wizard's own device identity: make a UUID once (uuid.uuid4()), keep it in the
#: wizard's config, and pass it every time, so the token belongs to this device in the
#: account's list of devices, under the wizard's product name
CLIENT_ID = "6f1c2b9a-4d3e-4f5a-9b8c-7d6e5f4a3b2c"
PRODUCT = "My Media Center"
DEVICE_NAME = "Living-room HTPC"


def plexlogin() -> list[str]:
    """The console script if it is on PATH, else the module in this Python."""
    found = shutil.which("plexlogin")
    return [found] if found else [sys.executable, "-m", "plexlogin"]


def already_signed_in() -> dict[str, object] | None:
    """The status line when a stored token is still accepted by plex.tv, else None."""
    done = subprocess.run(
        [*plexlogin(), "status", "--json", "--client-id", CLIENT_ID, "--product", PRODUCT],
        capture_output=True,
        text=True,
        check=False,
    )
    status: dict[str, object] = json.loads(done.stdout)
    return status if done.returncode == 0 else None  # 0: "valid"


def sign_in() -> dict[str, object] | None:
    """Open plexlogin's sign-in and wait for it; the JSON line when it signed in."""
    done = subprocess.run(
        [
            *plexlogin(),
            "login",
            "--json",  # exactly one JSON line on stdout; the person's text goes to stderr
            "--product", PRODUCT,
            "--client-id", CLIENT_ID,
            "--device-name", DEVICE_NAME,
            "--timeout", "900",
        ],
        stdout=subprocess.PIPE,  # stderr is left to the console: it is for people
        text=True,
        check=False,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    if done.returncode == 0:
        return result
    if done.returncode == 3:
        print("The sign-in was cancelled.")
    elif done.returncode == 4:
        print("Nobody signed in in time.")
    else:  # 1: failed (result["error"] says why, in words), 2: a bad option
        print(f"The sign-in failed: {result['error']}")
    return None


def main() -> int:
    """Sign in unless already signed in, then read the token from the keyring."""
    entry = already_signed_in()
    if entry is not None:
        print(f"Already signed in as {entry['username']}.")
    else:
        entry = sign_in()
        if entry is None:
            return 1
        print(f"Signed in as {entry['username']}.")
    # the token goes from the keyring straight into the wizard's memory: never print it,
    # never pass it on a command line, never write it to a file
    token = keyring.get_password(str(entry["keyring_service"]), str(entry["keyring_username"]))
    if token is None:
        print("The keyring has no token.")
        return 1
    print(f"Read the token from the keyring ({len(token)} characters).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
