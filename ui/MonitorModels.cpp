#include "MonitorModels.h"

#include "TimeDisplay.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHeaderView>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace cdc {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("cdc::MonitorModels", text);
}

QVariant optionalSeq(const std::optional<qint64> &seq)
{
    return seq ? QVariant(*seq) : QVariant(QStringLiteral("–"));
}

QString formatMilliseconds(double ms)
{
    if (ms >= 1000)
        return tr("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    if (ms >= 10)
        return tr("%1 ms").arg(qRound(ms));
    return tr("%1 ms").arg(ms, 0, 'f', 1);
}

// "p50 1.2 ms · p99 8 ms", or a dash while the window holds no samples.
QVariant latencyText(const LatencyFigures &figures)
{
    if (figures.count == 0)
        return QStringLiteral("–");
    return tr("p50 %1 · p99 %2").arg(formatMilliseconds(figures.p50Ms), formatMilliseconds(figures.p99Ms));
}

QVariant latencySortValue(const LatencyFigures &figures)
{
    return figures.count == 0 ? -1.0 : figures.p99Ms;
}

} // namespace

QTableView *makeSnapshotTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(Qt::UserRole);
    proxy->setDynamicSortFilter(true);
    auto *table = new QTableView(parent);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(0, Qt::AscendingOrder);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->setTextElideMode(Qt::ElideMiddle); // dbz.inventory.customers and …orders stay apart
    table->setWordWrap(false);
    table->setAlternatingRowColors(true);
    return table;
}

