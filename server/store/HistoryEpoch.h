#pragma once

#include <QByteArray>
#include <QRandomGenerator>

namespace cdc {

// The epoch of a seq history: 16 random hex digits, made when a history starts (an in-memory store
// at start, a new journal) and kept as long as it lasts. Clients compare it across reconnects: a new
// one means seqs began again (docs/protocol.md, "History epochs").
inline QByteArray newHistoryEpoch()
{
    return QByteArray::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, '0');
}

} // namespace cdc
