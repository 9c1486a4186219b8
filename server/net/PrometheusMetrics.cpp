#include "PrometheusMetrics.h"

#include "ServerMetrics.h"
#include "SessionHub.h"
#include "store/EventStore.h"

#include <algorithm>

namespace cdc {

namespace {

QByteArray labelValue(const QString &text)
{
    QByteArray escaped = text.toUtf8();
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

class PrometheusText
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        m_out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
    void sample(const char *name, qint64 value, const QByteArray &labels = {})
    {
        m_out.append(name);
        if (!labels.isEmpty())
            m_out.append('{').append(labels).append('}');
        m_out.append(' ').append(QByteArray::number(value)).append('\n');
    }
    void fractionalSample(const char *name, double value, const QByteArray &labels)
    {
        m_out.append(name).append('{').append(labels).append('}');
        m_out.append(' ').append(QByteArray::number(value, 'g', 6)).append('\n');
    }
    // A latency's p50 and p99 over the window, in seconds (no samples: no series).
    void quantiles(const char *name, const LatencyFigures &figures, const QByteArray &labels)
    {
        if (figures.count == 0)
            return;
        fractionalSample(name, figures.p50Ms / 1000.0, QByteArray(labels).append(",quantile=\"0.5\""));
        fractionalSample(name, figures.p99Ms / 1000.0, QByteArray(labels).append(",quantile=\"0.99\""));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

// Per client, the slowest `series` (by p99, then by how long their oldest event waits): clients
// come and go by the thousand, and the ones a scrape is for are the slow ones.
void renderClientLatency(PrometheusText &text, const SessionHub &hub, int series)
{
    QList<ClientStats> clients = hub.clientStats();
    qint64 behind = 0;
    for (const ClientStats &client : std::as_const(clients))
        behind += client.fallingBehind() ? 1 : 0;
    text.family("cdcscope_clients_falling_behind", "gauge",
                "Clients whose oldest queued event has waited a second or more.");
    text.sample("cdcscope_clients_falling_behind", behind);
    const qsizetype named = std::min<qsizetype>(clients.size(), std::max(0, series));
    std::partial_sort(
        clients.begin(), clients.begin() + named, clients.end(), [](const ClientStats &a, const ClientStats &b) {
            return std::tie(a.storedToSent.p99Ms, a.waitingMs) > std::tie(b.storedToSent.p99Ms, b.waitingMs);
        });
    clients.resize(named);
    const auto labels = [](const ClientStats &client) {
        QByteArray label("id=\"");
        label.append(QByteArray::number(client.sessionId)).append("\",client=\"");
        return label.append(labelValue(client.clientId)).append('"');
    };
    text.family("cdcscope_client_stored_to_sent_seconds", "gauge",
                "From an event's ts_ms to its write to this client: p50 and p99 over the last 30 to 60 s (the "
                "slowest --metrics-channels clients).");
    for (const ClientStats &client : std::as_const(clients))
        text.quantiles("cdcscope_client_stored_to_sent_seconds", client.storedToSent, labels(client));
    text.family("cdcscope_client_waiting_seconds", "gauge",
                "How long this client's oldest queued event has waited (0: nothing waits).");
    for (const ClientStats &client : std::as_const(clients))
        text.fractionalSample("cdcscope_client_waiting_seconds", double(client.waitingMs) / 1000.0, labels(client));
}

} // namespace

QByteArray renderPrometheus(const ServerMetrics &metrics, const EventStore &store, const SessionHub &hub,
                            int channelSeries, const Access &viewer)
{
    PrometheusText text;
    text.family("cdcscope_connections", "gauge", "Open WebSocket connections.");
    text.sample("cdcscope_connections", hub.sessionCount());
    text.family("cdcscope_connections_total", "counter", "WebSocket connections accepted since start.");
    text.sample("cdcscope_connections_total", metrics.connectionsAccepted);
    text.family("cdcscope_rejected_upgrades_total", "counter", "WebSocket upgrades refused with an HTTP error.");
    text.sample("cdcscope_rejected_upgrades_total", metrics.rejectedUpgrades);

    text.family("cdcscope_journal_writable", "gauge",
                "1 while the journal takes writes; 0 after one failed (a full disk).");
    text.sample("cdcscope_journal_writable", store.failure().isEmpty() ? 1 : 0);
    text.family("cdcscope_journal_failures_total", "counter", "Journal commits refused (each answered 507).");
    text.sample("cdcscope_journal_failures_total", store.journalFailures());
    text.family("cdcscope_events_in_total", "counter", "Events accepted and assigned a seq.");
    text.sample("cdcscope_events_in_total", store.appendedEvents());
    text.family("cdcscope_events_out_total", "counter", "Event frames written to WebSocket clients.");
    text.sample("cdcscope_events_out_total", hub.deliveredLive(), "kind=\"live\"");
    text.sample("cdcscope_events_out_total", hub.deliveredReplay(), "kind=\"replay\"");
    text.family("cdcscope_travels_total", "counter", "Travel (replay) requests served.");
    text.sample("cdcscope_travels_total", metrics.travels);

    text.family("cdcscope_store_events", "gauge", "Events retained in the buffer.");
    text.sample("cdcscope_store_events", store.totalEvents());
    text.family("cdcscope_store_bytes", "gauge", "Bytes of wire frames retained in the buffer.");
    text.sample("cdcscope_store_bytes", store.totalBytes());
    text.family("cdcscope_evicted_events_total", "counter", "Events dropped by retention.");
    text.sample("cdcscope_evicted_events_total", store.evictedEvents());
    text.family("cdcscope_idempotency_answers", "gauge", "Answers kept for Idempotency-Key retries.");
    text.sample("cdcscope_idempotency_answers", store.idempotency().size());
    text.family("cdcscope_idempotency_bytes", "gauge", "Memory the kept answers take (--idempotency-budget).");
    text.sample("cdcscope_idempotency_bytes", store.idempotency().bytes());
    text.family("cdcscope_idempotency_forgotten_total", "counter",
                "Answers forgotten before their 24 h to stay within the key and memory limits.");
    text.sample("cdcscope_idempotency_forgotten_total", store.idempotency().forgotten());

    QList<const ChannelLog *> channels = store.channels();
    text.family("cdcscope_channels", "gauge", "Channels held (each with its own series up to --metrics-channels).");
    text.sample("cdcscope_channels", channels.size());
    text.family("cdcscope_forgotten_channels_total", "counter",
                "Channels forgotten because all their events expired and nobody subscribed.");
    text.sample("cdcscope_forgotten_channels_total", store.forgottenChannels());
    // The busiest by events ever assigned, named; ties by name, so the choice is stable.
    const auto busier = [](const ChannelLog *a, const ChannelLog *b) {
        return a->lastSeq() != b->lastSeq() ? a->lastSeq() > b->lastSeq() : a->id() < b->id();
    };
    // Only channels the viewer's token may read are named; the rest are summed with the others.
    const auto readable = std::stable_partition(channels.begin(), channels.end(),
                                                [&viewer](const ChannelLog *log) { return viewer.mayRead(log->id()); });
    const qsizetype named = std::min<qsizetype>(readable - channels.begin(), std::max(0, channelSeries));
    std::partial_sort(channels.begin(), channels.begin() + named, readable, busier);
    const QList<const ChannelLog *> others = channels.mid(named);
    channels.resize(named);
    std::sort(channels.begin(), channels.end(),
              [](const ChannelLog *a, const ChannelLog *b) { return a->id() < b->id(); });
    text.family("cdcscope_channel_depth_events", "gauge", "Events retained per channel.");
    for (const ChannelLog *log : channels)
        text.sample("cdcscope_channel_depth_events", log->size(), "channel=\"" + labelValue(log->id()) + '"');
    text.family("cdcscope_channel_depth_bytes", "gauge", "Bytes retained per channel.");
    for (const ChannelLog *log : channels)
        text.sample("cdcscope_channel_depth_bytes", log->bytes(), "channel=\"" + labelValue(log->id()) + '"');
    text.family("cdcscope_channel_last_seq", "gauge", "Last seq assigned per channel.");
    for (const ChannelLog *log : channels)
        text.sample("cdcscope_channel_last_seq", log->lastSeq(), "channel=\"" + labelValue(log->id()) + '"');
    text.family("cdcscope_channel_subscribers", "gauge", "Connections subscribed per channel.");
    for (const ChannelLog *log : channels)
        text.sample("cdcscope_channel_subscribers", hub.subscriberCount(log->id()),
                    "channel=\"" + labelValue(log->id()) + '"');
    const LatencyBook &latency = hub.latency();
    text.family("cdcscope_channel_commit_to_stored_seconds", "gauge",
                "From the source's commit time (in the payload) to the event's ts_ms, per channel: p50 and p99 "
                "over the last 30 to 60 s.");
    for (const ChannelLog *log : channels)
        text.quantiles("cdcscope_channel_commit_to_stored_seconds", latency.commitToStored(log->id()),
                       "channel=\"" + labelValue(log->id()) + '"');
    text.family("cdcscope_channel_stored_to_sent_seconds", "gauge",
                "From the event's ts_ms to its write to a client, per channel over its clients: p50 and p99 over "
                "the last 30 to 60 s.");
    for (const ChannelLog *log : channels)
        text.quantiles("cdcscope_channel_stored_to_sent_seconds", latency.storedToSent(log->id()),
                       "channel=\"" + labelValue(log->id()) + '"');
    // Client names are what GET /clients shows: for a token with the monitor right.
    renderClientLatency(text, hub, viewer.mayMonitor() ? channelSeries : 0);

    qint64 otherEvents = 0;
    qint64 otherBytes = 0;
    qint64 otherSubscribers = 0;
    for (const ChannelLog *log : others) {
        otherEvents += log->size();
        otherBytes += log->bytes();
        otherSubscribers += hub.subscriberCount(log->id());
    }
    text.family("cdcscope_other_channels", "gauge", "Channels beyond --metrics-channels, summed below.");
    text.sample("cdcscope_other_channels", others.size());
    text.family("cdcscope_other_channels_depth_events", "gauge", "Events retained in the other channels.");
    text.sample("cdcscope_other_channels_depth_events", otherEvents);
    text.family("cdcscope_other_channels_depth_bytes", "gauge", "Bytes retained in the other channels.");
    text.sample("cdcscope_other_channels_depth_bytes", otherBytes);
    text.family("cdcscope_other_channels_subscribers", "gauge", "Subscriptions to the other channels.");
    text.sample("cdcscope_other_channels_subscribers", otherSubscribers);

    text.family("cdcscope_slow_consumer_disconnects_total", "counter",
                "Connections closed (1008) because their outbound queue passed the bound.");
    text.sample("cdcscope_slow_consumer_disconnects_total", metrics.slowConsumerDisconnects);
    text.family("cdcscope_idle_disconnects_total", "counter", "Connections closed for silence past the idle timeout.");
    text.sample("cdcscope_idle_disconnects_total", metrics.idleDisconnects);
    text.family("cdcscope_inbound_pauses_total", "counter",
                "Times a WebSocket connection was not read because its messages waiting for the engine reached "
                "--max-unprocessed.");
    text.sample("cdcscope_inbound_pauses_total", metrics.inboundPauses);

    text.family("cdcscope_http_responses_total", "counter", "HTTP responses by status code.");
    for (auto it = metrics.httpResponses.cbegin(); it != metrics.httpResponses.cend(); ++it)
        text.sample("cdcscope_http_responses_total", it.value(), "status=\"" + QByteArray::number(it.key()) + '"');
    text.family("cdcscope_limit_rejections_total", "counter",
                "Connections, requests and messages refused for passing a configured limit, by limit.");
    for (auto it = metrics.limitRejections.cbegin(); it != metrics.limitRejections.cend(); ++it)
        text.sample("cdcscope_limit_rejections_total", it.value(), "limit=\"" + labelValue(it.key()) + '"');
    if (metrics.cluster.enabled) {
        text.family("cdcscope_redis_up", "gauge", "1 while the Redis of cluster mode answers.");
        text.sample("cdcscope_redis_up", metrics.cluster.redisUp ? 1 : 0);
        text.family("cdcscope_redis_script_calls_total", "counter", "Publish scripts run in Redis.");
        text.sample("cdcscope_redis_script_calls_total", metrics.cluster.scriptCalls);
        text.family("cdcscope_redis_script_roundtrip_microseconds_total", "counter",
                    "Publish script round trips, summed (divide by the calls for the mean).");
        text.sample("cdcscope_redis_script_roundtrip_microseconds_total", metrics.cluster.scriptMicrosTotal);
        text.family("cdcscope_redis_gap_fills_total", "counter",
                    "Holes in live delivery filled from the Redis stream.");
        text.sample("cdcscope_redis_gap_fills_total", metrics.cluster.gapFills);
        text.family("cdcscope_redis_events_filled_total", "counter", "Events delivered by gap fills.");
        text.sample("cdcscope_redis_events_filled_total", metrics.cluster.eventsFilled);
        text.family("cdcscope_redis_events_lost_total", "counter",
                    "Seqs Redis no longer held when this instance needed them.");
        text.sample("cdcscope_redis_events_lost_total", metrics.cluster.eventsLost);
        text.family("cdcscope_redis_epoch_changes_total", "counter", "Channels whose Redis history was lost.");
        text.sample("cdcscope_redis_epoch_changes_total", metrics.cluster.epochChanges);
        text.family("cdcscope_redis_publish_failures_total", "counter", "Publishes Redis did not confirm.");
        text.sample("cdcscope_redis_publish_failures_total", metrics.cluster.publishFailures);
        text.family("cdcscope_redis_travels_total", "counter", "Travels answered from the Redis stream.");
        text.sample("cdcscope_redis_travels_total", metrics.cluster.redisTravels);
    }
    text.family("cdcscope_errors_total", "counter", "Requests refused, by error code (WebSocket and HTTP).");
    for (auto it = metrics.errors.cbegin(); it != metrics.errors.cend(); ++it)
        text.sample("cdcscope_errors_total", it.value(), "kind=\"" + labelValue(it.key()) + '"');

    text.family("cdcscope_source_up", "gauge", "1 while the source streams from upstream, 0 otherwise.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_up", source.state == SourceStatus::State::Streaming ? 1 : 0,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_lag_bytes", "gauge", "Upstream WAL not yet durable here, in bytes.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_lag_bytes", source.lagBytes, "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_events_total", "counter", "Events a source appended since start.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_events_total", source.events, "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_transactions_total", "counter", "Upstream transactions applied since start.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_transactions_total", source.transactions,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_duplicates_total", "counter",
                "Upstream transactions re-sent after a restart and dropped because they were already journaled.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_duplicates_total", source.duplicatesSkipped,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_transaction_rows", "gauge",
                "Rows so far of a large transaction being stored in parts; 0 when none is in progress.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_transaction_rows", source.openTransactionRows,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_retained_wal_bytes", "gauge",
                "WAL the replication slot holds on the server (WAL end minus restart_lsn); absent until read.");
    for (const SourceStatus &source : metrics.sources)
        if (source.retainedWalBytes)
            text.sample("cdcscope_source_retained_wal_bytes", *source.retainedWalBytes,
                        "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_confirmed_lag_bytes", "gauge",
                "WAL end minus the slot's confirmed_flush_lsn, in bytes.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_confirmed_lag_bytes", source.confirmedLagBytes,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_wal_at_risk", "gauge",
                "1 while the slot's wal_status is unreserved or lost, or it retains more than --pg-max-retained-wal.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_wal_at_risk",
                    !source.warnings.isEmpty() && source.warnings.front().startsWith(u"the slot") ? 1 : 0,
                    "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_heartbeats_total", "counter", "Heartbeat messages written (--pg-heartbeat).");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_heartbeats_total", source.heartbeats, "source=\"" + labelValue(source.name) + '"');
    text.family("cdcscope_source_reconnects_total", "counter", "Times a streaming source lost its connection.");
    for (const SourceStatus &source : metrics.sources)
        text.sample("cdcscope_source_reconnects_total", source.reconnects, "source=\"" + labelValue(source.name) + '"');
    // Backfills: one series per table (the newest backfill of each), so a dashboard draws progress.
    const auto backfillSamples = [&](const char *name, const char *type, const char *help, auto value) {
        text.family(name, type, help);
        for (const SourceStatus &source : metrics.sources)
            for (const BackfillStatus &backfill : source.backfills)
                text.sample(name, value(backfill),
                            "source=\"" + labelValue(source.name) + "\",table=\"" + labelValue(backfill.table) + '"');
    };
    backfillSamples("cdcscope_backfill_rows_read_total", "counter", "Rows a backfill read and stored.",
                    [](const BackfillStatus &backfill) { return backfill.rowsRead; });
    backfillSamples("cdcscope_backfill_rows_skipped_total", "counter",
                    "Rows a backfill left to the live change that came between their chunk's watermarks.",
                    [](const BackfillStatus &backfill) { return backfill.rowsSkipped; });
    backfillSamples("cdcscope_backfill_rows_estimate", "gauge",
                    "The table's rows as PostgreSQL estimated them when the backfill started (-1: unknown).",
                    [](const BackfillStatus &backfill) { return backfill.estimate; });
    backfillSamples("cdcscope_backfill_chunks_total", "counter", "Chunks a backfill stored.",
                    [](const BackfillStatus &backfill) { return backfill.chunks; });
    backfillSamples("cdcscope_backfill_running", "gauge", "1 while a backfill reads (not paused, done or failed).",
                    [](const BackfillStatus &backfill) { return qint64(backfill.state == u"running" ? 1 : 0); });
    return text.take();
}

} // namespace cdc
