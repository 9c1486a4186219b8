#include "IdempotencyLedger.h"

namespace cdc {

const IdempotentAnswer *IdempotencyLedger::find(const QByteArray &key, qint64 nowMs) const
{
    const auto found = m_answers.constFind(key);
    if (found == m_answers.cend() || found->atMs < nowMs - m_windowMs)
        return nullptr;
    return &found.value();
}

void IdempotencyLedger::erase(QHash<QByteArray, IdempotentAnswer>::const_iterator found)
{
    m_bytes -= found->bytes();
    m_answers.erase(found);
}

void IdempotencyLedger::remember(IdempotentAnswer answer)
{
    m_order.emplace_back(answer.atMs, answer.key);
    const QByteArray key = answer.key;
    if (const auto previous = m_answers.constFind(key); previous != m_answers.cend())
        erase(previous);
    m_bytes += answer.bytes();
    m_answers.insert(key, std::move(answer));
    while ((m_answers.size() > m_maxKeys || m_bytes > m_maxBytes) && !m_order.empty()) {
        const qsizetype before = m_answers.size();
        dropOldest();
        m_forgotten += before - m_answers.size();
    }
}

void IdempotencyLedger::setMaxBytes(qint64 maxBytes)
{
    m_maxBytes = maxBytes;
    while (m_bytes > m_maxBytes && !m_order.empty()) {
        const qsizetype before = m_answers.size();
        dropOldest();
        m_forgotten += before - m_answers.size();
    }
}

void IdempotencyLedger::dropOldest()
{
    const auto &[atMs, oldest] = m_order.front();
    // A key remembered again later has a newer entry in m_order; drop only the current one.
    const auto found = m_answers.constFind(oldest);
    if (found != m_answers.cend() && found->atMs == atMs)
        erase(found);
    m_order.pop_front();
}

void IdempotencyLedger::expire(qint64 nowMs)
{
    while (!m_order.empty() && m_order.front().first < nowMs - m_windowMs)
        dropOldest();
}

} // namespace cdc
