#include "ByteBudget.h"

namespace cdc {

bool ByteBudget::tryTake(qint64 bytes)
{
    qint64 used = m_used.load(std::memory_order_relaxed);
    do {
        if (used + bytes > m_limit)
            return false;
    } while (!m_used.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
}

bool ByteShare::growTo(qint64 bytes)
{
    if (!m_budget || bytes <= m_bytes)
        return true;
    if (!m_budget->tryTake(bytes - m_bytes))
        return false;
    m_bytes = bytes;
    return true;
}

void ByteShare::release()
{
    if (m_budget && m_bytes > 0)
        m_budget->give(m_bytes);
    m_bytes = 0;
}

} // namespace cdc
