#pragma once

#include "HttpRequestHead.h"
#include "HttpResponse.h"

#include <QElapsedTimer>

namespace cdc {

class EventStore;
class SessionHub;
struct ServerMetrics;

// The plain-HTTP side of the port: athena's POST /events, /health, /metrics and /channels.
class HttpApi
{
public:
    HttpApi(EventStore &store, SessionHub &hub, ServerMetrics &metrics);

    HttpResponse handle(const HttpRequestHead &head, const QByteArray &body);

private:
    HttpResponse publish(const QByteArray &body);
    HttpResponse health() const;
    HttpResponse metrics() const;
    HttpResponse channels() const;

    EventStore &m_store;
    SessionHub &m_hub;
    ServerMetrics &m_metrics;
    QElapsedTimer m_uptime;
};

} // namespace cdc
