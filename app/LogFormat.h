#pragma once

#include "CommandLine.h"

namespace cdc {

// Sends every log message to stderr, one line each: readable text, or one JSON object per line
// ({"ts","level","category","message"}) for log collectors.
void installLogFormat(LogFormat format);

} // namespace cdc
