#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QStringList>

#include <optional>
#include <variant>

namespace cdc {

// Compares two captures (JSONL, the export format) as CDC traffic, not as text: events are paired
// by channel, operation and key, so a golden capture can assert a pipeline's output even though
// seqs, timestamps and the interleaving of channels differ from run to run.

// One event of a capture, as the comparison sees it.
struct CaptureEntry
{
    int line = 0; // 1-based line in its file
    QString channel;
    QByteArray payload; // compact JSON, as recorded
    qint64 seq = 0;     // as recorded (0 when the line has none)
    qint64 tsMs = 0;
};

// The lines of `path`, or an error naming the file and the first bad line.
std::variant<QList<CaptureEntry>, QString> readCaptureFile(const QString &path);

// A payload as (path -> value text): "new.amount" -> "1.50", "items[0].id" -> "7". Every leaf
// keeps its token as written (digits, escapes); containers appear only when empty ("{}", "[]").
QMap<QString, QByteArray> flattenPayload(QByteArrayView payload);

struct CaptureDiffOptions
{
    // Payload fields that identify a row ("id", "new.id"). A bare name is also looked for under the
    // common change shapes: new/old (PostgreSQL), after/before (Debezium), record/old_record
    // (Supabase). None: events pair by their order within a channel and operation.
    QStringList keyFields;
    // Payload fields left out of the comparison, with everything under them ("commit_ts_ms", "lsn").
    QStringList ignoredFields;
};

struct CaptureDiff
{
    // What identifies an event in the report: its channel, operation and key.
    struct Identity
    {
        QString channel;
        QString operation; // the payload's "op" (or Debezium's), empty when it has none
        QString key;       // "id=42", or "#3" for the third of its channel and operation
    };
    struct Unpaired
    {
        Identity identity;
        int line = 0;
    };
    struct FieldChange
    {
        QString path;
        std::optional<QByteArray> before; // empty: the field is absent there
        std::optional<QByteArray> after;
    };
    struct Changed
    {
        Identity identity;
        int lineA = 0;
        int lineB = 0;
        QList<FieldChange> fields;
    };
    struct Moved
    {
        Identity identity;
        int lineA = 0;
        int lineB = 0;
    };

    int eventsA = 0;
    int eventsB = 0;
    QList<Unpaired> missing; // in A, not in B
    QList<Unpaired> extra;   // in B, not in A
    QList<Changed> changed;  // paired, with different payloads
    QList<Moved> reordered;  // paired, but in another order relative to their channel's others

    bool isEqual() const { return missing.isEmpty() && extra.isEmpty() && changed.isEmpty() && reordered.isEmpty(); }
};

// The key fields every event of both captures names as a row change's key ("id", or the replica
// identity's columns), so that a comparison can pair by key without being told; none when some
// event is not a row change with a key, or the events disagree.
QStringList keyFieldsFound(const QList<CaptureEntry> &a, const QList<CaptureEntry> &b);

CaptureDiff diffCaptures(const QList<CaptureEntry> &a, const QList<CaptureEntry> &b, const CaptureDiffOptions &options);

} // namespace cdc
