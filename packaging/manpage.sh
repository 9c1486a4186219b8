#!/usr/bin/env bash
# Writes the man page: packaging/cdcscope.1.in with its @OPTIONS@ line replaced by the options
# of `cdcscope --help`, so the page and --help cannot disagree. Usage: manpage.sh BINARY TEMPLATE OUT
set -euo pipefail
binary=$1 template=$2 out=$3

options=$("$binary" --help | awk '
  function flush() {
    if (flag != "") {
      gsub(/\\/, "\\\\", text); gsub(/-/, "\\-", text)
      printf ".TP\n.B %s\n%s\n", flag, text
    }
    flag = ""; text = ""
  }
  /^Options:/ { inside = 1; next }
  !inside { next }
  /^  -/ {
    flush()
    line = substr($0, 3)
    split_at = match(line, /   +/)
    head = split_at ? substr(line, 1, split_at - 1) : line
    text = split_at ? substr(line, split_at + RLENGTH) : ""
    gsub(/-/, "\\-", head)
    gsub(/<([^>]*)>/, "\\fI&\\fB", head); gsub(/[<>]/, "", head)
    flag = head
    next
  }
  /^ +[^ ]/ { sub(/^ +/, ""); text = text " " $0; next }
  { flush() }
  END { flush() }')

OPTIONS="$options" awk '$0 == "@OPTIONS@" { print ENVIRON["OPTIONS"]; next } { print }' "$template" > "$out"
