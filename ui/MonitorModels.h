#pragma once

#include "SnapshotTableModel.h"
#include "host/MonitorTypes.h"

namespace cdc {

using ChannelsModel = SnapshotTableModel<ChannelStats>;
using ClientsModel = SnapshotTableModel<ClientStats>;

// Channel, subscribers, buffer depth (events, bytes), first/last seq, events/s.
ChannelsModel *makeChannelsModel(QObject *parent);
// Client id, peer, connected since, subscriptions, events sent, queued outbound bytes.
ClientsModel *makeClientsModel(QObject *parent);

QString formatBytes(qint64 bytes);

} // namespace cdc
