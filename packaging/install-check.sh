#!/usr/bin/env bash
# Install check: the .deb as support staff install it, on a clean Debian 12 made by debootstrap.
#
#   packaging/install-check.sh [path/to/cdcscope_*.deb]
#
# Without an argument it builds the package first (scripts/package.sh). Then, in a fresh
# minimal Debian 12 root (debootstrap into a folder; needs root and the Debian mirror), it runs
# `apt-get install ./cdcscope_*.deb` and checks what a user would: `cdcscope --version`, the man
# page, the service user and config; the headless server started as the service starts it (its
# config file, its user, a journal under /var/lib/cdcscope), an event published with
# `cdcscope publish` and received with `cdcscope tail`; the window started on the offscreen
# platform (the platform plugins are there); and `apt-get purge` cleaning up. Prints
# "install-check: N passed, 0 failed" and exits 0 when everything held.
set -euo pipefail
cd "$(dirname "$0")/.."

mirror="${CDCSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${CDCSCOPE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

if [ "$(id -u)" -ne 0 ]; then
  echo "install-check: needs root (debootstrap and chroot); run it with sudo" >&2
  exit 2
fi
for tool in debootstrap chroot mount; do
  command -v "$tool" >/dev/null || { echo "install-check: needs $tool (apt-get install debootstrap)" >&2; exit 2; }
done

if [ $# -ge 1 ]; then
  deb=$(realpath "$1")
else
  scripts/package.sh >&2
  deb=$(realpath "$(ls -t "${CDCSCOPE_BUILD_DIR:-build}"/cdcscope_*.deb | head -n 1)")
fi
[ -f "$deb" ] || { echo "install-check: no package at $deb" >&2; exit 2; }

work=$(mktemp -d /tmp/cdcscope-install-check.XXXXXX)
root="$work/root"
cleanup() {
  # Whatever the chroot started must not outlive the check, and no mount may stay behind.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  for mountpoint in "$root/dev/pts" "$root/dev" "$root/proc"; do
    mountpoint -q "$mountpoint" 2>/dev/null && umount -l "$mountpoint"
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "install-check: debootstrap bookworm into $root" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

echo "install-check: apt-get install ./$(basename "$deb")" >&2
in_root sh -c 'apt-get update -qq && cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./cdcscope_*.deb' \
  >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log" >&2; exit 1; }

passed=0
failed=0
check() { # check NAME COMMAND...: one line per check, as a test runner prints them
  local name=$1
  shift
  if "$@" >"$work/check.log" 2>&1; then
    echo "ok      $name"
    passed=$((passed + 1))
  else
    echo "FAILED  $name"
    sed 's/^/        /' "$work/check.log" | tail -15
    failed=$((failed + 1))
  fi
}

check "cdcscope --version" in_root sh -c 'cdcscope --version | grep -x "cdcscope [0-9.]*"'
check "man page" in_root sh -c 'test -s /usr/share/man/man1/cdcscope.1.gz && zcat /usr/share/man/man1/cdcscope.1.gz | grep -q "^.SH CLIENT COMMANDS"'
check "desktop entry and icons" in_root sh -c 'test -f /usr/share/applications/io.github.cdcscope.CdcScope.desktop &&
  test -f /usr/share/icons/hicolor/scalable/apps/io.github.cdcscope.CdcScope.svg &&
  test -f /usr/share/icons/hicolor/48x48/apps/io.github.cdcscope.CdcScope.png'
check "service user and config" in_root sh -c 'getent passwd cdcscope | grep -q ":/var/lib/cdcscope:/usr/sbin/nologin$" &&
  test -f /etc/cdcscope/cdcscope.conf && test "$(stat -c %U:%G:%a /etc/cdcscope/cdcscope.env)" = root:cdcscope:640 &&
  test -f /usr/lib/systemd/system/cdcscope.service'

# The server as cdcscope.service runs it (its user, config file and data folder; systemd's
# StateDirectory= makes that folder), on a port the OS picks, given the way the env file would.
in_root install -d -o cdcscope -g cdcscope -m 0750 /var/lib/cdcscope
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/cdcscope CDCSCOPE_PORT=0 \
  setpriv --reuid=cdcscope --regid=cdcscope --init-groups \
  /usr/bin/cdcscope --headless --config /etc/cdcscope/cdcscope.conf --data-dir /var/lib/cdcscope --log-format json \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/server.log" && break; sleep 0.1; done
port=$(grep -o 'listening on ws://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
check "headless server starts as the service user" test -n "$port"

in_root cdcscope tail "ws://127.0.0.1:$port/ws" --client install_check --count 1 --timeout 20s >"$work/tail.out" 2>"$work/tail.err" &
tail_pid=$!
for _ in $(seq 100); do # until the tail is connected
  curl -s "http://127.0.0.1:$port/health" | grep -q '"connections":1' && break
  sleep 0.1
done
check "publish an event" in_root sh -c "echo '{\"table\":\"users\",\"op\":\"insert\"}' | cdcscope publish http://127.0.0.1:$port --channel install_check | grep -q '\"seq\":1'"
tail_status=0
wait "$tail_pid" || tail_status=$?
check "tail receives it as published (exit 0)" sh -c "test $tail_status -eq 0 && grep -q '\"payload\":{\"table\":\"users\",\"op\":\"insert\"}' '$work/tail.out'"
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" || true
check "journal written under /var/lib/cdcscope" in_root sh -c 'test "$(stat -c %U /var/lib/cdcscope/journal.sqlite)" = cdcscope'

check "window starts (offscreen platform plugin, screenshot)" in_root sh -c \
  'cd /tmp && QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp timeout 60 cdcscope --in-memory --port 0 --screenshot /tmp/window.png && test -s /tmp/window.png'

check "apt-get purge removes user, data and config" in_root sh -c \
  'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq cdcscope >/dev/null && ! getent passwd cdcscope && test ! -e /var/lib/cdcscope && test ! -e /etc/cdcscope && test ! -e /usr/bin/cdcscope'

echo "install-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
