#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>
#include <variant>

namespace cdc {

class ConnectionLimiter;

// One admitted connection's place in the count, given back when this is destroyed (on the thread
// that owns the limiter): it moves from the HttpConnection into the WebSocket session on upgrade.
class ConnectionSlot
{
public:
    ConnectionSlot() = default;
    ConnectionSlot(ConnectionLimiter *limiter, QHostAddress address);
    ConnectionSlot(ConnectionSlot &&other) noexcept;
    ConnectionSlot &operator=(ConnectionSlot &&other) noexcept;
    ~ConnectionSlot();

private:
    QPointer<ConnectionLimiter> m_limiter; // the front door may go first, at shutdown
    QHostAddress m_address;
};

// Open TCP connections, in all and per peer address, against --max-connections and
// --max-connections-per-ip. A connection counts from accept until its ConnectionSlot is destroyed,
// whether it stayed HTTP or became a WebSocket.
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

    // Counts a connection from `address` in, or says which limit it would pass.
    std::variant<ConnectionSlot, Refusal> admit(const QHostAddress &address);
    int openConnections() const { return m_open; }

private:
    friend class ConnectionSlot;
    void release(const QHostAddress &address);

    const int &m_maxConnections;
    const int &m_maxPerAddress;
    int m_open = 0;
    QHash<QHostAddress, int> m_perAddress;
};

} // namespace cdc
