#!/usr/bin/env bash
# Smoke-test the frozen Linux app the way a person's machine runs it.
#
#   packaging/smoke.sh [--no-build] [--no-onefile]
#
#   --no-build     test what is in dist/ now instead of running packaging/build.sh first
#   --no-onefile   build and test only the one-folder app (saves about half the time)
#
# Checks, each in a throwaway HOME; reports every failed check and exits 1 if any failed:
#   * the one-folder app is at most 120 MB, the one-file app at most 60 MB;
#   * the desktop file and AppStream metainfo validate;
#   * --version prints the package version;
#   * under a private D-Bus session with an unlocked GNOME Keyring, offscreen:
#     "--demo --json" (the window) and "--demo --terminal --json" exit 0 with one JSON
#     line saying signed_in, the token is readable with secret-tool (and with
#     "plexlogin token"), and stderr has nothing beyond what the mode is expected to say;
#   * the window once more on a real X server (Xvfb) and, if weston is installed (.ci/run
#     installs it), on a headless Wayland compositor with QT_QPA_PLATFORM=wayland
#     (one-folder app only);
#   * the bundle holds the compiled German catalog (and it translates), Qt's qtbase_de.qm
#     and Babel's German data; "--demo --terminal --json" under LANGUAGE=de signs in too;
#   * with no keyring at all (no D-Bus session): "plexlogin token" exits 1 with the plain
#     message and no traceback;
#   * the tarball installs for a user (install.sh into a temporary HOME), runs from there,
#     and uninstalls without leaving a file behind.
# Needs: gnome-keyring dbus libsecret-tools xvfb xauth desktop-file-utils appstream
# (and weston for the optional Wayland run).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PYTHON=${PYTHON:-python3}
APP_ID=io.github.plexlogin
SERVICE=plexlogin-demo
# the demo account is a Plex Home whose admin, Alex, approves the demo's code
USERNAME=alex
# the window offers the Home's profiles and waits for a person to choose; nobody is at
# the smoke test's screen, so its windows keep the approving account (the picker itself
# is tested in tests/gui/test_profiles.py)
WINDOW_DEMO=(--demo --no-profile-picker --json)

# --- inside the private D-Bus session (smoke.sh runs itself there) ----------------------
if [ "${1:-}" = "--in-keyring-session" ]; then
  app=$2 out=$3
  # without --unlock the default collection stays locked and every keyring call waits
  echo -n smoke-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  run() { # name, then the command: stdout, stderr and exit code into $out/name.*
    local name=$1; shift
    set +e
    timeout 120 "$@" >"$out/$name.out" 2>"$out/$name.err"
    echo $? >"$out/$name.rc"
    set -e
  }
  export QT_QPA_PLATFORM=offscreen
  PLEXLOGIN_PAINT_MARK="$out/window.mark" run window "$app" "${WINDOW_DEMO[@]}"
  secret-tool lookup service "$SERVICE" username "$USERNAME" >"$out/window.secret" || true
  run window-token "$app" token --keyring-service "$SERVICE" --keyring-username "$USERNAME"
  # the terminal run must store the token itself
  secret-tool clear service "$SERVICE" username "$USERNAME" || true
  run terminal "$app" --demo --terminal --json
  secret-tool lookup service "$SERVICE" username "$USERNAME" >"$out/terminal.secret" || true
  # in German: catalogs, plural rules and Babel's German times read from inside the bundle
  secret-tool clear service "$SERVICE" username "$USERNAME" || true
  LANGUAGE=de run terminal-de "$app" --demo --terminal --json
  if [ "${SMOKE_XCB:-0}" = 1 ]; then
    secret-tool clear service "$SERVICE" username "$USERNAME" || true
    QT_QPA_PLATFORM=xcb PLEXLOGIN_PAINT_MARK="$out/xcb.mark" \
      run xcb xvfb-run -a -s "-screen 0 1280x1024x24" "$app" "${WINDOW_DEMO[@]}"
    secret-tool lookup service "$SERVICE" username "$USERNAME" >"$out/xcb.secret" || true
  fi
  if [ "${SMOKE_WAYLAND:-0}" = 1 ]; then
    # a headless Wayland compositor, like a GNOME or KDE Wayland session minus the screen
    export XDG_RUNTIME_DIR="$out/runtime"
    mkdir -m 700 -p "$XDG_RUNTIME_DIR"
    weston --backend=headless-backend.so --socket=wayland-smoke --idle-time=0 \
      >"$out/weston.log" 2>&1 &
    weston_pid=$!
    # weston 10 (Debian 12) names backends by module file; it needs no GPU, seat or root
    for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/wayland-smoke" ] && break; sleep 0.1; done
    [ -S "$XDG_RUNTIME_DIR/wayland-smoke" ] || echo "smoke.sh: weston made no socket in 10 s" >&2
    secret-tool clear service "$SERVICE" username "$USERNAME" || true
    WAYLAND_DISPLAY=wayland-smoke QT_QPA_PLATFORM=wayland PLEXLOGIN_PAINT_MARK="$out/wayland.mark" \
      run wayland "$app" "${WINDOW_DEMO[@]}"
    secret-tool lookup service "$SERVICE" username "$USERNAME" >"$out/wayland.secret" || true
    kill "$weston_pid"
    wait "$weston_pid" || true
  fi
  exit 0
