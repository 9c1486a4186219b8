#pragma once

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
    QByteArray fingerprint; // SHA-256 of the request body
    QByteArray answer;      // the 200's JSON body
    qint64 atMs = 0;
};

// The answers of the last `windowMs`, at most `maxKeys` of them (the oldest go first). Kept by the
// store, made durable by the journal in the same transaction as the events they answer for.
class IdempotencyLedger
{
public:
    static constexpr qint64 defaultWindowMs = 24LL * 3600 * 1000;
    static constexpr qsizetype defaultMaxKeys = 100'000;

    explicit IdempotencyLedger(qint64 windowMs = defaultWindowMs, qsizetype maxKeys = defaultMaxKeys)
        : m_windowMs(windowMs)
        , m_maxKeys(maxKeys)
    {}

    // The answer kept for `key`, unless it is older than the window at `nowMs`.
    const IdempotentAnswer *find(const QByteArray &key, qint64 nowMs) const;
    void remember(IdempotentAnswer answer);
    // Drops the answers that have left the window at `nowMs`.
    void expire(qint64 nowMs);
    qint64 windowMs() const { return m_windowMs; }
    qsizetype size() const { return m_answers.size(); }

private:
    qint64 m_windowMs;
    qsizetype m_maxKeys;
    QHash<QByteArray, IdempotentAnswer> m_answers;
    std::deque<std::pair<qint64, QByteArray>> m_order; // (atMs, key), oldest first
};

} // namespace cdc
