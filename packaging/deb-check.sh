#!/usr/bin/env bash
# Check the Debian package in dist/ the way a person's machine uses it (as root, in CI).
#
#   packaging/deb-check.sh
#
# Reuses the .deb packaging/build.sh made (smoke.sh builds it); runs, reporting every failed
# check and exiting 1 if any failed:
#   * lintian: no error or warning that packaging/deb/lintian-overrides does not explain;
#   * apt-get install ./dist/plexlogin_*.deb (apt pulls in Depends, as a double-click would);
#   * /usr/bin/plexlogin --version, and a --demo --terminal --json sign-in as a non-root
#     user (the demo keeps its fake token in memory: no keyring needed);
#   * desktop-file-validate on the installed entry, and the icon and metainfo paths;
#   * the compiled catalogs of every language, qtbase_de.qm and Babel's German data;
#   * apt-get remove --purge: none of the files dpkg -L listed remains.
# The machine ends as it began: a plexlogin installed before is refused (not replaced), and
# the user it creates is removed again. Needs: apt, lintian, desktop-file-utils.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP_ID=io.github.plexlogin
CHECK_USER=plexlogin-check
cd "$ROOT"
started=$SECONDS
failures=0
ok() { printf '    ok: %s\n' "$*"; }
bad() { printf '    FAILED: %s\n' "$*" >&2; failures=$((failures + 1)); }
show() { sed 's/^/      | /' "$1" | head -40 >&2; }

[ "$(id -u)" -eq 0 ] || { echo "deb-check.sh: run as root (it installs the package)" >&2; exit 1; }
debs=(dist/plexlogin_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] ||
  { echo "deb-check.sh: expected one dist/plexlogin_*.deb (run packaging/build.sh)" >&2; exit 1; }
DEB=${debs[0]}
if dpkg-query -W -f='${Status}' plexlogin 2>/dev/null | grep -q "ok installed"; then
  echo "deb-check.sh: plexlogin is already installed; remove it first" >&2; exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/plexlogin-deb.XXXXXX")
made_user=0
cleanup() {
  # leave the machine as it was even when a check failed halfway
  if dpkg-query -W -f='${Status}' plexlogin 2>/dev/null | grep -q "ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q plexlogin >/dev/null 2>&1 || true
  fi
  [ "$made_user" = 0 ] || userdel -r "$CHECK_USER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
printf '%s: %s bytes, Installed-Size %s KiB\n' "$DEB" "$(stat -c %s "$DEB")" \
  "$(dpkg-deb -f "$DEB" Installed-Size)"
echo "Depends: $(dpkg-deb -f "$DEB" Depends)"

printf '\n--- lintian\n'
if lintian --fail-on error,warning "$DEB" >"$WORK/lintian.txt" 2>&1; then
  ok "lintian: no errors or warnings beyond the explained overrides"
else
  bad "lintian"; show "$WORK/lintian.txt"
fi

printf '\n--- apt-get install ./%s\n' "$DEB"
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "./$DEB" \
     >"$WORK/install.log" 2>&1; then
  ok "installed"
else
  bad "apt-get install"; show "$WORK/install.log"
fi
dpkg -L plexlogin >"$WORK/files.txt" 2>/dev/null || true

version=$(dpkg-deb -f "$DEB" Version)
if out=$(/usr/bin/plexlogin --version 2>&1) && [ "$out" = "plexlogin ${version%-*}" ]; then
  ok "/usr/bin/plexlogin --version: $out"
else
  bad "/usr/bin/plexlogin --version printed '$out'"
fi

# a person, not root: their own HOME, no D-Bus session, no display
if ! id "$CHECK_USER" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh "$CHECK_USER"
  made_user=1
fi
home=$(getent passwd "$CHECK_USER" | cut -d: -f6)
set +e
(cd / && timeout 120 setpriv --reuid="$CHECK_USER" --regid="$CHECK_USER" --init-groups \
  env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 plexlogin --demo --terminal --json) \
  >"$WORK/demo.out" 2>"$WORK/demo.err"
rc=$?
set -e
if [ "$rc" = 0 ] && python3 -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1 and json.loads(lines[0])["status"] == "signed_in", lines
' "$WORK/demo.out"; then
  ok "plexlogin --demo --terminal --json as $CHECK_USER: signed_in"
else
  bad "the demo sign-in as $CHECK_USER exited $rc"; show "$WORK/demo.out"; show "$WORK/demo.err"
fi

desktop=/usr/share/applications/$APP_ID.desktop
if out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ]; then
  ok "desktop-file-validate $desktop"
else
  bad "desktop-file-validate $desktop: $out"
fi
icon=$(sed -n 's/^Icon=//p' "$desktop")
missing=0
for path in /usr/share/icons/hicolor/{16x16,24x24,32x32,48x48,64x64,128x128,256x256,512x512}/apps/"$icon".png \
            /usr/share/icons/hicolor/scalable/apps/"$icon".svg /usr/share/metainfo/$APP_ID.metainfo.xml \
            /usr/share/man/man1/plexlogin.1.gz /usr/share/doc/plexlogin/copyright; do
  [ -f "$path" ] || { bad "missing $path"; missing=1; }
done
[ "$missing" = 1 ] || ok "icons ($icon), metainfo, manual page and copyright in place"
# the translations ride inside the frozen app (not /usr/share/locale): nothing may strip them
missing=0
for path in /usr/lib/plexlogin/_internal/plexlogin/locale/{de,fr,es,it,nl,pt_BR,ja,ar}/LC_MESSAGES/plexlogin.mo \
            /usr/lib/plexlogin/_internal/PySide6/Qt/translations/qtbase_de.qm \
            /usr/lib/plexlogin/_internal/babel/locale-data/de.dat; do
  [ -f "$path" ] || { bad "missing $path"; missing=1; }
done
[ "$missing" = 1 ] || ok "compiled catalogs, qtbase_de.qm and Babel's German data in place"

printf '\n--- apt-get remove --purge plexlogin\n'
if DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q plexlogin >"$WORK/remove.log" 2>&1; then
  ok "removed"
else
  bad "apt-get remove --purge"; show "$WORK/remove.log"
fi
# directories such as /usr/share/icons/hicolor/48x48/apps belong to other packages too
left=$(while read -r path; do
  if [ -L "$path" ] || [ -f "$path" ]; then echo "$path"
  elif [ -d "$path" ] && [[ "$path" == *plexlogin* ]]; then echo "$path"
  fi
done <"$WORK/files.txt")
if [ ! -s "$WORK/files.txt" ]; then
  bad "dpkg -L listed nothing before the removal"
elif [ -z "$left" ]; then
  ok "none of the $(wc -l <"$WORK/files.txt") paths dpkg -L listed is left"
else
  bad "left behind:"; echo "$left" | sed 's/^/      | /' >&2
fi
if dpkg-query -W -f='${Status}' plexlogin 2>/dev/null | grep -qE " (installed|config-files)$"; then
  bad "dpkg still knows plexlogin: $(dpkg-query -W -f='${Status}' plexlogin)"
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "deb-check.sh: $failures check(s) FAILED ($((SECONDS - started)) s)" >&2
  exit 1
fi
echo "deb-check.sh: all checks passed ($((SECONDS - started)) s)"
