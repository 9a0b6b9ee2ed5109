#!/usr/bin/env bash
# Install the one-folder plexlogin app for the current user (no root, nothing outside $HOME).
#
#   ./install.sh                  from an unpacked plexlogin-<version>-linux-<arch>.tar.gz
#   packaging/install-user.sh     from a source checkout, after packaging/build.sh
#   ... --app DIR                 install the one-folder app in DIR instead
#
# Puts
#   the app                   in ~/.local/lib/plexlogin/  (replacing an earlier install)
#   the command               ~/.local/bin/plexlogin -> ~/.local/lib/plexlogin/plexlogin
#   the menu entry            $XDG_DATA_HOME/applications/io.github.plexlogin.desktop
#   the icons                 $XDG_DATA_HOME/icons/hicolor/*/apps/io.github.plexlogin.*
#   the AppStream metadata    $XDG_DATA_HOME/metainfo/io.github.plexlogin.metainfo.xml
# ($XDG_DATA_HOME defaults to ~/.local/share) and refreshes the desktop and icon caches when
# their tools are installed. ~/.local/lib/plexlogin/uninstall.sh removes all of it again.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
APP_ID=io.github.plexlogin

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "install: $*" >&2; exit 1; }

APP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --app) [ $# -ge 2 ] || fail "--app needs a directory"; APP=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; fail "unknown option $1" ;;
  esac
done

[ -n "${HOME:-}" ] && [ -d "$HOME" ] || fail "HOME is not set to a directory"
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
LIB=$HOME/.local/lib/plexlogin
BIN=$HOME/.local/bin

# Where the app and its desktop files are: an unpacked tarball (plexlogin/ and share/ next
# to this script) or a source checkout (dist/plexlogin and resources/).
if [ -x "$HERE/plexlogin/plexlogin" ] && [ -d "$HERE/share" ]; then
  APP=${APP:-$HERE/plexlogin}
  DESKTOP=$HERE/share/applications/$APP_ID.desktop
  METAINFO=$HERE/share/metainfo/$APP_ID.metainfo.xml
  HICOLOR=$HERE/share/icons/hicolor
  UNINSTALL=$HERE/uninstall.sh
elif [ -d "$HERE/../resources" ]; then
  APP=${APP:-$HERE/../dist/plexlogin}
  DESKTOP=$HERE/../resources/$APP_ID.desktop
  METAINFO=$HERE/../resources/$APP_ID.metainfo.xml
  HICOLOR=$HERE/../resources/icons/hicolor
  UNINSTALL=$HERE/uninstall-user.sh
else
  fail "run this from an unpacked plexlogin tarball or from packaging/ in a source checkout"
fi
[ -x "$APP/plexlogin" ] ||
  fail "no one-folder app at $APP (build it with packaging/build.sh, or pass --app DIR)"
APP=$(cd "$APP" && pwd)
for file in "$DESKTOP" "$METAINFO" "$UNINSTALL"; do
  [ -f "$file" ] || fail "missing $file"
done

# it must run here before anything is replaced (a too-old glibc fails right now)
version=$("$APP/plexlogin" --version) || fail "$APP/plexlogin does not run on this machine"

# A pip-installed plexlogin (pip install --user) is a script, not our symlink: keep it.
if [ -e "$BIN/plexlogin" ] || [ -L "$BIN/plexlogin" ]; then
  target=$(readlink "$BIN/plexlogin" || true)
  [ "$target" = "$LIB/plexlogin" ] ||
    fail "$BIN/plexlogin exists and is not from this installer; remove it first"
fi
# Only ever replace a directory this installer made.
if [ -e "$LIB" ] && [ ! -f "$LIB/.installed-by-plexlogin" ]; then
  fail "$LIB exists and was not made by this installer; remove it first"
fi

echo "Installing $version for $(id -un) ..."
mkdir -p "$(dirname "$LIB")" "$BIN" "$DATA/applications" "$DATA/metainfo"
# copy next to the old install, then swap: an interrupted copy never leaves half an app
rm -rf "$LIB.new"
cp -a "$APP" "$LIB.new"
install -m 755 "$UNINSTALL" "$LIB.new/uninstall.sh"
echo "$version" > "$LIB.new/.installed-by-plexlogin"
rm -rf "$LIB"
mv "$LIB.new" "$LIB"
ln -sfn "$LIB/plexlogin" "$BIN/plexlogin"

# Exec names the app by absolute path: ~/.local/bin is not on every desktop session's PATH.
# Desktop-entry quoting: inside "...", escape \ " ` and $ with a backslash.
exec_path=$(printf '%s' "$LIB/plexlogin" | sed -e 's/[\\"`$]/\\&/g')
sed -e "s|^Exec=.*|Exec=\"$exec_path\"|" -e "s|^TryExec=.*||" "$DESKTOP" \
  > "$DATA/applications/$APP_ID.desktop"
chmod 644 "$DATA/applications/$APP_ID.desktop"
install -m 644 "$METAINFO" "$DATA/metainfo/$APP_ID.metainfo.xml"
for icon in "$HICOLOR"/*/apps/"$APP_ID".*; do
  size=$(basename "$(dirname "$(dirname "$icon")")")
  install -D -m 644 "$icon" "$DATA/icons/hicolor/$size/apps/$(basename "$icon")"
done

# Caches: desktops pick up new entries by themselves, these make it immediate. An icon
# cache is refreshed only if one exists; creating one would hide icons added later by
# programs that do not update it.
if command -v update-desktop-database >/dev/null; then
  update-desktop-database -q "$DATA/applications" || true
fi
touch "$DATA/icons/hicolor"
if [ -f "$DATA/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
  gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" || true
fi

echo "Installed: $LIB"
echo "  command:  $BIN/plexlogin"
echo "  menu:     Plex Sign-In"
echo "  remove:   $LIB/uninstall.sh"
case ":$PATH:" in
  *":$BIN:"*) ;;
  *) echo "Note: $BIN is not on your PATH; open a new login shell or add it to PATH." ;;
esac
