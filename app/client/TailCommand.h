#pragma once

#include "SocketCommand.h"

#include <QHash>

namespace cdc::client {

// `cdcscope tail`: follows channels, after replaying the history --since-seq/--since-ts asks for.
// The replay is paged channel by channel (a travel returns at most 50 000 events); events that
// arrive meanwhile are held, and once the history is complete everything held is printed in the
// server's travel order (ts_ms, channel, seq) without duplicates, then live events as they come.
class TailCommand : public SocketCommand
{
    Q_OBJECT

public:
    explicit TailCommand(const ClientOptions &options, QObject *parent = nullptr);

private:
    void onOpened() override;
    void onFrame(const QByteArray &frame, const QJsonObject &object) override;
    void onTimeout() override;

    void subscriptionsSettled();
    void requestPage();
    void pageCompleted(const QJsonObject &ack);
    void replayCompleted();
    void deliver(const ReceivedEvent &event);

    QStringList m_channels;
    int m_awaitedSubscriptionReplies = 0;
    bool m_holding = false; // history is being replayed: events wait in m_held
    QList<ReceivedEvent> m_held;
    QStringList m_replayQueue;            // channels whose history is still to come; front: current
    std::optional<qint64> m_pageAfterSeq; // since_seq of the current channel's next page
    qint64 m_lastReceivedSeq = 0;         // seq of the newest event frame: a page's last event at its ack
    QHash<QString, qint64> m_lastPrintedSeq;
    qint64 m_printed = 0;
};

} // namespace cdc::client
