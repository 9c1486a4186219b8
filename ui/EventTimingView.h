#pragma once

#include "host/MonitorTypes.h"

#include <QTreeWidget>

namespace cdc {

// One event's times in the detail pane: committed at the source, stored, and written to each client
// (docs/latency.md). Asks its source for the channel's last events' times when an event is shown;
// the answer fills it in.
class EventTimingView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit EventTimingView(QWidget *parent = nullptr);

    // Shows `seq` of `channel` as being asked for; timesWanted() asks.
    void ask(const QString &channel, qint64 seq);
    // The source's answer for `channel`: fills in the shown event if it is among `events`.
    void answer(const QString &channel, const QList<cdc::EventTiming> &events);
    void clearEvent();

Q_SIGNALS:
    void timesWanted(const QString &channel);

private:
    void addRow(const QString &moment, const QString &when, const QString &took);
    void showTimes(const EventTiming &event);

    QString m_channel;
    qint64 m_seq = 0;
    int m_retries = 0;
};

} // namespace cdc
