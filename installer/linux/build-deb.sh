#!/usr/bin/env bash
# Package the one-folder app dist/MotCuaDesk/ (made by ./installer/build.sh) as a Debian package:
#
#   ./installer/build.sh --deb       (or, after a build, ./installer/linux/build-deb.sh)
#
# Result: dist/motcua-desk_<version>_<arch>.deb, which installs the app under /opt/motcua-desk, the
# commands /usr/bin/motcua-desk and /usr/bin/motcua, a desktop entry (application menu: Office) and
# its icon. Each user's data stays in ~/.local/share/MotCuaDesk; removing the package leaves it.
# The system's SANE (scanner drivers and their configuration) is used, so libsane1 is a dependency.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
app=dist/MotCuaDesk
[[ -x "$app/motcua-desk" ]] || { echo "build-deb: $app is missing; run ./installer/build.sh first" >&2; exit 1; }
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)"
arch="$(dpkg --print-architecture)"
stage="build/deb/motcua-desk_${version}_${arch}"
rm -rf -- "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt/motcua-desk" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/icons/hicolor/256x256/apps"
cp -a "$app/." "$stage/opt/motcua-desk/"
ln -s /opt/motcua-desk/motcua-desk "$stage/usr/bin/motcua-desk"
ln -s /opt/motcua-desk/motcua "$stage/usr/bin/motcua"
install -m 644 installer/linux/motcua-desk.desktop "$stage/usr/share/applications/motcua-desk.desktop"
install -m 644 resources/icons/motcua.png "$stage/usr/share/icons/hicolor/256x256/apps/motcua-desk.png"
size_kb="$(du -sk "$stage" | cut -f1)"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: motcua-desk
Version: ${version}
Section: misc
Priority: optional
Architecture: ${arch}
Installed-Size: ${size_kb}
Depends: libc6, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libegl1, libgl1, libglib2.0-0 | libglib2.0-0t64, libdbus-1-3, libsane1 | libsane1t64
Recommends: sane-utils, cups
Maintainer: MotCua Desk <motcua-desk@localhost>
Description: One-stop-shop counter application (Bộ phận Một cửa)
 Receives administrative-procedure dossiers, scans the papers, reads CCCD QR codes,
 prints receipts with due dates on the working-day calendar and follows each dossier
 until its result is returned. Works offline on an encrypted SQLite database.
CONTROL
cat >"$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
POSTINST
chmod 755 "$stage/DEBIAN/postinst"
out="dist/motcua-desk_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out" >/dev/null
echo "build-deb: $out ($(du -h "$out" | cut -f1); installed $((size_kb / 1024)) MiB)"
