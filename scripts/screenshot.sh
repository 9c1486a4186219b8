#!/usr/bin/env bash
# Takes the pictures of docs/window.md: the real window under Xvfb with live demo traffic —
# main-window.png (the window's own --screenshot), then, driven by its shortcuts with xdotool,
# travel-result.png (Ctrl+R: a replay in its tab) and publish-dialog.png (Ctrl+P); then the views
# reached by clicks — latency.png (an event's Timing tab, the latency columns), row-history.png (a
# followed row), compare-captures.png and window-<size>-<theme>.png (1280×800 and 1600×1000, light
# and dark) — from the window tests that set them up, offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null || ! command -v import >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends xvfb xdotool imagemagick >/dev/null
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

# The travel panel's replay and the publish dialog, through the window's own shortcuts.
XDG_CONFIG_HOME="$config_home" DISPLAY="$display" build/app/cdcscope --in-memory --port "$port" &
app_pid=$!
sleep 0.5
node scripts/demo-traffic.mjs "$port" 12 &
sleep 5
window=$(DISPLAY="$display" xdotool search --name "CDC Scope" | head -n 1)
DISPLAY="$display" xdotool windowfocus --sync "$window" # no window manager gives it the focus
DISPLAY="$display" xdotool key --window "$window" ctrl+r
sleep 1.5
DISPLAY="$display" import -window "$window" docs/screenshots/travel-result.png
DISPLAY="$display" xdotool key --window "$window" ctrl+p
sleep 1
eval "$(DISPLAY="$display" xdotool getwindowgeometry --shell "$window")" # X, Y, WIDTH, HEIGHT
DISPLAY="$display" import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" docs/screenshots/publish-dialog.png
DISPLAY="$display" xdotool key --window "$(DISPLAY="$display" xdotool search --name Publish | tail -n 1)" Escape
sleep 0.5
kill -TERM "$app_pid"
wait "$app_pid" || true
rm -rf "$config_home"

test_home=$(mktemp -d)
CDCSCOPE_SCREENSHOT_DIR="$PWD/docs/screenshots" QT_QPA_PLATFORM=offscreen CDCSCOPE_IN_MEMORY=1 \
  XDG_CONFIG_HOME="$test_home/config" XDG_DATA_HOME="$test_home/data" CDCSCOPE_BINARY="$PWD/build/app/cdcscope" \
  build/tests/tst_mainwindow channelsAndClientsShowWhereTheTimeWent followARowAcrossTheServersBufferLiveAndACapture \
  twoCapturesSideBySide theWindowReadsAtAGlanceAtBothSizesInBothThemes >/dev/null
rm -rf "$test_home"
echo "wrote docs/screenshots/main-window.png, travel-result.png, publish-dialog.png, latency.png," \
  "row-history.png, compare-captures.png, window-{1280x800,1600x1000}-{light,dark}.png"
