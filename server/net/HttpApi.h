#pragma once

#include "CorsPolicy.h"
#include "HttpRequestHead.h"
#include "HttpResponse.h"
#include "ServerConfig.h"
#include "sources/BackfillControl.h"
#include "sources/SchemaLog.h"
#include "protocol/PublishRequest.h"
#include "store/EventStore.h"

#include <QElapsedTimer>

#include <functional>

namespace cdc {

class Broker;
class EventStore;
class SessionHub;
struct PublishRefusal;
struct ServerMetrics;

// The plain-HTTP side of the port: athena's POST /events, /health, /metrics, /channels and the
// exports; HEAD for every GET, OPTIONS (CORS preflight) for every resource.
class HttpApi
{
public:
    // A publish goes to `broker`; the reads of what this instance holds come from `store`.
    HttpApi(EventStore &store, SessionHub &hub, ServerMetrics &metrics, const ServerConfig &config, Broker &broker,
            const SchemaLog &schemas);

    // `reply` runs exactly once: at once for reads, and for a publish once its events are durable.
    using Reply = std::function<void(const HttpResponse &)>;
    // `access`: what the request's token allows, as its connection checked it on the head.
    void handle(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply);
    const CorsPolicy &cors() const { return m_cors; }
    // The source whose backfills /sources/postgres/backfills controls; null: none.
    void setBackfillControl(BackfillControl *control) { m_backfills = control; }

private:
    void route(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply);
    // What a publish body holds, read by its endpoint's parser.
    struct ParsedPublish
    {
        PublishBatch batch;
        bool isBatch = false;    // answered with a receipt per event
        QByteArray payloadsKey;  // the payloads' own delivery keys (webhooks); empty: none
    };
    using PublishParser = std::function<std::variant<ParsedPublish, PublishError>(QByteArrayView body)>;
    // POST /events and POST /channels/{id}/events: one publish path. With an Idempotency-Key (or
    // payloads that carry their own keys), a retry gets the first answer and stores nothing.
    void publish(const HttpRequestHead &head, const QByteArray &body, const Access &access,
                 const PublishParser &parse, Reply reply);
    struct IdempotencyTag
    {
        QByteArray key; // empty: none
        QByteArray fingerprint;
    };
    void store(const ParsedPublish &parsed, const Access &access, const IdempotencyTag &tag, Reply reply);
    // POST /channels/{id}/events: the bodies other CDC tools send to a webhook (WebhookBody).
    void publishWebhook(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply);
    // GET /export (every readable channel) and GET /channels/{id}/export: a JSONL capture.
    HttpResponse exportCapture(const HttpRequestHead &head, const std::optional<QString> &channel,
                               const Access &access) const;
    static HttpResponse notFound(const HttpRequestHead &head);
    static HttpResponse receiptsResponse(const QList<AppendReceipt> &receipts, bool isBatch);
    static HttpResponse refused(const PublishRefusal &refusal);
    HttpResponse health() const;
    HttpResponse metrics(const Access &access) const;
    // GET /cluster: the instances sharing the channels (cluster mode only).
    HttpResponse cluster() const;
    // GET /clients and DELETE /clients/{id}: what a monitoring window reads and does (the token
    // right "monitor").
    HttpResponse clients(const Access &access) const;
    HttpResponse disconnectClient(const HttpRequestHead &head, const Access &access);
    static HttpResponse refuseMonitoring(const Access &access);
    HttpResponse channels(const Access &access) const;
    // GET /channels/{id}/latency: where the time went for the channel and its last events.
    HttpResponse channelLatency(const QString &channel, const Access &access) const;
    // GET /channels/{id}/schema: the schema changes its tables went through, with the seq each precedes.
    HttpResponse channelSchema(const QString &channel, const Access &access) const;
    // /sources/postgres/backfills: list, start (POST, a "monitor" token), pause, resume, cancel.
    HttpResponse listBackfills() const;
    HttpResponse startBackfill(const QByteArray &body, const Access &access);
    HttpResponse controlBackfill(const QString &table, BackfillControl::Action action, const Access &access);
    static HttpResponse backfillAnswer(const BackfillControl::Answer &answer);
    static HttpResponse noPostgresSource();

    EventStore &m_store;
    SessionHub &m_hub;
    const SchemaLog &m_schemas;
    ServerMetrics &m_metrics;
    const ServerConfig &m_config;
    Broker &m_broker;
    BackfillControl *m_backfills = nullptr;
    CorsPolicy m_cors;
    // Idempotency keys whose first request is not answered yet, with the retries waiting for it.
    struct InFlight
    {
        QByteArray fingerprint;
        std::vector<Reply> waiters;
    };
    QHash<QByteArray, InFlight> m_inFlight;
    QElapsedTimer m_uptime;
};

} // namespace cdc
