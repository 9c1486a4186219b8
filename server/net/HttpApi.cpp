#include "HttpApi.h"

#include "PrometheusMetrics.h"
#include "ServerMetrics.h"
#include "SessionHub.h"
#include "broker/Broker.h"
#include "protocol/JsonWriter.h"
#include "protocol/PublishRequest.h"
#include "protocol/WebhookBody.h"
#include "store/Capture.h"
#include "store/EventStore.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace cdc {

namespace {

struct Route
{
    QByteArrayView path;
    QByteArrayView method;
};

constexpr Route routes[] = {
    {"/events", "POST"},  {"/health", "GET"},  {"/metrics", "GET"},
    {"/channels", "GET"}, {"/cluster", "GET"}, {"/clients", "GET"},
};

// /channels/{id}/events: a webhook of another CDC tool publishing into a channel.
bool isWebhookPath(const QByteArray &path)
{
    return path.startsWith("/channels/") && path.endsWith("/events") && path.size() > 17;
}

bool isExportPath(const QByteArray &path)
{
    return path == "/export" || (path.startsWith("/channels/") && path.endsWith("/export"));
}

// /channels/{id}/latency: the channel's latency figures and its last events' times.
bool isLatencyPath(const QByteArray &path)
{
    return path.startsWith("/channels/") && path.endsWith("/latency") && path.size() > 18;
}

// /channels/{id}/schema: the schema changes of the channel's tables.
bool isSchemaPath(const QByteArray &path)
{
    return path.startsWith("/channels/") && path.endsWith("/schema") && path.size() > 17;
}

// /sources/postgres/backfills: the list (GET) and a new one (POST).
constexpr QByteArrayView backfillsPath = "/sources/postgres/backfills";

// /sources/postgres/backfills/{table}/pause, /resume or /cancel.
std::optional<std::pair<QString, BackfillControl::Action>> backfillAction(const QByteArray &path)
{
    if (!path.startsWith(backfillsPath) || path.size() <= backfillsPath.size() || path[backfillsPath.size()] != '/')
        return std::nullopt;
    const QByteArray rest = path.mid(backfillsPath.size() + 1);
    const qsizetype slash = rest.lastIndexOf('/');
    if (slash <= 0)
        return std::nullopt;
    const QByteArray verb = rest.mid(slash + 1);
    const QString table = QUrl::fromPercentEncoding(rest.left(slash));
    if (verb == "pause")
        return std::pair{table, BackfillControl::Action::Pause};
    if (verb == "resume")
        return std::pair{table, BackfillControl::Action::Resume};
    if (verb == "cancel")
        return std::pair{table, BackfillControl::Action::Cancel};
    return std::nullopt;
}

// {"count":N,"p50":ms,"p99":ms}, or null without samples in the window.
void writeLatency(JsonWriter &writer, std::string_view key, const LatencyFigures &figures)
{
    writer.key(key);
    if (figures.count == 0) {
        writer.null();
        return;
    }
    writer.beginObject()
        .field("count", figures.count)
        .key("p50")
        .rawValue(QByteArray::number(figures.p50Ms, 'f', 3))
        .key("p99")
        .rawValue(QByteArray::number(figures.p99Ms, 'f', 3))
        .endObject();
}

// An export as the client reads it: a page of about 256 KiB at a time from the store, so that what
// one client holds is a page or two, not the whole export (which may be most of the store).
class ExportPages : public ResponsePages
{
public:
    static constexpr qint64 pageBytes = 256 * 1024;

