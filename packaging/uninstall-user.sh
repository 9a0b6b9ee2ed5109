#!/usr/bin/env bash
# Remove what install-user.sh installed for the current user. Installed as
# ~/.local/lib/plexlogin/uninstall.sh, so it works without the tarball or checkout.
#
#   ~/.local/lib/plexlogin/uninstall.sh
#
# The Plex token stays in the keyring and the settings in ~/.config/plexlogin: run
# "plexlogin logout" first to remove the token.
set -euo pipefail
APP_ID=io.github.plexlogin

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "uninstall: unknown option $1" >&2; exit 2 ;;
esac

[ -n "${HOME:-}" ] && [ -d "$HOME" ] || { echo "uninstall: HOME is not set" >&2; exit 1; }
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
LIB=$HOME/.local/lib/plexlogin
BIN=$HOME/.local/bin

removed=0
remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf -- "$1"; removed=$((removed + 1)); fi
}

# the command, only if it is our symlink (a pip-installed plexlogin script stays)
if [ -L "$BIN/plexlogin" ] && [ "$(readlink "$BIN/plexlogin")" = "$LIB/plexlogin" ]; then
  remove "$BIN/plexlogin"
fi
remove "$DATA/applications/$APP_ID.desktop"
remove "$DATA/metainfo/$APP_ID.metainfo.xml"
for icon in "$DATA"/icons/hicolor/*/apps/"$APP_ID".*; do
  [ -e "$icon" ] && remove "$icon"
done
# the app, only if install-user.sh made the directory
if [ -f "$LIB/.installed-by-plexlogin" ]; then
  remove "$LIB"
elif [ -e "$LIB" ]; then
  echo "uninstall: leaving $LIB alone: it was not made by install-user.sh" >&2
fi

if [ -d "$DATA/applications" ] && command -v update-desktop-database >/dev/null; then
  update-desktop-database -q "$DATA/applications" || true
fi
if [ -d "$DATA/icons/hicolor" ]; then
  touch "$DATA/icons/hicolor"
  if [ -f "$DATA/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" || true
  fi
fi

if [ "$removed" -eq 0 ]; then
  echo "plexlogin was not installed for $(id -un)."
else
  echo "Removed plexlogin ($removed items)."
  echo "The Plex token stays in the system keyring (remove it in your desktop's Passwords app)."
fi
