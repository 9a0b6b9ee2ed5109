#!/bin/sh
# A shell setup wizard: sign in with plexlogin unless a valid token is stored already.
# Needs plexlogin and jq on PATH. (The test suite runs this file against the built-in
# simulator: PLEXLOGIN_PLEX_URL points plexlogin there.)
set -u

CLIENT_ID=6f1c2b9a-4d3e-4f5a-9b8c-7d6e5f4a3b2c   # the wizard's own, made once and kept
PRODUCT="My Media Center"

# 0: a token is stored and plex.tv still accepts it; don't ask the person again
if status=$(plexlogin status --json --client-id "$CLIENT_ID" --product "$PRODUCT"); then
    echo "Already signed in as $(printf '%s' "$status" | jq -r .username)."
else
    result=$(plexlogin login --json --product "$PRODUCT" --client-id "$CLIENT_ID" \
        --device-name "Living-room HTPC" --timeout 900)
    code=$?
    case $code in
        0) echo "Signed in as $(printf '%s' "$result" | jq -r .username)." ;;
        3) echo "The sign-in was cancelled."; exit 3 ;;
        4) echo "Nobody signed in in time."; exit 4 ;;
        *) echo "The sign-in failed: $(printf '%s' "$result" | jq -r .error)"; exit "$code" ;;
    esac
fi

# The token into a variable only: never echo it, never put it on a command line (ps shows
# every argument to every user), never write it to a file. Hand it on through a pipe.
token=$(plexlogin token) || exit 1
echo "Read the token ($(printf '%s' "$token" | wc -c) characters)."
