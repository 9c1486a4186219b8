#include "MonitorModels.h"

#include <QCoreApplication>
#include <QLocale>

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

} // namespace

QString formatBytes(qint64 bytes)
{
    return QLocale::system().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

ChannelsModel *makeChannelsModel(QObject *parent)
{
    QList<ChannelsModel::Column> columns{
        {tr("Channel"), [](const ChannelStats &c) { return QVariant(c.id); }, {}},
        {tr("Subscribers"), [](const ChannelStats &c) { return QVariant(c.subscribers); }, {}},
        {tr("Events"), [](const ChannelStats &c) { return QVariant(c.events); }, {}},
        {tr("Bytes"), [](const ChannelStats &c) { return QVariant(formatBytes(c.bytes)); },
         [](const ChannelStats &c) { return QVariant(c.bytes); }},
        {tr("First seq"), [](const ChannelStats &c) { return optionalSeq(c.oldestSeq); },
         [](const ChannelStats &c) { return QVariant(c.oldestSeq.value_or(0)); }},
        {tr("Last seq"), [](const ChannelStats &c) { return QVariant(c.lastSeq); }, {}},
        {tr("Events/s"), [](const ChannelStats &c) { return QVariant(QString::number(c.eventsPerSecond, 'f', 1)); },
         [](const ChannelStats &c) { return QVariant(c.eventsPerSecond); }},
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
         [](const ClientStats &c) {
             return QVariant(c.connectedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
         },
         [](const ClientStats &c) { return QVariant(c.connectedAt); }},
        {tr("Subscriptions"),
         [](const ClientStats &c) { return QVariant(c.subscriptions.join(QStringLiteral(", "))); },
         {}},
        {tr("Events sent"), [](const ClientStats &c) { return QVariant(c.eventsSent); }, {}},
        {tr("Queued"), [](const ClientStats &c) { return QVariant(formatBytes(c.queuedBytes)); },
         [](const ClientStats &c) { return QVariant(c.queuedBytes); }},
    };
    return new ClientsModel(
        std::move(columns), [](const ClientStats &c) { return QString::number(c.sessionId); }, parent);
}

} // namespace cdc
