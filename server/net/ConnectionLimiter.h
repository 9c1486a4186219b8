#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <optional>

class QTcpSocket;

namespace cdc {

// Open TCP connections, in all and per peer address, against --max-connections and
// --max-connections-per-ip. A connection counts from accept until its socket is destroyed, whether
// it stayed HTTP or became a WebSocket.
class ConnectionLimiter : public QObject
{
public:
    ConnectionLimiter(const int &maxConnections, const int &maxPerAddress)
        : m_maxConnections(maxConnections)
        , m_maxPerAddress(maxPerAddress)
    {}

    struct Refusal
    {
        QString limit; // the /metrics label: "connections" or "connections_per_ip"
        int status = 503;
        QString code;
        QString message;
    };

    // Counts `socket` in, or says which limit it would pass.
    std::optional<Refusal> admit(QTcpSocket *socket);
    int openConnections() const { return m_open; }

private:
    void release(const QHostAddress &address);

    const int &m_maxConnections;
    const int &m_maxPerAddress;
    int m_open = 0;
    QHash<QHostAddress, int> m_perAddress;
};

} // namespace cdc