    ExportPages(const EventStore &store, const QStringList &channels, const CaptureRange &range)
        : m_store(store)
        , m_cursor(store, channels, range)
    {}
    QByteArray next() override { return m_cursor.nextPage(m_store, pageBytes); }

private:
    const EventStore &m_store; // read only in next(), on the engine thread
    CaptureCursor m_cursor;
};

// /clients/{session id}: one connected client, to disconnect.
bool isClientPath(const QByteArray &path)
{
    return path.startsWith("/clients/") && path.size() > 9;
}

// The method a path is served with, or empty for an unknown path.
QByteArrayView routeMethod(const QByteArray &path)
{
    if (isExportPath(path) || isLatencyPath(path) || isSchemaPath(path))
        return "GET";
    if (isClientPath(path))
        return "DELETE";
    if (path == backfillsPath)
        return "GET"; // and POST: route() takes both
    if (backfillAction(path))
        return "POST";
    if (isWebhookPath(path))
        return "POST";
    for (const Route &route : routes)
        if (path == route.path)
            return route.method;
    return {};
}

// The Allow header of a resource: every GET route answers HEAD too (RFC 9110 §9.3.2).
QByteArrayView allowedMethods(QByteArrayView method)
{
    if (method == "GET")
        return "GET, HEAD, OPTIONS";
    return method == "DELETE" ? QByteArrayView("DELETE, OPTIONS") : QByteArrayView("POST, OPTIONS");
}

} // namespace

HttpApi::HttpApi(EventStore &store, SessionHub &hub, ServerMetrics &metrics, const ServerConfig &config,
                 Broker &broker, const SchemaLog &schemas)
    : m_store(store)
    , m_hub(hub)
    , m_schemas(schemas)
    , m_metrics(metrics)
    , m_config(config)
    , m_broker(broker)
    , m_cors(config.allowedOrigins)
{
    m_uptime.start();
}

void HttpApi::handle(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply)
{
    // `access` is what the token allowed, checked by the connection on the head. A browser's
    // preflight carries no credentials and tells nothing: it is answered without one (the request
    // it announces then passes or fails the check like any other).
    if (head.method == "OPTIONS") {
        if (head.target == "*")
            return reply(m_cors.preflight(head, "GET, HEAD, POST, OPTIONS"));
        const QByteArrayView method = routeMethod(head.path);
        if (method.isEmpty())
            return reply(notFound(head));
        if (head.path == backfillsPath)
            return reply(m_cors.preflight(head, "GET, HEAD, POST, OPTIONS"));
        return reply(m_cors.preflight(head, allowedMethods(method)));
    }
    route(head, body, access, std::move(reply));
}

void HttpApi::route(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply)
{
    const QByteArrayView method = routeMethod(head.path);
    if (method.isEmpty())
        return reply(notFound(head));
    if (head.path == backfillsPath && head.method == "POST")
        return reply(startBackfill(body, access));
    // HEAD is GET without the body; the connection leaves the body out.
    if (head.method != method && !(method == "GET" && head.method == "HEAD")) {
        HttpResponse response = HttpResponse::error(405, QStringLiteral("method_not_allowed"),
                                                    QStringLiteral("%1 does not accept %2; use %3")
                                                        .arg(QString::fromUtf8(head.path.left(200)),
                                                             QString::fromUtf8(head.method.left(20)),
                                                             QString::fromLatin1(method.data(), method.size())));
        response.extraHeaders.append({"Allow", head.path == backfillsPath ? QByteArray("GET, HEAD, POST, OPTIONS")
                                                                          : allowedMethods(method).toByteArray()});
        return reply(response);
    }
    if (isExportPath(head.path)) {
        std::optional<QString> channel;
        if (head.path != "/export")
            channel = QUrl::fromPercentEncoding(head.path.mid(10, head.path.size() - 10 - 7));
        return reply(exportCapture(head, channel, access));
    }
    if (isLatencyPath(head.path))
        return reply(channelLatency(QUrl::fromPercentEncoding(head.path.mid(10, head.path.size() - 10 - 8)), access));
    if (isSchemaPath(head.path))
        return reply(channelSchema(QUrl::fromPercentEncoding(head.path.mid(10, head.path.size() - 10 - 7)), access));
    if (head.path == "/events")
        return publish(head, body, access, [](QByteArrayView text) -> std::variant<ParsedPublish, PublishError> {
            auto parsed = parsePublishBody(text);
            if (auto *error = std::get_if<PublishError>(&parsed))
                return std::move(*error);
            return ParsedPublish{std::get<PublishBatch>(std::move(parsed)), text.trimmed().startsWith('['), {}};
        }, std::move(reply));
    if (isWebhookPath(head.path))
        return publishWebhook(head, body, access, std::move(reply));
    if (head.path == "/health")
        return reply(health());
    if (head.path == "/metrics")
        return reply(metrics(access));
    if (head.path == "/cluster")
        return reply(cluster());
    if (head.path == "/clients")
        return reply(clients(access));
    if (isClientPath(head.path))
        return reply(disconnectClient(head, access));
    if (head.path == backfillsPath)
        return reply(listBackfills());
    if (const auto action = backfillAction(head.path))
        return reply(controlBackfill(action->first, action->second, access));
    reply(channels(access));
}