QString formatBytes(qint64 bytes)
{
    return QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

ChannelsModel *makeChannelsModel(QObject *parent)
{
    // What a glance needs first (rate and latency), so a narrow dock shows it; the counts after.
    QList<ChannelsModel::Column> columns{
        {tr("Channel"), [](const ChannelStats &c) { return QVariant(c.id); }, {}},
        {tr("Events/s"), [](const ChannelStats &c) { return QVariant(QString::number(c.eventsPerSecond, 'f', 1)); },
         [](const ChannelStats &c) { return QVariant(c.eventsPerSecond); }},
        {tr("Commit → stored"), [](const ChannelStats &c) { return latencyText(c.commitToStored); },
         [](const ChannelStats &c) { return latencySortValue(c.commitToStored); }},
        {tr("Stored → sent"), [](const ChannelStats &c) { return latencyText(c.storedToSent); },
         [](const ChannelStats &c) { return latencySortValue(c.storedToSent); }},
        {tr("Subscribers"), [](const ChannelStats &c) { return QVariant(c.subscribers); }, {}},
        {tr("Events"), [](const ChannelStats &c) { return QVariant(c.events); }, {}},
        {tr("Bytes"), [](const ChannelStats &c) { return QVariant(formatBytes(c.bytes)); },
         [](const ChannelStats &c) { return QVariant(c.bytes); }},
        {tr("First seq"), [](const ChannelStats &c) { return optionalSeq(c.oldestSeq); },
         [](const ChannelStats &c) { return QVariant(c.oldestSeq.value_or(0)); }},
        {tr("Last seq"), [](const ChannelStats &c) { return QVariant(c.lastSeq); }, {}},
    };
    return new ChannelsModel(
        std::move(columns), [](const ChannelStats &c) { return c.id; }, parent);
}

ClientsModel *makeClientsModel(QObject *parent)
{
    QList<ClientsModel::Column> columns{
        {tr("Client"), [](const ClientStats &c) { return QVariant(c.clientId); }, {}},
        {tr("Peer"), [](const ClientStats &c) { return QVariant(c.peer); }, {}},
        {tr("Connected since"),
         [](const ClientStats &c) { return QVariant(TimeDisplay::format(c.connectedAt, QStringLiteral("HH:mm:ss"))); },
         [](const ClientStats &c) { return QVariant(c.connectedAt); }},
        {tr("Subscriptions"),
         [](const ClientStats &c) { return QVariant(c.subscriptions.join(QStringLiteral(", "))); },
         {}},
        {tr("Events sent"), [](const ClientStats &c) { return QVariant(c.eventsSent); }, {}},
        {tr("Queued"), [](const ClientStats &c) { return QVariant(formatBytes(c.queuedBytes)); },
         [](const ClientStats &c) { return QVariant(c.queuedBytes); }},
        {tr("Stored → sent"), [](const ClientStats &c) { return latencyText(c.storedToSent); },
         [](const ClientStats &c) { return latencySortValue(c.storedToSent); }},
        {tr("Falling behind"),
         [](const ClientStats &c) {
             return QVariant(c.fallingBehind()
                                 ? tr("⚠ oldest event waiting %1").arg(formatMilliseconds(double(c.waitingMs)))
                                 : QStringLiteral("–"));
         },
         [](const ClientStats &c) { return QVariant(c.waitingMs); }},
    };
    auto *model = new ClientsModel(
        std::move(columns), [](const ClientStats &c) { return QString::number(c.sessionId); }, parent);
    model->setAttention([](const ClientStats &c) {
        return c.fallingBehind() ? tr("Falling behind: its oldest queued event has waited %1 (the server cuts it off "
                                      "once its queue passes --max-queued)")
                                       .arg(formatMilliseconds(double(c.waitingMs)))
                                 : QString();
    });
    return model;
}

ClusterModel *makeClusterModel(QObject *parent)
{
    QList<ClusterModel::Column> columns{
        {tr("Instance"),
         [](const ClusterMember &m) { return QVariant(m.isThisInstance ? tr("%1 (this one)").arg(m.id) : m.id); },
         [](const ClusterMember &m) { return QVariant(m.id); }},
        {tr("Address"), [](const ClusterMember &m) { return QVariant(m.url); }, {}},
        {tr("Clients"), [](const ClusterMember &m) { return QVariant(m.clients); }, {}},
        {tr("Channels"), [](const ClusterMember &m) { return QVariant(m.channels); }, {}},
        {tr("Last seen"),
         [](const ClusterMember &m) { return QVariant(TimeDisplay::format(m.lastSeenMs, QStringLiteral("HH:mm:ss"))); },
         [](const ClusterMember &m) { return QVariant(m.lastSeenMs); }},
    };
    return new ClusterModel(
        std::move(columns), [](const ClusterMember &m) { return m.id; }, parent);
}

SourcesModel *makeSourcesModel(QObject *parent)
{
    const auto lsnOrDash = [](const QString &lsn) { return QVariant(lsn.isEmpty() ? QStringLiteral("–") : lsn); };
    QList<SourcesModel::Column> columns{
        {tr("Source"), [](const SourceStatus &s) { return QVariant(s.name); }, {}},
        {tr("State"), [](const SourceStatus &s) { return QVariant(sourceStateName(s.state)); }, {}},
        {tr("Target"), [](const SourceStatus &s) { return QVariant(s.target); }, {}},
        {tr("Journaled LSN"), [lsnOrDash](const SourceStatus &s) { return lsnOrDash(s.journaledLsn); }, {}},
        {tr("Confirmed LSN"), [lsnOrDash](const SourceStatus &s) { return lsnOrDash(s.confirmedLsn); }, {}},
        {tr("Lag"), [](const SourceStatus &s) { return QVariant(formatBytes(s.lagBytes)); },
         [](const SourceStatus &s) { return QVariant(s.lagBytes); }},
        {tr("Transactions"), [](const SourceStatus &s) { return QVariant(s.transactions); }, {}},
        {tr("In progress"),
         [](const SourceStatus &s) {
             if (s.openTransactionRows == 0)
                 return QVariant(QStringLiteral("–"));
             return QVariant(tr("xid %1: %L2 rows so far").arg(s.openTransactionXid).arg(s.openTransactionRows));
         },
         [](const SourceStatus &s) { return QVariant(s.openTransactionRows); }},
        {tr("Events"), [](const SourceStatus &s) { return QVariant(s.events); }, {}},
        {tr("Reconnects"), [](const SourceStatus &s) { return QVariant(s.reconnects); }, {}},
        {tr("Last error"),
         [](const SourceStatus &s) {
             if (s.lastError.isEmpty())
                 return QVariant(QStringLiteral("–"));
             return QVariant(QStringLiteral("%1 (%2)").arg(
                 s.lastError, TimeDisplay::format(s.lastErrorAtMs, QStringLiteral("HH:mm:ss"))));
         },
         {}},
        // The slot as PostgreSQL sees it (docs/postgres.md#slot-health).
        {tr("Retained WAL"),
         [](const SourceStatus &s) {
             return QVariant(s.retainedWalBytes ? formatBytes(*s.retainedWalBytes) : QStringLiteral("–"));
         },
         [](const SourceStatus &s) { return QVariant(s.retainedWalBytes.value_or(-1)); }},
        {tr("WAL status"),
         [](const SourceStatus &s) {
             if (s.walStatus.isEmpty())
                 return QVariant(QStringLiteral("–"));
             return QVariant(s.safeWalBytes ? tr("%1, %2 safe").arg(s.walStatus, formatBytes(*s.safeWalBytes))
                                            : s.walStatus);
         },
         {}},
        {tr("Confirmed lag"),
         [](const SourceStatus &s) {
             return QVariant(tr("%1 · %2 s").arg(formatBytes(s.confirmedLagBytes)).arg(s.confirmedLagSeconds, 0, 'f', 1));
         },
         [](const SourceStatus &s) { return QVariant(s.confirmedLagBytes); }},
        {tr("Last change"),
         [](const SourceStatus &s) {
             return QVariant(s.lastChangeAtMs ? TimeDisplay::format(s.lastChangeAtMs, QStringLiteral("HH:mm:ss"))
                                              : QStringLiteral("–"));
         },
         [](const SourceStatus &s) { return QVariant(s.lastChangeAtMs); }},
    };
    return new SourcesModel(
        std::move(columns), [](const SourceStatus &s) { return s.name; }, parent);
}

BackfillsModel *makeBackfillsModel(QObject *parent)
{
    const auto dash = QStringLiteral("–");
    QList<BackfillsModel::Column> columns{
        {tr("Table"), [](const BackfillStatus &b) { return QVariant(b.table); }, {}},
        {tr("State"),
         [](const BackfillStatus &b) { return QVariant(b.error.isEmpty() ? b.state : tr("%1: %2").arg(b.state, b.error)); },
         {}},
        // Rows read of PostgreSQL's estimate: the estimate may be off, so past it the count goes on.
        {tr("Rows"),
         [](const BackfillStatus &b) {
             if (b.estimate <= 0)
                 return QVariant(tr("%L1").arg(b.rowsRead));
             return QVariant(tr("%L1 of ~%L2 (%3%)")
                                 .arg(b.rowsRead)
                                 .arg(b.estimate)
                                 .arg(std::min<qint64>(100, b.rowsRead * 100 / b.estimate)));
         },
         [](const BackfillStatus &b) { return QVariant(b.rowsRead); }},
        {tr("Chunks"), [](const BackfillStatus &b) { return QVariant(b.chunks); }, {}},
        {tr("Rate"),
         [dash](const BackfillStatus &b) {
             return QVariant(b.rowsPerSecond > 0 ? tr("%L1 rows/s").arg(qint64(b.rowsPerSecond)) : dash);
         },
         [](const BackfillStatus &b) { return QVariant(b.rowsPerSecond); }},
        {tr("ETA"),
         [dash](const BackfillStatus &b) {
             if (b.etaSeconds < 0)
                 return QVariant(dash);
             return QVariant(b.etaSeconds < 120 ? tr("%1 s").arg(b.etaSeconds) : tr("%1 min").arg(b.etaSeconds / 60));
         },
         [](const BackfillStatus &b) { return QVariant(b.etaSeconds); }},
        // Rows whose chunk a live change overtook: the change says them (docs/postgres.md#backfill).
        {tr("Left to changes"), [](const BackfillStatus &b) { return QVariant(b.rowsSkipped); }, {}},
        {tr("Last key"), [dash](const BackfillStatus &b) { return QVariant(b.lastKey.isEmpty() ? dash : b.lastKey); }, {}},
    };
    return new BackfillsModel(
        std::move(columns), [](const BackfillStatus &b) { return b.table; }, parent);
}

} // namespace cdc
