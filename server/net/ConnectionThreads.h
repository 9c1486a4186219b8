#pragma once

#include "ConnectionLimiter.h"
#include "ConnectionSettings.h"
#include "DeliveryLane.h"
#include "HttpResponse.h"
#include "Mailbox.h"
#include "ServerConfig.h"
#include "ServerNotice.h"

#include <QHash>
#include <QObject>

#include <memory>
#include <unordered_map>
#include <vector>

namespace cdc {

class HttpApi;
struct ServerMetrics;

// The threads that own the connections (one DeliveryLane each), as the engine thread sees them.
// The acceptor hands every accepted descriptor here at once; from then on its socket, notifiers
// and TLS state live on one lane until the connection closes, whether it stays HTTP or upgrades.
// Lives on the engine thread, and keeps what belongs there: each connection's place in the
// connection limits, how many connections each lane has, and the engine's inbox, into which the
// lanes' signals are posted (here and by SessionHub) so that the engine sees what one lane says in
// the order it said it.
class ConnectionThreads : public QObject
{
    Q_OBJECT

public:
    ConnectionThreads(const ServerConfig &config, ServerMetrics &metrics, QObject *parent = nullptr);
    ~ConnectionThreads() override;

    // The HTTP requests the lanes read are answered by `api` (on this thread).
    void serve(HttpApi *api) { m_api = api; }
    // Joins the threads: every connection closes with its lane, and nothing more is posted to them.
    void stop();

    // Counts `descriptor` against the limits and hands it to the least busy lane, which serves it
    // under `settings` (or, past a limit, answers the refusal and closes).
    void accept(qintptr descriptor, std::shared_ptr<const ConnectionSettings> settings);
    // The lanes close their HTTP connections served under `settings` (the front door that made them
    // is gone: a keep-alive connection must not upgrade with its old settings).
    void retire(const std::shared_ptr<const ConnectionSettings> &settings);

    const std::vector<DeliveryLane *> &lanes() const { return m_lanes; }
    // What the lanes say, run on this thread (SessionHub posts its relays here too).
    Mailbox &inbox() { return m_inbox; }
    // Runs `call` on `lane`'s thread, unless the threads have stopped.
    void postTo(DeliveryLane *lane, std::function<void()> call);
    int openConnections() const { return m_limiter.openConnections(); }

Q_SIGNALS:
    // A connection was refused at accept, with why.
    void noticed(const cdc::ServerNotice &notice);

private:
    void relay(DeliveryLane *lane);
    void onRequest(DeliveryLane *lane, quint64 id, const HttpRequestHead &head, const QByteArray &body,
                   const Access &access);
    void onEnded(DeliveryLane *lane, quint64 id);

    const ServerConfig &m_config;
    ServerMetrics &m_metrics;
    HttpApi *m_api = nullptr;
    Mailbox m_inbox{this};
    std::vector<std::unique_ptr<DeliveryThread>> m_threads;
    std::vector<DeliveryLane *> m_lanes;
    QHash<DeliveryLane *, int> m_open; // connections per lane
    ConnectionLimiter m_limiter;
    std::unordered_map<quint64, ConnectionSlot> m_slots; // by connection id, until it ends
    quint64 m_nextId = 1;
};

} // namespace cdc
