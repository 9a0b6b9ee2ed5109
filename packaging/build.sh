#!/usr/bin/env bash
# Build the Linux app: one command, everything in dist/.
#
#   packaging/build.sh [--no-onefile] [--no-deb]
#
#   dist/plexlogin/plexlogin                            one-folder app
#   dist/plexlogin-<version>-linux-<arch>.tar.gz        it, with desktop file, icons, install.sh
#   dist/plexlogin-<version>-linux-<arch>               one-file app (skipped with --no-onefile)
#   dist/plexlogin_<version>-1_<debian arch>.deb        the one-folder app as a Debian package
#                                                       (skipped with --no-deb)
#
# Needs the project's dependencies and PyInstaller in $PYTHON (default: python3 on PATH,
# e.g. the virtualenv of .ci/run), plus binutils (strip), and for the .deb dpkg-dev
# (dpkg-shlibdeps) and patchelf. plexlogin itself need not be installed: the spec freezes
# the source tree this script sits in.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
PYTHON=${PYTHON:-python3}
SPEC_ARGS=()
DEB=1

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
for arg in "$@"; do
  case "$arg" in
    --no-onefile) SPEC_ARGS+=(--no-onefile) ;;
    --no-deb) DEB=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
  esac
done

fail() { echo "build.sh: $*" >&2; exit 1; }
"$PYTHON" -c 'import PyInstaller' 2>/dev/null ||
  fail "PyInstaller is not installed for $PYTHON (pip install -e '.[dev]')"
command -v strip >/dev/null || fail "strip not found (apt install binutils)"
if [ "$DEB" = 1 ]; then
  command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps not found (apt install dpkg-dev; or --no-deb)"
  command -v patchelf >/dev/null || fail "patchelf not found (apt install patchelf; or --no-deb)"
fi

cd "$ROOT"
VERSION=$("$PYTHON" "$HERE/app_metadata.py" version)
ARCH=$(uname -m)
NAME="plexlogin-$VERSION-linux-$ARCH"
started=$SECONDS

echo "==> PyInstaller: plexlogin $VERSION ($ARCH)"
# --noconfirm replaces an earlier dist/plexlogin; build/ keeps PyInstaller's cache
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build \
  packaging/plexlogin.spec -- "${SPEC_ARGS[@]}"
[ -x dist/plexlogin/plexlogin ] || fail "PyInstaller made no dist/plexlogin/plexlogin"
[ ${#SPEC_ARGS[@]} -gt 0 ] || [ -x "dist/$NAME" ] || fail "PyInstaller made no dist/$NAME"

echo "==> dist/$NAME.tar.gz"
# plexlogin-<version>/ with the app, an XDG share/ tree and the install script
TREE="build/tarball/plexlogin-$VERSION"
rm -rf build/tarball
mkdir -p "$TREE/share/applications" "$TREE/share/metainfo" "$TREE/share/icons"
cp -a dist/plexlogin "$TREE/plexlogin"
cp resources/io.github.plexlogin.desktop "$TREE/share/applications/"
cp resources/io.github.plexlogin.metainfo.xml "$TREE/share/metainfo/"
cp -r resources/icons/hicolor "$TREE/share/icons/"
cp packaging/install-user.sh "$TREE/install.sh"
cp packaging/uninstall-user.sh "$TREE/uninstall.sh"
cat > "$TREE/README.txt" <<EOF
plexlogin $VERSION for Linux ($ARCH): sign in to Plex and keep the token in the keyring.

  ./plexlogin/plexlogin          run it from here (no installation needed)
  ./install.sh                   install for you: ~/.local/lib/plexlogin, ~/.local/bin/plexlogin,
                                 and a menu entry (Plex Sign-In)
  ~/.local/lib/plexlogin/uninstall.sh   remove it again

Needs a Secret Service keyring (GNOME Keyring, KWallet) to store the token.
EOF
# reproducible-ish: fixed owner and sorted names; the date is the build's
tar --sort=name --owner=0 --group=0 --numeric-owner -C build/tarball \
  -czf "dist/$NAME.tar.gz" "plexlogin-$VERSION"
rm -rf build/tarball

if [ "$DEB" = 1 ]; then
  echo "==> Debian package"
  rm -f dist/plexlogin_*.deb
  DEB_PATH=$("$PYTHON" "$HERE/deb_package.py" --app dist/plexlogin --dist dist --work build/deb)
  rm -rf build/deb/root  # a second 115 MB copy of the app
fi

echo "==> done in $((SECONDS - started)) s"
sizes=(dist/plexlogin "dist/$NAME.tar.gz")
[ -e "dist/$NAME" ] && [ ${#SPEC_ARGS[@]} -eq 0 ] && sizes+=("dist/$NAME")
[ "$DEB" = 1 ] && sizes+=("$DEB_PATH")
du -sh --apparent-size "${sizes[@]}"
echo "(left out of the bundle: build/plexlogin/dropped-from-bundle.txt)"
