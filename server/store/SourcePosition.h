#pragma once

#include <QByteArray>

namespace cdc {

// Where a source stands upstream (SourceMark), with what else it keeps about itself (a backfill's
// next key, JSON); committed with the events it describes.
struct SourcePosition
{
    qint64 position = 0;
    QByteArray detail; // empty: none
};

} // namespace cdc
