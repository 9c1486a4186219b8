#pragma once

#include "SnapshotTableModel.h"
#include "host/MonitorTypes.h"

class QAbstractItemModel;
class QTableView;
class QWidget;

namespace cdc {

using ChannelsModel = SnapshotTableModel<ChannelStats>;
using ClientsModel = SnapshotTableModel<ClientStats>;
using SourcesModel = SnapshotTableModel<SourceStatus>;
using BackfillsModel = SnapshotTableModel<BackfillStatus>;
using ClusterModel = SnapshotTableModel<ClusterMember>;

// Channel, subscribers, buffer depth (events, bytes), first/last seq, events/s.
ChannelsModel *makeChannelsModel(QObject *parent);
// Client id, peer, connected since, subscriptions, events sent, queued outbound bytes.
ClientsModel *makeClientsModel(QObject *parent);

// Source, state, target, journaled and confirmed LSN, lag, transactions, events, reconnects, last error.
SourcesModel *makeSourcesModel(QObject *parent);
// The sources' backfills: table, state, rows read of the estimate, rate, ETA (docs/postgres.md).
BackfillsModel *makeBackfillsModel(QObject *parent);

// Cluster mode: instance (this one marked), address, clients, channels, last announcement.
ClusterModel *makeClusterModel(QObject *parent);

// A sortable, row-selecting table over one of these models (sorting by each cell's UserRole).
QTableView *makeSnapshotTable(QAbstractItemModel *model, QWidget *parent);

QString formatBytes(qint64 bytes);

} // namespace cdc
