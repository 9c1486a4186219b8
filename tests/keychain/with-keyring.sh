#!/bin/sh
# Runs a command against a real, unlocked gnome-keyring (the Secret Service) in the D-Bus session
# of `dbus-run-session`, with a throw-away home so the user's own keyrings are never touched. No
# DISPLAY: an unexpected prompt fails instead of waiting for a click.
# Usage: dbus-run-session -- with-keyring.sh COMMAND...
set -eu
home=$(mktemp -d "${TMPDIR:-/tmp}/cdcscope-keyring-XXXXXX")
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY
# --unlock creates the login keyring with this password (it exists nowhere else) and unlocks it.
eval "$(printf 'cdcscope-test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
export CDCSCOPE_TEST_KEYRING=1
"$@"
