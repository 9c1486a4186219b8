#include "IdempotencyLedger.h"

namespace cdc {

const IdempotentAnswer *IdempotencyLedger::find(const QByteArray &key, qint64 nowMs) const
{
    const auto found = m_answers.constFind(key);
    if (found == m_answers.cend() || found->atMs < nowMs - m_windowMs)
        return nullptr;
    return &found.value();
}

void IdempotencyLedger::remember(IdempotentAnswer answer)
{
    m_order.emplace_back(answer.atMs, answer.key);
    const QByteArray key = answer.key;
    m_answers.insert(key, std::move(answer));
    while (m_answers.size() > m_maxKeys && !m_order.empty()) {
        const auto &[atMs, oldest] = m_order.front();
        // A key remembered again later has a newer entry in m_order; drop only the current one.
        const auto found = m_answers.constFind(oldest);
        if (found != m_answers.cend() && found->atMs == atMs)
            m_answers.erase(found);
        m_order.pop_front();
    }
}

void IdempotencyLedger::expire(qint64 nowMs)
{
    while (!m_order.empty() && m_order.front().first < nowMs - m_windowMs) {
        const auto found = m_answers.constFind(m_order.front().second);
        if (found != m_answers.cend() && found->atMs == m_order.front().first)
            m_answers.erase(found);
        m_order.pop_front();
    }
}

} // namespace cdc
