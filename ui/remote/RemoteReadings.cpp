#include "RemoteReadings.h"

#include "protocol/JsonText.h"
#include "protocol/JsonWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cdc::remote {

namespace {

std::optional<qint64> optionalInteger(const QJsonValue &value)
{
    return value.isDouble() ? std::optional<qint64>(value.toInteger()) : std::nullopt;
}

QJsonArray arrayMember(const QByteArray &body, const char *key)
{
    return QJsonDocument::fromJson(body).object().value(QLatin1String(key)).toArray();
}

SourceStatus::State stateNamed(const QString &name)
{
    using State = SourceStatus::State;
    for (State state :
         {State::Connecting, State::Streaming, State::Reconnecting, State::Standby, State::Failed, State::Stopped})
        if (sourceStateName(state) == name)
            return state;
    return State::Connecting;
}

} // namespace

std::optional<LiveEvent> parseEventFrame(QByteArrayView frame)
{
    auto read = JsonOutline::read(frame, 2);
    const auto *outline = std::get_if<JsonOutline>(&read);
    if (!outline || outline->root().kind != JsonKind::Object)
        return std::nullopt;
    const qsizetype channelAt = outline->member(0, "organization_id");
    const qsizetype dataAt = outline->member(0, "data");
    if (channelAt < 0 || dataAt < 0 || outline->node(channelAt).kind != JsonKind::String ||
        outline->node(dataAt).kind != JsonKind::Object)
        return std::nullopt;
    const qsizetype seqAt = outline->member(dataAt, "seq");
    const qsizetype tsAt = outline->member(dataAt, "ts_ms");
    const qsizetype payloadAt = outline->member(dataAt, "payload");
    if (seqAt < 0 || payloadAt < 0 || outline->node(seqAt).kind != JsonKind::Number)
        return std::nullopt;
    bool seqOk = false;
    const qint64 seq = outline->node(seqAt).text.toByteArray().toLongLong(&seqOk);
    if (!seqOk || seq <= 0)
        return std::nullopt;
    const qint64 tsMs = tsAt >= 0 ? qint64(outline->node(tsAt).text.toByteArray().toDouble()) : 0;
    const std::string &name = outline->node(channelAt).string;

    LiveEvent event;
    event.channel = QString::fromUtf8(name.data(), qsizetype(name.size()));
    event.event.seq = seq;
    event.event.tsMs = tsMs;
    // Rebuilt in CDC Scope's member order around the payload's own bytes, so every view, copy and
    // recording reads it as it reads the embedded engine's events; the payload is as the server sent it.
    QByteArray json = "{\"organization_id\":";
    JsonWriter::appendQuoted(json, event.channel);
    json +=
        ",\"data\":{\"seq\":" + QByteArray::number(seq) + ",\"ts_ms\":" + QByteArray::number(tsMs) + ",\"payload\":";
    event.event.payloadOffset = qint32(json.size());
    json += JsonOutline::compact(outline->node(payloadAt).text);
    json += "}}";
    event.event.wire = std::move(json);
    return event;
}

TravelAck parseTravelAck(const QJsonObject &ack)
{
    TravelAck parsed;
    parsed.count = optionalInteger(ack.value(QStringLiteral("count")));
    parsed.truncated = ack.value(QStringLiteral("truncated")).toBool();
    const QJsonObject channels = ack.value(QStringLiteral("channels")).toObject();
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        const QJsonObject range = it.value().toObject();
        parsed.channels.append({it.key(), optionalInteger(range.value(QStringLiteral("oldest_seq"))),
                                optionalInteger(range.value(QStringLiteral("newest_seq"))),
                                range.value(QStringLiteral("gap")).toBool(),
                                range.value(QStringLiteral("epoch")).toString().toLatin1()});
    }
    return parsed;
}

namespace {

// {"count":N,"p50":ms,"p99":ms} as a headless CDC Scope writes it; null or absent (athena): none.
LatencyFigures latencyFigures(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    return {object.value(QStringLiteral("count")).toInteger(), object.value(QStringLiteral("p50")).toDouble(),
            object.value(QStringLiteral("p99")).toDouble()};
}

} // namespace

