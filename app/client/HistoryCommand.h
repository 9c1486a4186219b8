#pragma once

#include "SocketCommand.h"
#include "inspect/RowHistory.h"

namespace cdc::client {

// `cdcscope history`: one row's timeline from a channel's retained history — every insert, update
// and delete of it (table and key), with the row as it stood after each — read by paged travels
// (50 000 events each) and printed for people (pretty, the default) or as NDJSON.
class HistoryCommand : public SocketCommand
{
    Q_OBJECT

public:
    explicit HistoryCommand(const ClientOptions &options, QObject *parent = nullptr);

private:
    void onOpened() override;
    void onFrame(const QByteArray &frame, const QJsonObject &object) override;

    void requestPage();
    void pageCompleted(const QJsonObject &ack);
    void print();

    QString m_channel;
    RowTimeline m_timeline;
    bool m_travelling = false;
    qint64 m_afterSeq = 0;
    qint64 m_pageEvents = 0;
    qint64 m_eventsRead = 0;
    std::optional<qint64> m_oldestSeq; // of the first page's ack: where the server's history starts
};

} // namespace cdc::client