HttpResponse HttpApi::notFound(const HttpRequestHead &head)
{
    return HttpResponse::error(
        404, QStringLiteral("not_found"),
        QStringLiteral("no such endpoint: %1").arg(QString::fromUtf8(head.path.left(200))),
        QStringLiteral("endpoints: POST /events, POST /channels/{id}/events, GET /health, GET /metrics, GET /channels, "
                       "GET /export, GET /channels/{id}/export, GET /channels/{id}/latency, GET /channels/{id}/schema, "
                       "GET and POST /sources/postgres/backfills, POST /sources/postgres/backfills/{table}/pause|resume|"
                       "cancel, and WebSocket upgrades on /ws"));
}

void HttpApi::publishWebhook(const HttpRequestHead &head, const QByteArray &body, const Access &access, Reply reply)
{
    const QUrlQuery query(QString::fromUtf8(head.query));
    const auto path = [&query](const char *name) {
        const QString value = query.queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded);
        return value.isEmpty() ? QStringList() : value.split(u'.');
    };
    WebhookOptions options;
    options.channel = QUrl::fromPercentEncoding(head.path.mid(10, head.path.size() - 10 - 7));
    options.channelField = path("channel");
    options.itemsField = path("items");
    options.idempotencyField = path("idempotency_key");
    publish(head, body, access, [options](QByteArrayView text) -> std::variant<ParsedPublish, PublishError> {
        auto parsed = parseWebhookBody(text, options);
        if (auto *error = std::get_if<PublishError>(&parsed))
            return std::move(*error);
        WebhookDelivery &delivery = std::get<WebhookDelivery>(parsed);
        const bool isBatch = delivery.events.size() > 1;
        return ParsedPublish{std::move(delivery.events), isBatch, std::move(delivery.idempotencyKey)};
    }, std::move(reply));
}

