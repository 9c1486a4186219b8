#pragma once

#include "SourceStatus.h"

#include <optional>

namespace cdc {

// What the HTTP API (POST /sources/postgres/backfills) and the window ask of a source's backfills;
// the PostgreSQL source answers. Engine thread.
class BackfillControl
{
public:
    struct Answer
    {
        int httpStatus = 202; // 202 ordered; 404, 409, 422 refused (code and message say why)
        QString code;
        QString message;
        std::optional<BackfillStatus> backfill;
    };
    enum class Action { Pause, Resume, Cancel };

    virtual ~BackfillControl() = default;
    // `table`: "schema.table" or "table" (then in public); `chunkSize` 0: the configured one.
    virtual Answer startBackfill(const QString &table, qint64 chunkSize) = 0;
    virtual Answer controlBackfill(const QString &table, Action action) = 0;
    virtual QList<BackfillStatus> backfills() const = 0;
};

} // namespace cdc
