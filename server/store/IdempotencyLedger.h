#pragma once

#include "Receipts.h"

#include <QByteArray>
#include <QHash>

#include <deque>
#include <optional>

namespace cdc {

// What POST /events answered for an Idempotency-Key: a retry with the same key and the same body
// gets this answer again and stores nothing. The body's fingerprint tells a retry from a reuse
// of the key for something else.
struct IdempotentAnswer
{
    QByteArray key;
    QByteArray fingerprint;   // SHA-256 of the request body
    CompactReceipts receipts; // what the 200 said, compactly
    qint64 atMs = 0;

    qint64 bytes() const { return qint64(sizeof(IdempotentAnswer)) + key.size() + fingerprint.size() + receipts.bytes(); }
};

// The answers of the last `windowMs`, at most `maxKeys` of them and `maxBytes` in memory (the oldest
// go first, counted in forgotten()). Kept by the store, made durable by the journal in the same
// transaction as the events they answer for.
class IdempotencyLedger
{
public:
    static constexpr qint64 defaultWindowMs = 24LL * 3600 * 1000;
    static constexpr qsizetype defaultMaxKeys = 100'000;
    static constexpr qint64 defaultMaxBytes = qint64(32) << 20;

    explicit IdempotencyLedger(qint64 windowMs = defaultWindowMs, qsizetype maxKeys = defaultMaxKeys,
                               qint64 maxBytes = defaultMaxBytes)
        : m_windowMs(windowMs)
        , m_maxKeys(maxKeys)
        , m_maxBytes(maxBytes)
    {}

    // The answer kept for `key`, unless it is older than the window at `nowMs`.
    const IdempotentAnswer *find(const QByteArray &key, qint64 nowMs) const;
    void remember(IdempotentAnswer answer);
    // Drops the answers that have left the window at `nowMs`.
    void expire(qint64 nowMs);
    qint64 windowMs() const { return m_windowMs; }
    qsizetype size() const { return m_answers.size(); }
    qint64 bytes() const { return m_bytes; }
    void setMaxBytes(qint64 maxBytes);
    // Answers dropped before their window ended, to stay within the key and byte limits.
    qint64 forgotten() const { return m_forgotten; }

private:
    // Drops the oldest entry of m_order (and its answer, if that is still the current one).
    void dropOldest();
    void erase(QHash<QByteArray, IdempotentAnswer>::const_iterator found);

    qint64 m_windowMs;
    qsizetype m_maxKeys;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    qint64 m_forgotten = 0;
    QHash<QByteArray, IdempotentAnswer> m_answers;
    std::deque<std::pair<qint64, QByteArray>> m_order; // (atMs, key), oldest first
};

} // namespace cdc
