#pragma once

#include "protocol/PayloadMask.h"

namespace cdc {

// The field names the window masks (View > Mask fields…), kept in the settings and shared by every
// window: the live view, replays, the detail pane, copies, recordings and exports all apply it.
namespace MaskSettings {

const PayloadMask &current();
void setPatterns(const QStringList &patterns);

} // namespace MaskSettings

} // namespace cdc
