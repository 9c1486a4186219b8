#pragma once

#include "HttpRequestHead.h"
#include "HttpResponse.h"
#include "store/EventStore.h"

#include <QElapsedTimer>

#include <functional>

namespace cdc {

class EventStore;
class SessionHub;
struct ServerMetrics;

// The plain-HTTP side of the port: athena's POST /events, /health, /metrics and /channels.
class HttpApi
{
public:
    HttpApi(EventStore &store, SessionHub &hub, ServerMetrics &metrics);

    // `reply` runs exactly once: at once for reads, and for a publish once its events are durable.
    using Reply = std::function<void(const HttpResponse &)>;
    void handle(const HttpRequestHead &head, const QByteArray &body, Reply reply);

private:
    void publish(const QByteArray &body, Reply reply);
    // GET /export (every channel) and GET /channels/{id}/export: a JSONL capture.
    HttpResponse exportCapture(const HttpRequestHead &head, const std::optional<QString> &channel) const;
    static HttpResponse receiptsResponse(const QList<AppendReceipt> &receipts, bool isBatch);
    HttpResponse health() const;
    HttpResponse metrics() const;
    HttpResponse channels() const;

    EventStore &m_store;
    SessionHub &m_hub;
    ServerMetrics &m_metrics;
    QElapsedTimer m_uptime;
};

} // namespace cdc
