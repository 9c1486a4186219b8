#!/usr/bin/env bash
# The .deb as Debian's own tools see it: makes the package from the build folder with cpack, then
# checks its control data (Depends carry the runtime pieces shlibdeps cannot see), its files,
# the desktop entry (desktop-file-validate), the metainfo (appstreamcli validate), the systemd unit
# (systemd-analyze verify) and the man page (man). Usage: check-package.sh CPACK BUILD_DIR
set -uo pipefail
cpack=$1 build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0
check() {
  local name=$1
  shift
  if "$@" >"$work/check.log" 2>&1; then
    echo "ok      $name"; passed=$((passed + 1))
  else
    echo "FAILED  $name"; sed 's/^/        /' "$work/check.log" | tail -20; failed=$((failed + 1))
  fi
}

(cd "$build_dir" && "$cpack" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/cdcscope_*.deb)
dpkg-deb -x "$deb" "$work/root"
depends=$(dpkg-deb -f "$deb" Depends)

has_dependency() { echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$1"; }
check "package name and version" test "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" = \
  "cdcscope $("$work/root/usr/bin/cdcscope" --version | cut -d' ' -f2)"
for package in qt6-qpa-plugins libqt6sql6-sqlite libsecret-1-0 libqt6core6 libqt6websockets6 libqt6keychain1 libpq5; do
  check "Depends: $package" has_dependency "$package"
done
check "maintainer scripts and conffiles" sh -c "dpkg-deb -I '$deb' | grep -q ' postinst ' && dpkg-deb -I '$deb' postrm | grep -q userdel &&
  dpkg-deb -I '$deb' conffiles | grep -qx /etc/cdcscope/cdcscope.conf"
check "binary, unit, config, docs" test -x "$work/root/usr/bin/cdcscope" -a -f "$work/root/usr/lib/systemd/system/cdcscope.service" \
  -a -f "$work/root/etc/cdcscope/cdcscope.conf" -a -f "$work/root/usr/share/doc/cdcscope/README.md"
for size in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512 scalable; do
  check "icon $size" sh -c "ls '$work/root/usr/share/icons/hicolor/$size/apps/' | grep -qx 'io.github.cdcscope.CdcScope.\(png\|svg\)'"
done
check "desktop-file-validate" desktop-file-validate "$work/root/usr/share/applications/io.github.cdcscope.CdcScope.desktop"
check "appstreamcli validate" appstreamcli validate --no-net "$work/root/usr/share/metainfo/io.github.cdcscope.CdcScope.metainfo.xml"
check "man page renders with every option" sh -c "MANWIDTH=100 man -l '$work/root/usr/share/man/man1/cdcscope.1.gz' > '$work/man.txt' &&
  grep -q -- '--max-connections' '$work/man.txt' && grep -q 'CLIENT COMMANDS' '$work/man.txt'"
# systemd checks ExecStart's binary on this machine, so point the unit at the unpacked one.
sed "s|/usr/bin/cdcscope|$work/root/usr/bin/cdcscope|" "$work/root/usr/lib/systemd/system/cdcscope.service" \
  >"$work/cdcscope.service"
check "systemd-analyze verify" sh -c "systemd-analyze verify --man=no '$work/cdcscope.service' 2>&1 | tee /dev/stderr | (! grep -q .)"
# The unit's command line must hold only flags the binary knows (an unknown one fails at once).
exec_start=$(sed -n 's/^ExecStart=//p' "$work/cdcscope.service")
check "ExecStart's flags are known" sh -c "$exec_start --version | grep -q '^cdcscope '"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
