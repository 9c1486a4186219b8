#pragma once

#include "host/MonitorTypes.h"
#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QByteArray>

#include <optional>

namespace cdc::remote {

// What a remote server's frames and HTTP answers say, read into the types the window shows.
// Payloads are never parsed into values: an event keeps the publisher's text (JsonOutline finds it).

// An event frame {"organization_id":C,"data":{"seq":N,"ts_ms":T,"payload":P}} in whatever member
// order the server wrote it; empty for any other frame.
std::optional<LiveEvent> parseEventFrame(QByteArrayView frame);

// The travel ack: count and truncated (CDC Scope's, absent from plain servers), and per channel the
// retained range, gap flag and history epoch.
struct TravelAck
{
    std::optional<qint64> count;
    bool truncated = false;
    QList<TravelChannelRange> channels;
};
TravelAck parseTravelAck(const QJsonObject &ack);

QList<ChannelStats> parseChannels(const QByteArray &body);        // GET /channels
QList<ClientStats> parseClients(const QByteArray &body);          // GET /clients
QList<EventTiming> parseEventTimes(const QByteArray &body);       // GET /channels/{id}/latency
QList<SourceStatus> parseHealthSources(const QByteArray &body);   // GET /health
QList<SchemaNote> parseSchemaNotes(const QString &channel, const QByteArray &body); // GET /channels/{id}/schema
QList<ClusterMember> parseClusterMembers(const QByteArray &body); // GET /cluster

} // namespace cdc::remote