QList<ChannelStats> parseChannels(const QByteArray &body)
{
    QList<ChannelStats> channels;
    for (const QJsonValue &value : arrayMember(body, "channels")) {
        const QJsonObject object = value.toObject();
        ChannelStats stats;
        stats.id = object.value(QStringLiteral("organization_id")).toString();
        stats.subscribers = object.value(QStringLiteral("subscribers")).toInt();
        stats.events = object.value(QStringLiteral("events")).toInteger();
        stats.bytes = object.value(QStringLiteral("bytes")).toInteger();
        stats.oldestSeq = optionalInteger(object.value(QStringLiteral("oldest_seq")));
        stats.newestSeq = optionalInteger(object.value(QStringLiteral("newest_seq")));
        stats.lastSeq = object.value(QStringLiteral("last_seq")).toInteger();
        stats.commitToStored = latencyFigures(object.value(QStringLiteral("commit_to_stored_ms")));
        stats.storedToSent = latencyFigures(object.value(QStringLiteral("stored_to_sent_ms")));
        channels.append(stats);
    }
    return channels;
}

QList<ClientStats> parseClients(const QByteArray &body)
{
    QList<ClientStats> clients;
    for (const QJsonValue &value : arrayMember(body, "clients")) {
        const QJsonObject object = value.toObject();
        ClientStats stats;
        stats.sessionId = quint64(object.value(QStringLiteral("id")).toInteger());
        stats.clientId = object.value(QStringLiteral("client_id")).toString();
        stats.peer = object.value(QStringLiteral("peer")).toString();
        stats.connectedAt = QDateTime::fromMSecsSinceEpoch(object.value(QStringLiteral("connected_at_ms")).toInteger());
        for (const QJsonValue &channel : object.value(QStringLiteral("subscriptions")).toArray())
            stats.subscriptions.append(channel.toString());
        stats.eventsSent = object.value(QStringLiteral("events_sent")).toInteger();
        stats.queuedBytes = object.value(QStringLiteral("queued_bytes")).toInteger();
        stats.storedToSent = latencyFigures(object.value(QStringLiteral("stored_to_sent_ms")));
        stats.waitingMs = object.value(QStringLiteral("waiting_ms")).toInteger();
        clients.append(stats);
    }
    return clients;
}

QList<EventTiming> parseEventTimes(const QByteArray &body)
{
    QList<EventTiming> events;
    for (const QJsonValue &value : arrayMember(body, "events")) {
        const QJsonObject object = value.toObject();
        EventTiming event;
        event.seq = object.value(QStringLiteral("seq")).toInteger();
        event.commitMs = optionalInteger(object.value(QStringLiteral("commit_ts_ms")));
        event.tsMs = object.value(QStringLiteral("ts_ms")).toInteger();
        for (const QJsonValue &sent : object.value(QStringLiteral("sent")).toArray()) {
            const QJsonObject to = sent.toObject();
            event.sent.append({quint64(to.value(QStringLiteral("id")).toInteger()),
                               to.value(QStringLiteral("client_id")).toString(),
                               qint64(std::llround(to.value(QStringLiteral("sent_ts_ms")).toDouble() * 1000))});
        }
        events.append(event);
    }
    return events;
}