void HttpApi::publish(const HttpRequestHead &head, const QByteArray &body, const Access &access,
                      const PublishParser &parse, Reply reply)
{
    if (!access.everything && !access.publish)
        return reply(HttpResponse::error(403, QStringLiteral("forbidden"),
                                         QStringLiteral("the token \"%1\" may not publish").arg(access.tokenName)));
    auto read = parse(body);
    if (const auto *refused = std::get_if<PublishError>(&read))
        return reply(HttpResponse::error(refused->httpStatus, refused->error.code, refused->error.message));
    ParsedPublish parsed = std::get<ParsedPublish>(std::move(read));
    // A batch is all or nothing, its rights included.
    const PublishBatch &batch = parsed.batch;
    for (qsizetype i = 0; i < batch.size(); ++i)
        if (!access.mayPublishTo(batch[i].channel))
            return reply(
                HttpResponse::error(403, QStringLiteral("forbidden"),
                                    QStringLiteral("%1the token \"%2\" may not publish to \"%3\"")
                                        .arg(batch.size() > 1 ? QStringLiteral("event %1: ").arg(i + 1) : QString(),
                                             access.tokenName, batch[i].channel)));

    QByteArray key;
    if (head.hasHeader("idempotency-key")) {
        key = head.header("idempotency-key");
        if (key.size() >= 2 && key.startsWith('"') && key.endsWith('"'))
            key = key.mid(1, key.size() - 2); // the draft's sf-string form
        const bool printable = std::all_of(key.cbegin(), key.cend(), [](char c) { return c >= 0x20 && c <= 0x7e; });
        if (key.isEmpty() || key.size() > 255 || !printable)
            return reply(
                HttpResponse::error(400, QStringLiteral("invalid_idempotency_key"),
                                    QStringLiteral("Idempotency-Key must be 1 to 255 printable ASCII characters")));
    } else if (!parsed.payloadsKey.isEmpty()) {
        // The payloads' own keys (Sequin's metadata.idempotency_key): a retried delivery of the
        // same payloads is the same request.
        key = "payloads:" + QCryptographicHash::hash(parsed.payloadsKey, QCryptographicHash::Sha256).toHex();
    }
    if (key.isEmpty())
        return store(parsed, access, {}, std::move(reply));

    // A retry carries the key of its first attempt: it gets that attempt's answer, and nothing is
    // stored again (draft-ietf-httpapi-idempotency-key-header).
    const QByteArray fingerprint = QCryptographicHash::hash(body, QCryptographicHash::Sha256);
    // Keys are per token, as an API's keys are per account: one publisher cannot read another's
    // answers by guessing its keys.
    const QByteArray scoped = access.tokenName.toUtf8() + '\n' + key;
    const auto reused = [] { return refused(refusals::idempotencyKeyReused()); };
    // An answered key is the broker's to know (the journal's ledger, or Redis'). One whose first
    // attempt is still on its way to it is this API's: the retry waits for that attempt's answer.
    if (const auto inFlight = m_inFlight.find(scoped); inFlight != m_inFlight.end()) {
        if (inFlight->fingerprint != fingerprint)
            return reply(reused());
        inFlight->waiters.push_back(std::move(reply));
        return;
    }
    m_inFlight.insert(scoped, {fingerprint, {}});
    store(parsed, access, {scoped, fingerprint}, [this, scoped, reply = std::move(reply)](const HttpResponse &response) {
        std::vector<Reply> waiters = m_inFlight.take(scoped).waiters;
        HttpResponse replayed = response;
        replayed.extraHeaders.append({QByteArrayLiteral("Idempotent-Replayed"), QByteArrayLiteral("true")});
        reply(response);
        for (const Reply &waiter : waiters)
            waiter(response.status == 200 ? replayed : response);
    });
}

void HttpApi::store(const ParsedPublish &parsed, const Access &, const IdempotencyTag &tag, Reply reply)
{
    PublishOptions options;
    options.idempotencyKey = tag.key;
    options.fingerprint = tag.fingerprint;
    options.isBatch = parsed.isBatch;
    // The 2xx waits until the broker holds the events durably: every reader can then read them.
    m_broker.publish(parsed.batch, options, [isBatch = options.isBatch, reply = std::move(reply)](const PublishOutcome &outcome) {
        if (outcome.refusal)
            return reply(refused(*outcome.refusal));
        HttpResponse answer = receiptsResponse(outcome.receipts, isBatch);
        if (outcome.replayed)
            answer.extraHeaders.append({QByteArrayLiteral("Idempotent-Replayed"), QByteArrayLiteral("true")});
        reply(answer);
    });
}

HttpResponse HttpApi::refused(const PublishRefusal &refusal)
{
    HttpResponse response = HttpResponse::error(refusal.httpStatus, refusal.code, refusal.message, refusal.hint);
    if (refusal.retryAfterSeconds > 0)
        response.extraHeaders.append({QByteArrayLiteral("Retry-After"), QByteArray::number(refusal.retryAfterSeconds)});
    return response;
}

