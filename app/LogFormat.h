#pragma once

#include "CommandLine.h"

namespace cdc {

// Sends every log message to stderr, one line each: readable text, or one JSON object per line
// ({"ts","level","category","message"}) for log collectors.
void installLogFormat(LogFormat format);

// A message as the text format writes it: one line whatever it quotes. Controls, line and paragraph
// separators and bidirectional controls become escapes (\n, \u202E), so a name or value a client
// chose cannot start a forged line or reorder what a reader sees.
QString escapedForTextLog(const QString &message);

} // namespace cdc
