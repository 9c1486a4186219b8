#!/usr/bin/env bash
# Takes docs/screenshots/main-window.png: the real window under Xvfb with live demo traffic.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! command -v Xvfb >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends xvfb >/dev/null
fi
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
scripts/build.sh

display=":${CDCSCOPE_SCREENSHOT_DISPLAY:-97}"
Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
sleep 1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
config_home=$(mktemp -d)
mkdir -p docs/screenshots
XDG_CONFIG_HOME="$config_home" DISPLAY="$display" \
  build/app/cdcscope --in-memory --port "$port" --screenshot docs/screenshots/main-window.png &
app_pid=$!
sleep 0.5
node scripts/demo-traffic.mjs "$port" 6 &
wait "$app_pid"
rm -rf "$config_home"
echo "wrote docs/screenshots/main-window.png"
