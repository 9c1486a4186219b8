#pragma once

#include "JsonTree.h"
#include "host/MonitorTypes.h"
#include "inspect/ChangeReading.h"

#include <QString>

#include <memory>
#include <optional>

namespace cdc {

class PayloadMask;

// Everything the detail pane shows of one event, read off the GUI thread: a 16 MiB payload takes
// a second to read, and the window must not stop for it.
struct PayloadReading
{
    std::shared_ptr<const JsonTree> tree; // the masked payload
    std::optional<ChangeReading> change;  // when the payload is a row change
    QString raw;                          // the event's JSON as sent (masked), pretty-printed when asked
};

PayloadReading readPayload(const LiveEvent &event, const PayloadMask &mask, bool pretty);

// The same JSON text indented two spaces a level, one member or item a line; every token as
// written (a 40-digit number, an escape, a duplicate key stay what they were). `validJson` must be
// valid (a stored event is).
QByteArray prettyJson(QByteArrayView validJson);

} // namespace cdc
