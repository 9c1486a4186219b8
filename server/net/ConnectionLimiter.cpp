#include "ConnectionLimiter.h"

#include <QTcpSocket>

namespace cdc {

std::optional<ConnectionLimiter::Refusal> ConnectionLimiter::admit(QTcpSocket *socket)
{
    const QHostAddress address = socket->peerAddress();
    if (m_open >= m_maxConnections)
        return Refusal{QStringLiteral("connections"), 503, QStringLiteral("too_many_connections"),
                       QStringLiteral("the server has %1 open connections, its limit (--max-connections); try again "
                                      "later")
                           .arg(m_open)};
    int &fromAddress = m_perAddress[address];
    if (fromAddress >= m_maxPerAddress)
        return Refusal{QStringLiteral("connections_per_ip"), 429, QStringLiteral("too_many_connections_from_address"),
                       QStringLiteral("%1 already has %2 open connections, the limit per address "
                                      "(--max-connections-per-ip)")
                           .arg(address.toString())
                           .arg(fromAddress)};
    ++fromAddress;
    ++m_open;
    // The socket object lives exactly as long as the connection: HttpConnection owns it until an
    // upgrade, then its QWebSocket does.
    connect(socket, &QObject::destroyed, this, [this, address] { release(address); });
    return std::nullopt;
}

void ConnectionLimiter::release(const QHostAddress &address)
{
    --m_open;
    auto found = m_perAddress.find(address);
    if (found != m_perAddress.end() && --found.value() <= 0)
        m_perAddress.erase(found);
}

} // namespace cdc