HttpResponse HttpApi::receiptsResponse(const QList<AppendReceipt> &receipts, bool isBatch)
{
    JsonWriter writer;
    const auto writeReceipt = [&writer](const AppendReceipt &receipt) {
        writer.field("organization_id", QStringView(receipt.channel))
            .field("seq", receipt.seq)
            .field("ts_ms", receipt.tsMs);
    };
    writer.reserve(64 + receipts.size() * (receipts.isEmpty() ? 0 : 56 + receipts.front().channel.size()));
    writer.beginObject().field("status", "ok");
    if (isBatch) {
        writer.field("count", qint64(receipts.size())).key("events").beginArray();
        for (const AppendReceipt &receipt : receipts) {
            writer.beginObject();
            writeReceipt(receipt);
            writer.endObject();
        }
        writer.endArray();
    } else {
        writeReceipt(receipts.front());
    }
    writer.endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::exportCapture(const HttpRequestHead &head, const std::optional<QString> &channel,
                                    const Access &access) const
{
    const QUrlQuery query(QString::fromUtf8(head.query));
    CaptureRange range;
    struct Bound
    {
        const char *name;
        std::optional<qint64> *target;
    };
    for (const Bound &bound : {Bound{"since_seq", &range.sinceSeq}, Bound{"since_ts_ms", &range.sinceTsMs},
                               Bound{"until_seq", &range.untilSeq}, Bound{"until_ts_ms", &range.untilTsMs}}) {
        const QString name = QString::fromLatin1(bound.name);
        if (!query.hasQueryItem(name) || query.queryItemValue(name).isEmpty())
            continue;
        bool ok = false;
        const qint64 value = query.queryItemValue(name).toLongLong(&ok);
        if (!ok || value < 0)
            return HttpResponse::error(400, QStringLiteral("invalid_parameter"),
                                       QStringLiteral("%1 must be a non-negative integer").arg(name));
        *bound.target = value;
    }
    if (channel && !access.mayRead(*channel))
        return HttpResponse::error(
            403, QStringLiteral("forbidden"),
            QStringLiteral("the token \"%1\" may not read \"%2\"").arg(access.tokenName, channel->left(256)));
    if (channel && !m_store.channel(*channel))
        return HttpResponse::error(404, QStringLiteral("unknown_channel"),
                                   QStringLiteral("no channel named \"%1\"").arg(channel->left(256)));
    QStringList exported; // empty: every channel
    if (channel) {
        exported = {*channel};
    } else if (!access.everything) {
        for (const ChannelLog *log : m_store.channels())
            if (access.mayRead(log->id()))
                exported.append(log->id());
    }
    const bool nothingReadable = !channel && !access.everything && exported.isEmpty();
    HttpResponse response = HttpResponse::json(200, {});
    if (!nothingReadable) {
        auto pages = std::make_shared<ExportPages>(m_store, exported, range);
        response.body = pages->next();
        response.pages = std::move(pages);
    }
    // The charset is said: without it, clients such as Python's requests decode the text as Latin-1.
    response.contentType = "application/x-ndjson; charset=utf-8";
    response.extraHeaders.append(
        {"Content-Disposition",
         "attachment; filename=\"" + (channel ? QUrl::toPercentEncoding(*channel) : QByteArray("all")) + ".jsonl\""});
    return response;
}

HttpResponse HttpApi::health() const
{
    JsonWriter writer;
    writer.beginObject()
        .field("status", "ok")
        .field("version", CDCSCOPE_VERSION)
        .field("uptime_s", m_uptime.elapsed() / 1000)
        .field("connections", qint64(m_hub.sessionCount()))
        .field("channels", qint64(m_store.channelCount()))
        .field("events", m_store.totalEvents())
        .field("bytes", m_store.totalBytes())
        .field("schema_changes", m_schemas.total());
    // Each upstream source's state; the server itself stays "ok" while a source reconnects, so a
    // load balancer keeps the WebSocket side in rotation.
    writer.key("sources").beginArray();
    for (const SourceStatus &source : std::as_const(m_metrics.sources)) {
        writer.beginObject()
            .field("name", QStringView(source.name))
            .field("target", QStringView(source.target))
            .field("state", QStringView(sourceStateName(source.state)))
            .field("journaled_lsn", QStringView(source.journaledLsn))
            .field("confirmed_lsn", QStringView(source.confirmedLsn))
            .field("lag_bytes", source.lagBytes)
            .field("transactions", source.transactions)
            .field("events", source.events)
            .field("reconnects", source.reconnects);
        // The slot as PostgreSQL sees it (null until first read, or where PostgreSQL says null).
        writer.key("slot").beginObject();
        const auto optional = [&writer](std::string_view key, const std::optional<qint64> &value) {
            if (value)
                writer.field(key, *value);
            else
                writer.key(key).rawValue("null");
        };
        optional("retained_wal_bytes", source.retainedWalBytes);
        if (source.walStatus.isEmpty())
            writer.key("wal_status").rawValue("null");
        else
            writer.field("wal_status", QStringView(source.walStatus));
        optional("safe_wal_size", source.safeWalBytes);
        writer.field("confirmed_lag_bytes", source.confirmedLagBytes)
            .key("confirmed_lag_s")
            .rawValue(QByteArray::number(source.confirmedLagSeconds, 'f', 3));
        optional("last_change_ts_ms", source.lastChangeAtMs ? std::optional<qint64>(source.lastChangeAtMs) : std::nullopt);
        writer.field("heartbeats", source.heartbeats);
        if (source.healthError.isEmpty())
            writer.key("error").rawValue("null");
        else
            writer.field("error", QStringView(source.healthError));
        writer.endObject();
        if (source.openTransactionRows == 0)
            writer.key("transaction_in_progress").rawValue("null");
        else
            writer.key("transaction_in_progress")
                .beginObject()
                .field("xid", qint64(source.openTransactionXid))
                .field("rows", source.openTransactionRows)
                .endObject();
        writer.key("warnings").beginArray();
        for (const QString &warning : source.warnings)
            writer.value(QStringView(warning));
        writer.endArray();
        writer.key("backfills").beginArray();
        for (const BackfillStatus &backfill : source.backfills)
            writeBackfill(writer, backfill);
        writer.endArray();
        if (source.lastError.isEmpty())
            writer.key("last_error").rawValue("null");
        else
            writer.field("last_error", QStringView(source.lastError));
        writer.endObject();
    }
    writer.endArray();
    m_broker.writeHealth(writer);
    // Every source's warnings in one place, for a probe that only looks here.
    writer.key("warnings").beginArray();
    if (const QString problem = m_broker.problem(); !problem.isEmpty())
        writer.value(QStringView(problem));
    for (const SourceStatus &source : std::as_const(m_metrics.sources))
        for (const QString &warning : source.warnings)
            writer.value(QStringView(warning));
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::refuseMonitoring(const Access &access)
{
    return HttpResponse::error(403, QStringLiteral("forbidden"),
                               QStringLiteral("the token \"%1\" may not monitor this server").arg(access.tokenName),
                               QStringLiteral("give the token \"monitor\": true (docs/security.md)"));
}

HttpResponse HttpApi::clients(const Access &access) const
{
    if (!access.mayMonitor())
        return refuseMonitoring(access);
    JsonWriter writer;
    writer.beginObject().key("clients").beginArray();
    for (const ClientStats &client : m_hub.clientStats()) {
        writer.beginObject()
            .field("id", qint64(client.sessionId))
            .field("client_id", QStringView(client.clientId))
            .field("peer", QStringView(client.peer))
            .field("connected_at_ms", client.connectedAt.toMSecsSinceEpoch())
            .key("subscriptions")
            .beginArray();
        for (const QString &channel : client.subscriptions)
            writer.value(QStringView(channel));
        writer.endArray().field("events_sent", client.eventsSent).field("queued_bytes", client.queuedBytes);
        writeLatency(writer, "stored_to_sent_ms", client.storedToSent);
        writer.field("waiting_ms", client.waitingMs).field("falling_behind", client.fallingBehind()).endObject();
    }
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::disconnectClient(const HttpRequestHead &head, const Access &access)
{
    if (!access.mayMonitor())
        return refuseMonitoring(access);
    bool isNumber = false;
    const quint64 id = head.path.mid(9).toULongLong(&isNumber);
    const QString by = access.tokenName.isEmpty() ? QStringLiteral("an operator")
                                                  : QStringLiteral("token \"%1\"").arg(access.tokenName);
    if (!isNumber || !m_hub.disconnectSession(id, QStringLiteral("disconnected by %1").arg(by)))
        return HttpResponse::error(
            404, QStringLiteral("no_such_client"),
            QStringLiteral("no connected client has the id %1").arg(QString::fromUtf8(head.path.mid(9).left(40))),
            QStringLiteral("GET /clients lists them"));
    JsonWriter writer;
    writer.beginObject().field("status", "ok").field("id", qint64(id)).field("message", "closing").endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::cluster() const
{
    const std::optional<Membership> membership = m_broker.membership();
    if (!membership)
        return HttpResponse::error(404, QStringLiteral("not_clustered"),
                                   QStringLiteral("this server is not in cluster mode"),
                                   QStringLiteral("start it with --redis URL (docs/cluster.md)"));
    JsonWriter writer;
    writer.beginObject()
        .field("instance", QStringView(membership->instance))
        .field("redis", QStringView(membership->store))
        .field("redis_up", membership->up)
        .key("members")
        .beginArray();
    for (const ClusterMember &member : membership->members)
        writer.beginObject()
            .field("id", QStringView(member.id))
            .field("url", QStringView(member.url))
            .field("clients", member.clients)
            .field("channels", member.channels)
            .field("last_seen_ms", member.lastSeenMs)
            .field("this_instance", member.isThisInstance)
            .endObject();
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::metrics(const Access &access) const
{
    HttpResponse response =
        HttpResponse::json(200, renderPrometheus(m_metrics, m_store, m_hub, m_config.metricsChannels, access));
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return response;
}

HttpResponse HttpApi::channels(const Access &access) const
{
    auto logs = m_store.channels();
    logs.removeIf([&access](const ChannelLog *log) { return !access.mayRead(log->id()); });
    std::sort(logs.begin(), logs.end(), [](const ChannelLog *a, const ChannelLog *b) { return a->id() < b->id(); });
    JsonWriter writer;
    writer.beginObject().key("channels").beginArray();
    for (const ChannelLog *log : logs) {
        writer.beginObject()
            .field("organization_id", QStringView(log->id()))
            .field("subscribers", qint64(m_hub.subscriberCount(log->id())))
            .field("events", qint64(log->size()))
            .field("bytes", log->bytes())
            .field("last_seq", log->lastSeq());
        writer.optionalField("oldest_seq", log->oldestSeq());
        writer.optionalField("newest_seq", log->newestSeq());
        writer.field("last_ts_ms", log->lastTsMs());
        writeLatency(writer, "commit_to_stored_ms", m_hub.latency().commitToStored(log->id()));
        writeLatency(writer, "stored_to_sent_ms", m_hub.latency().storedToSent(log->id()));
        writer.endObject();
    }
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::channelSchema(const QString &channel, const Access &access) const
{
    if (!access.mayRead(channel))
        return HttpResponse::error(403, QStringLiteral("forbidden"),
                                   QStringLiteral("the token \"%1\" may not read %2").arg(access.tokenName, channel));
    JsonWriter writer;
    writer.beginObject().field("organization_id", QStringView(channel)).key("changes").beginArray();
    for (const SchemaNote &note : m_schemas.of(channel)) {
        writer.beginObject()
            .field("before_seq", note.seq)
            .field("table", QStringView(note.table))
            .field("ts_ms", note.atMs)
            .key("changes")
            .beginArray();
        for (const QString &said : note.changes)
            writer.value(QStringView(said));
        writer.endArray().field("description", QStringView(note.describe())).endObject();
    }
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::channelLatency(const QString &channel, const Access &access) const
{
    if (!access.mayRead(channel))
        return HttpResponse::error(403, QStringLiteral("forbidden"),
                                   QStringLiteral("the token \"%1\" may not read %2").arg(access.tokenName, channel));
    const LatencyBook &latency = m_hub.latency();
    JsonWriter writer;
    writer.beginObject().field("organization_id", QStringView(channel));
    writeLatency(writer, "commit_to_stored_ms", latency.commitToStored(channel));
    writeLatency(writer, "stored_to_sent_ms", latency.storedToSent(channel));
    writer.key("events").beginArray();
    for (const EventTiming &event : m_hub.eventTimes(channel)) {
        writer.beginObject().field("seq", event.seq);
        writer.optionalField("commit_ts_ms", event.commitMs); // null: the payload says no commit time
        writer.field("ts_ms", event.tsMs).key("sent").beginArray();
        for (const EventTiming::Sent &sent : event.sent) {
            writer.beginObject()
                .field("id", qint64(sent.sessionId))
                .field("client_id", QStringView(sent.clientId))
                .key("sent_ts_ms")
                .rawValue(QByteArray::number(double(sent.sentUs) / 1000.0, 'f', 3))
                .endObject();
        }
        writer.endArray().endObject();
    }
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::noPostgresSource()
{
    return HttpResponse::error(404, QStringLiteral("no_source"), QStringLiteral("this server has no PostgreSQL source"),
                               QStringLiteral("start it with --pg-dsn (docs/postgres.md)"));
}

HttpResponse HttpApi::backfillAnswer(const BackfillControl::Answer &answer)
{
    if (!answer.backfill)
        return HttpResponse::error(answer.httpStatus, answer.code, answer.message);
    JsonWriter writer;
    writer.beginObject().key("backfill");
    writeBackfill(writer, *answer.backfill);
    writer.endObject();
    return HttpResponse::json(answer.httpStatus, writer.take());
}

HttpResponse HttpApi::listBackfills() const
{
    if (!m_backfills)
        return noPostgresSource();
    JsonWriter writer;
    writer.beginObject().key("backfills").beginArray();
    for (const BackfillStatus &backfill : m_backfills->backfills())
        writeBackfill(writer, backfill);
    writer.endArray().endObject();
    return HttpResponse::json(200, writer.take());
}

HttpResponse HttpApi::startBackfill(const QByteArray &body, const Access &access)
{
    if (!access.mayMonitor())
        return refuseMonitoring(access);
    if (!m_backfills)
        return noPostgresSource();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const auto invalid = [](const QString &message) {
        return HttpResponse::error(400, QStringLiteral("invalid_body"), message,
                                   QStringLiteral("send {\"table\":\"public.orders\"} (and \"chunk_size\": rows, if not the "
                                                  "configured one)"));
    };
    if (parseError.error != QJsonParseError::NoError)
        return invalid(QStringLiteral("the body is not JSON: %1 at offset %2")
                           .arg(parseError.errorString())
                           .arg(parseError.offset));
    const QJsonObject request = document.object();
    if (!document.isObject() || !request.value(QStringLiteral("table")).isString())
        return invalid(QStringLiteral("the body names no table"));
    const QJsonValue chunk = request.value(QStringLiteral("chunk_size"));
    if (!chunk.isUndefined() && (!chunk.isDouble() || chunk.toDouble() != double(qint64(chunk.toDouble()))))
        return invalid(QStringLiteral("chunk_size is not a whole number of rows"));
    return backfillAnswer(m_backfills->startBackfill(request.value(QStringLiteral("table")).toString(),
                                                     chunk.isUndefined() ? 0 : qint64(chunk.toDouble())));
}

HttpResponse HttpApi::controlBackfill(const QString &table, BackfillControl::Action action, const Access &access)
{
    if (!access.mayMonitor())
        return refuseMonitoring(access);
    if (!m_backfills)
        return noPostgresSource();
    return backfillAnswer(m_backfills->controlBackfill(table, action));
}

} // namespace cdc