QList<SourceStatus> parseHealthSources(const QByteArray &body)
{
    QList<SourceStatus> sources;
    for (const QJsonValue &value : arrayMember(body, "sources")) {
        const QJsonObject object = value.toObject();
        SourceStatus source;
        source.name = object.value(QStringLiteral("name")).toString();
        source.target = object.value(QStringLiteral("target")).toString();
        source.state = stateNamed(object.value(QStringLiteral("state")).toString());
        source.journaledLsn = object.value(QStringLiteral("journaled_lsn")).toString();
        source.confirmedLsn = object.value(QStringLiteral("confirmed_lsn")).toString();
        source.lagBytes = object.value(QStringLiteral("lag_bytes")).toInteger();
        source.transactions = object.value(QStringLiteral("transactions")).toInteger();
        source.events = object.value(QStringLiteral("events")).toInteger();
        source.reconnects = object.value(QStringLiteral("reconnects")).toInteger();
        const QJsonObject inProgress = object.value(QStringLiteral("transaction_in_progress")).toObject();
        source.openTransactionXid = quint32(inProgress.value(QStringLiteral("xid")).toInteger());
        source.openTransactionRows = inProgress.value(QStringLiteral("rows")).toInteger();
        source.lastError = object.value(QStringLiteral("last_error")).toString();
        for (const QJsonValue &warning : object.value(QStringLiteral("warnings")).toArray())
            source.warnings.append(warning.toString());
        const QJsonObject slot = object.value(QStringLiteral("slot")).toObject();
        if (slot.value(QStringLiteral("retained_wal_bytes")).isDouble())
            source.retainedWalBytes = slot.value(QStringLiteral("retained_wal_bytes")).toInteger();
        source.walStatus = slot.value(QStringLiteral("wal_status")).toString();
        if (slot.value(QStringLiteral("safe_wal_size")).isDouble())
            source.safeWalBytes = slot.value(QStringLiteral("safe_wal_size")).toInteger();
        source.confirmedLagBytes = slot.value(QStringLiteral("confirmed_lag_bytes")).toInteger();
        source.confirmedLagSeconds = slot.value(QStringLiteral("confirmed_lag_s")).toDouble();
        source.lastChangeAtMs = slot.value(QStringLiteral("last_change_ts_ms")).toInteger();
        source.heartbeats = slot.value(QStringLiteral("heartbeats")).toInteger();
        source.healthError = slot.value(QStringLiteral("error")).toString();
        for (const QJsonValue &entry : object.value(QStringLiteral("backfills")).toArray()) {
            const QJsonObject read = entry.toObject();
            BackfillStatus backfill;
            backfill.table = read.value(QStringLiteral("table")).toString();
            backfill.state = read.value(QStringLiteral("state")).toString();
            backfill.error = read.value(QStringLiteral("error")).toString();
            backfill.rowsRead = read.value(QStringLiteral("rows_read")).toInteger();
            backfill.rowsSkipped = read.value(QStringLiteral("rows_skipped")).toInteger();
            backfill.estimate = read.value(QStringLiteral("rows_estimate")).toInteger(-1);
            backfill.chunks = read.value(QStringLiteral("chunks")).toInteger();
            backfill.rowsPerSecond = read.value(QStringLiteral("rows_per_s")).toDouble();
            backfill.etaSeconds = read.value(QStringLiteral("eta_s")).toInteger(-1);
            backfill.startedAtMs = read.value(QStringLiteral("started_at_ms")).toInteger();
            backfill.finishedAtMs = read.value(QStringLiteral("finished_at_ms")).toInteger();
            backfill.lastKey = read.value(QStringLiteral("last_key")).toString();
            source.backfills.append(backfill);
        }
        sources.append(source);
    }
    return sources;
}

QList<SchemaNote> parseSchemaNotes(const QString &channel, const QByteArray &body)
{
    QList<SchemaNote> notes;
    for (const QJsonValue &value : arrayMember(body, "changes")) {
        const QJsonObject object = value.toObject();
        SchemaNote note;
        note.channel = channel;
        note.seq = object.value(QStringLiteral("before_seq")).toInteger();
        note.table = object.value(QStringLiteral("table")).toString();
        note.atMs = object.value(QStringLiteral("ts_ms")).toInteger();
        for (const QJsonValue &change : object.value(QStringLiteral("changes")).toArray())
            note.changes.append(change.toString());
        if (note.seq > 0 && !note.table.isEmpty())
            notes.append(note);
    }
    return notes;
}

QList<ClusterMember> parseClusterMembers(const QByteArray &body)
{
    QList<ClusterMember> members;
    for (const QJsonValue &value : arrayMember(body, "members")) {
        const QJsonObject object = value.toObject();
        members.append({object.value(QStringLiteral("id")).toString(), object.value(QStringLiteral("url")).toString(),
                        object.value(QStringLiteral("clients")).toInteger(),
                        object.value(QStringLiteral("channels")).toInteger(),
                        object.value(QStringLiteral("last_seen_ms")).toInteger(),
                        object.value(QStringLiteral("this_instance")).toBool()});
    }
    return members;
}

} // namespace cdc::remote