fi

# --- options ---------------------------------------------------------------------------
BUILD=1
BUILD_ARGS=()
ONEFILE=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --no-onefile) ONEFILE=0; BUILD_ARGS+=(--no-onefile) ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "smoke.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

cd "$ROOT"
started=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/plexlogin-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failures=0
step() { printf '\n--- %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
bad() {
  printf '    FAILED: %s\n' "$*" >&2
  failures=$((failures + 1))
}
show() { # a file's content, indented, for a failure message
  sed 's/^/      | /' "$1" | head -40 >&2
}
need() {
  command -v "$1" >/dev/null || { echo "smoke.sh: $1 not found (apt install $2)" >&2; exit 1; }
}
need dbus-run-session dbus
need gnome-keyring-daemon gnome-keyring
need secret-tool libsecret-tools
need xvfb-run xvfb
need desktop-file-validate desktop-file-utils
need appstreamcli appstream

VERSION=$("$PYTHON" "$HERE/app_metadata.py" version)
NAME="plexlogin-$VERSION-linux-$(uname -m)"
if [ "$BUILD" = 1 ]; then
  step "build"
  bash "$HERE/build.sh" "${BUILD_ARGS[@]}"
fi
APPS=(dist/plexlogin/plexlogin)
[ "$ONEFILE" = 1 ] && APPS+=("dist/$NAME")
for app in "${APPS[@]}" "dist/$NAME.tar.gz"; do
  [ -f "$app" ] || { echo "smoke.sh: $app is missing: build first (or drop --no-build)" >&2; exit 1; }
done

# --- sizes -------------------------------------------------------------------------------
# The issue's goals, in MB of 10^6 bytes. A new dependency that breaks them should be a
# decision, not a surprise.
ONEDIR_BUDGET=120000000
ONEFILE_BUDGET=60000000
step "sizes"
check_size() { # label, path, budget in bytes
  local size
  size=$(du -s -b "$2" | cut -f1)
  if [ "$size" -le "$3" ]; then
    ok "$1: $((size / 1000000)) MB (goal: at most $(($3 / 1000000)) MB)"
  else
    bad "$1 is $((size / 1000000)) MB, over the $(($3 / 1000000)) MB goal (see build/plexlogin/dropped-from-bundle.txt)"
  fi
}
check_size "one-folder app" dist/plexlogin "$ONEDIR_BUDGET"
[ "$ONEFILE" = 1 ] && check_size "one-file app" "dist/$NAME" "$ONEFILE_BUDGET"

# --- translations ------------------------------------------------------------------------
# plexlogin's compiled catalogs, Qt's own and Babel's locale data, where the frozen app
# looks for them (plexlogin.i18n.locale_dir(), Qt's translations path, babel/)
step "translations in the bundle"
bundled=dist/plexlogin/_internal
for file in plexlogin/locale/de/LC_MESSAGES/plexlogin.mo plexlogin/locale/ar/LC_MESSAGES/plexlogin.mo \
            PySide6/Qt/translations/qtbase_de.qm babel/global.dat babel/locale-data/de.dat \
            babel/locale-data/root.dat; do
  if [ -s "$bundled/$file" ]; then ok "$file"; else bad "the bundle has no $file"; fi
done
if "$PYTHON" - "$bundled/plexlogin/locale/de/LC_MESSAGES/plexlogin.mo" <<'EOF'
import gettext, sys
with open(sys.argv[1], "rb") as mo:
    german = gettext.GNUTranslations(mo)
assert german.gettext("Sign-in cancelled.") == "Anmeldung abgebrochen.", "not translated"
EOF
then ok "the bundled German catalog translates"
else bad "the bundled German catalog does not translate \"Sign-in cancelled.\""
fi

# --- desktop integration files -----------------------------------------------------------
step "desktop file and metainfo"
if out=$(desktop-file-validate "resources/$APP_ID.desktop" 2>&1) && [ -z "$out" ]; then
  ok "desktop-file-validate"
else
  bad "desktop-file-validate resources/$APP_ID.desktop: $out"
fi
if out=$(appstreamcli validate --no-net "resources/$APP_ID.metainfo.xml" 2>&1); then
  ok "appstreamcli validate --no-net"
else
  bad "appstreamcli validate --no-net:"; echo "$out" | sed 's/^/      | /' >&2
fi

# --- output checks ---------------------------------------------------------------------
# What each mode may print on stderr: extended regexes for whole lines, checked with
# LC_ALL=C so the result does not depend on the machine's locale.
# The window prints nothing at all.
WINDOW_ALLOWED='^$'
WINDOW_DENIED=''
# The terminal front-end draws its screen on stderr when --json holds stdout: blank lines,
# the QR code, the spaced-out code and sentences (their wording is terminal.py's business).
# A diagnostic is never part of it: plexlogin's own "plexlogin: ..." notices and errors,
# tracebacks, Python warnings, Qt and GLib messages.
TERMINAL_ALLOWED=$(cat <<'EOF'
^$
^[ ▀▄█]+$
^    [0-9A-Z]( [0-9A-Z])+$
^[A-Za-z(].*$
EOF
)
TERMINAL_DENIED='^plexlogin:|Traceback|^  File "|Error|Warning|WARNING|CRITICAL|^qt\.|^Q[A-Za-z]+:'
# in German a sentence may start with an umlaut (checked byte-wise, as LC_ALL=C does)
TERMINAL_DE_ALLOWED=$(printf '%s\n%s' "$TERMINAL_ALLOWED" '^(Ä|Ö|Ü).*$')

check_run() { # label, output prefix, allowed and denied stderr patterns
  local label=$1 prefix=$2 allowed=$3 denied=$4 rc
  rc=$(cat "$prefix.rc")
  if [ "$rc" != 0 ]; then
    bad "$label exited $rc"; show "$prefix.err"; return
  fi
  if "$PYTHON" - "$prefix.out" <<'EOF'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, f"expected one JSON line on stdout, got {len(lines)}"
data = json.loads(lines[0])
assert data["status"] == "signed_in", f"status {data['status']!r}, error {data.get('error')!r}"
assert data["username"] == "alex" and data["keyring_service"] == "plexlogin-demo", data
EOF
  then ok "$label: exit 0, JSON says signed_in"
  else bad "$label: stdout is not the signed_in JSON line"; show "$prefix.out"
  fi
  { LC_ALL=C grep -a -v -E -f <(printf '%s\n' "$allowed") "$prefix.err" || true
    [ -z "$denied" ] || LC_ALL=C grep -a -E -e "$denied" "$prefix.err" || true
  } >"$prefix.unexpected"
  if [ -s "$prefix.unexpected" ]; then
    bad "$label: unexpected stderr lines"; show "$prefix.unexpected"
  else
    ok "$label: nothing unexpected on stderr"
  fi
}

check_secret() { # label, file with secret-tool's output
  if [ -s "$2" ]; then ok "$1: secret-tool reads the token from the keyring"
  else bad "$1: secret-tool found no token (service $SERVICE, username $USERNAME)"
  fi
}

check_marks() { # label, PLEXLOGIN_PAINT_MARK file
  if grep -q '^first-paint ' "$2" 2>/dev/null && grep -q '^codes-shown ' "$2"; then
    ok "$1: window painted, codes and QR code shown"
  else
    bad "$1: the window did not report first-paint and codes-shown"
  fi
}

# --- each app ----------------------------------------------------------------------------
for app in "${APPS[@]}"; do
  step "$app"
  out="$WORK/$(basename "$app")"
  mkdir -p "$out/home"
  app_path="$ROOT/$app"
  # a throwaway HOME, and nothing from the caller's session (keyring, display, config)
  clean_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$out/home" "LANG=C.UTF-8"
             "TMPDIR=${TMPDIR:-/tmp}")

  if version_out=$("${clean_env[@]}" "$app_path" --version 2>&1) &&
     [ "$version_out" = "plexlogin $VERSION" ]; then
    ok "--version: $version_out"
  else
    bad "--version printed '$version_out', expected 'plexlogin $VERSION'"
  fi

  # X11 and Wayland once, with the one-folder app (the one-file app holds the same files)
  xcb=0 wayland=0
  if [ "$app" = dist/plexlogin/plexlogin ]; then
    xcb=1
    if command -v weston >/dev/null; then wayland=1
    else echo "    (no weston: the Wayland run is skipped; apt install weston to add it)"
    fi
  fi
  "${clean_env[@]}" "SMOKE_XCB=$xcb" "SMOKE_WAYLAND=$wayland" dbus-run-session -- \
    bash "$HERE/smoke.sh" --in-keyring-session "$app_path" "$out" 2>"$out/session.err" ||
    { bad "the keyring session failed"; show "$out/session.err"; }

  check_run "window (--demo --json, offscreen)" "$out/window" "$WINDOW_ALLOWED" "$WINDOW_DENIED"
  check_marks "window" "$out/window.mark"
  check_secret "window" "$out/window.secret"
  if [ "$(cat "$out/window-token.rc")" = 0 ] && [ -s "$out/window.secret" ] &&
     [ "$(cat "$out/window-token.out")" = "$(cat "$out/window.secret")" ]; then
    ok "plexlogin token prints the stored token"
  else
    bad "plexlogin token (rc $(cat "$out/window-token.rc")) did not print the stored token"
    show "$out/window-token.err"
  fi
  check_run "terminal (--demo --terminal --json)" "$out/terminal" "$TERMINAL_ALLOWED" "$TERMINAL_DENIED"
  check_secret "terminal" "$out/terminal.secret"
  check_run "terminal in German (LANGUAGE=de)" "$out/terminal-de" "$TERMINAL_DE_ALLOWED" "$TERMINAL_DENIED"
  if [ "$xcb" = 1 ]; then
    check_run "window on X11 (xcb, Xvfb)" "$out/xcb" "$WINDOW_ALLOWED" "$WINDOW_DENIED"
    check_marks "window on X11" "$out/xcb.mark"
    check_secret "window on X11" "$out/xcb.secret"
  fi
  if [ "$wayland" = 1 ]; then
    check_run "window on Wayland (weston, headless)" "$out/wayland" "$WINDOW_ALLOWED" "$WINDOW_DENIED"
    check_marks "window on Wayland" "$out/wayland.mark"
    check_secret "window on Wayland" "$out/wayland.secret"
  fi

  # no D-Bus session, so no Secret Service: the person's "no keyring" machine
  set +e
  "${clean_env[@]}" timeout 60 "$app_path" token \
    --keyring-service "$SERVICE" --keyring-username "$USERNAME" >"$out/nokeyring.out" 2>"$out/nokeyring.err"
  rc=$?
  set -e
  if [ "$rc" = 1 ] && grep -q '^plexlogin: No system keyring is available' "$out/nokeyring.err" &&
     ! grep -q -E 'Traceback|Error:|Exception' "$out/nokeyring.err" && [ ! -s "$out/nokeyring.out" ]; then
    ok "no keyring: exit 1 with the plain message"
  else
    bad "no keyring: expected exit 1 and the plain message, got exit $rc"; show "$out/nokeyring.err"
  fi
done

# --- the tarball: install for a user, run, uninstall -------------------------------------
step "dist/$NAME.tar.gz: install-user.sh and uninstall"
home="$WORK/install-home"
mkdir -p "$home" "$WORK/unpacked"
tar -xzf "dist/$NAME.tar.gz" -C "$WORK/unpacked"
tree="$WORK/unpacked/plexlogin-$VERSION"
user_env=(env -i "PATH=$home/.local/bin:/usr/local/bin:/usr/bin:/bin" "HOME=$home" "LANG=C.UTF-8")
if "${user_env[@]}" "$tree/install.sh" >"$WORK/install.log" 2>&1; then
  ok "install.sh"
else
  bad "install.sh failed"; show "$WORK/install.log"
fi
installed=(
  ".local/lib/plexlogin/plexlogin"
  ".local/lib/plexlogin/uninstall.sh"
  ".local/bin/plexlogin"
  ".local/share/applications/$APP_ID.desktop"
  ".local/share/metainfo/$APP_ID.metainfo.xml"
  ".local/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  ".local/share/icons/hicolor/16x16/apps/$APP_ID.png"
  ".local/share/icons/hicolor/512x512/apps/$APP_ID.png"
)
for file in "${installed[@]}"; do
  [ -e "$home/$file" ] || bad "install.sh did not install ~/$file"
done
if [ "$("${user_env[@]}" plexlogin --version 2>&1)" = "plexlogin $VERSION" ]; then
  ok "the installed plexlogin runs from ~/.local/bin"
else
  bad "the installed plexlogin does not run"
fi
desktop="$home/.local/share/applications/$APP_ID.desktop"
if [ -f "$desktop" ] && out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ] &&
   grep -qx "Exec=\"$home/.local/lib/plexlogin/plexlogin\"" "$desktop"; then
  ok "the installed desktop file validates and runs the installed app"
else
  bad "the installed desktop file: ${out:-wrong Exec line}"
fi
if "${user_env[@]}" "$home/.local/lib/plexlogin/uninstall.sh" >"$WORK/uninstall.log" 2>&1; then
  left=$(find "$home" \( -name "*plexlogin*" -o -name "$APP_ID*" \) -print)
  if [ -z "$left" ]; then ok "uninstall.sh removed everything"
  else bad "uninstall.sh left files behind:"; echo "$left" | sed 's/^/      | /' >&2
  fi
else
  bad "uninstall.sh failed"; show "$WORK/uninstall.log"
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "smoke.sh: $failures check(s) FAILED ($((SECONDS - started)) s)" >&2
  exit 1
fi
echo "smoke.sh: all checks passed ($((SECONDS - started)) s)"
