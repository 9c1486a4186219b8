#!/usr/bin/env bash
# Installs what building, running and testing CDC Scope needs on Debian 12. Idempotent: packages
# already present are not touched, and apt is only asked when something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev qtkeychain-qt6-dev libqt6sql6-sqlite libsqlite3-dev
  curl ca-certificates openssl
  # cdcscope-bench measures wss:// and https:// with OpenSSL directly (--tls 1); the connection threads
  # free their OpenSSL state as they end.
  libssl-dev
  # Publish payloads are validated and compacted token for token by simdjson.
  libsimdjson-dev
  # Journal payload checksums (CRC-32) and permessage-deflate; libdeflate only for the measurement
  # against zlib (bench/compression.cpp).
  zlib1g-dev
  libdeflate-dev
  # The interop suite: the client libraries users have (Python's requests, aiohttp, websockets)
  # and a real browser (headless Chromium).
  python3 python3-requests python3-aiohttp python3-websockets chromium
  # The PostgreSQL source: libpq to build; a PostgreSQL 15 server for its tests and benchmark.
  libpq-dev postgresql-15 postgresql-client-15
  # Passwords in the system keychain: QtKeychain's Secret Service backend, and for its tests a
  # real gnome-keyring in a private D-Bus session.
  libsecret-1-0 gnome-keyring dbus-daemon
  # Packages (scripts/package.sh): dpkg-shlibdeps for the .deb's Depends; the checks of its
  # desktop entry, metainfo, systemd unit and man page; debootstrap for the install check on a
  # clean Debian 12.
  dpkg-dev desktop-file-utils appstream systemd man-db debootstrap
  # libFuzzer targets of the parsers (scripts/fuzz.sh): clang and its sanitizer/fuzzer runtimes.
  clang libclang-rt-14-dev
  # A test whose server does not stop on SIGTERM prints every thread's stack with gdb.
  gdb
  # Cluster mode (--redis): hiredis to build; a Redis 7 server for its tests.
  libhiredis-dev redis-server
)
# Node runs the spec's own `ws` client in the end-to-end tests; a node already on the machine is
# used as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
