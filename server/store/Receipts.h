#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace cdc {

// Where a stored event landed: returned to the publisher.
struct AppendReceipt
{
    QString channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
};

// The receipts of one publish, kept to answer its retries (IdempotencyLedger): runs of consecutive
// seqs on one channel stored at one time, so a batch of 200 000 events to one channel costs one
// run, not 200 000 receipts (or the 12 MB of JSON they answer with).
class CompactReceipts
{
public:
    CompactReceipts() = default;
    CompactReceipts(const QList<AppendReceipt> &receipts, bool batch);

    bool isBatch() const { return m_batch; }
    QList<AppendReceipt> expand() const;
    // What this costs in memory, near enough to budget by.
    qint64 bytes() const;
    qsizetype runCount() const { return qsizetype(m_runs.size()); }

    // The journal's form: {"batch":true,"runs":[["orders",1,500,1733500000000],...]}.
    QByteArray encode() const;
    // The journal's form, or a JSON answer as journals before the compact form kept it.
    static std::optional<CompactReceipts> decode(const QByteArray &stored);

private:
    struct Run
    {
        QString channel;
        qint64 firstSeq = 0;
        qint64 count = 0;
        qint64 tsMs = 0;
    };
    std::vector<Run> m_runs;
    bool m_batch = false;
};

} // namespace cdc
