#include "ConnectionLimiter.h"

namespace cdc {

ConnectionSlot::ConnectionSlot(ConnectionLimiter *limiter, QHostAddress address)
    : m_limiter(limiter)
    , m_address(std::move(address))
{}

ConnectionSlot::ConnectionSlot(ConnectionSlot &&other) noexcept
    : m_limiter(std::exchange(other.m_limiter, nullptr))
    , m_address(std::move(other.m_address))
{}

ConnectionSlot &ConnectionSlot::operator=(ConnectionSlot &&other) noexcept
{
    if (this != &other) {
        if (m_limiter)
            m_limiter->release(m_address);
        m_limiter = std::exchange(other.m_limiter, nullptr);
        m_address = std::move(other.m_address);
    }
    return *this;
}

ConnectionSlot::~ConnectionSlot()
{
    if (m_limiter)
        m_limiter->release(m_address);
}

std::variant<ConnectionSlot, ConnectionLimiter::Refusal> ConnectionLimiter::admit(const QHostAddress &address)
{
    if (m_open >= m_maxConnections)
        return Refusal{QStringLiteral("connections"), 503, QStringLiteral("too_many_connections"),
                       QStringLiteral("the server has %1 open connections, its limit (--max-connections); try again "
                                      "later")
                           .arg(m_open)};
    // Every local process connects from the loopback address: one that holds many connections
    // must not lock the others out (the window, a CLI), so the per-address limit is for remote
    // peers; the total limit still holds for everyone.
    if (address.isLoopback()) {
        ++m_open;
        return ConnectionSlot(this, address);
    }
    int &fromAddress = m_perAddress[address];
    if (fromAddress >= m_maxPerAddress)
        return Refusal{QStringLiteral("connections_per_ip"), 429, QStringLiteral("too_many_connections_from_address"),
                       QStringLiteral("%1 already has %2 open connections, the limit per address "
                                      "(--max-connections-per-ip)")
                           .arg(address.toString())
                           .arg(fromAddress)};
    ++fromAddress;
    ++m_open;
    return ConnectionSlot(this, address);
}

void ConnectionLimiter::release(const QHostAddress &address)
{
    --m_open;
    auto found = m_perAddress.find(address);
    if (found != m_perAddress.end() && --found.value() <= 0)
        m_perAddress.erase(found);
}

} // namespace cdc
