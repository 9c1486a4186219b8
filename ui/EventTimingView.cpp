#include "EventTimingView.h"

#include "TimeDisplay.h"

#include <QDateTime>
#include <QHeaderView>
#include <QTimer>

namespace cdc {

namespace {
// The delivery threads report once a second: an event this recent may have been sent already
// without the engine knowing yet. Asked again this often, a few times.
constexpr int reaskMs = 1100;
constexpr int maxRetries = 3;

QString clockTime(qint64 ms)
{
    return TimeDisplay::format(ms, QStringLiteral("HH:mm:ss.zzz"));
}

QString after(double ms, const QString &since)
{
    const QString amount = ms < 10 ? QString::number(ms, 'f', 1) : QString::number(qRound(ms));
    return EventTimingView::tr("+%1 ms after %2").arg(amount, since);
}
} // namespace

EventTimingView::EventTimingView(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Moment"), tr("When"), tr("Took")});
    setRootIsDecorated(false);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
}

void EventTimingView::clearEvent()
{
    clear();
    m_channel.clear();
    m_seq = 0;
}

void EventTimingView::ask(const QString &channel, qint64 seq)
{
    clear();
    m_channel = channel;
    m_seq = seq;
    m_retries = 0;
    addRow(tr("Asking the server…"), {}, {});
    Q_EMIT timesWanted(channel);
}

void EventTimingView::answer(const QString &channel, const QList<EventTiming> &events)
{
    if (channel != m_channel || m_seq == 0)
        return;
    for (const EventTiming &event : events) {
        if (event.seq != m_seq)
            continue;
        showTimes(event);
        const bool maybeUnreported = QDateTime::currentMSecsSinceEpoch() - event.tsMs < 3 * reaskMs;
        if (event.sent.isEmpty() && maybeUnreported && m_retries++ < maxRetries)
            QTimer::singleShot(reaskMs, this, [this, channel, seq = m_seq] {
                if (channel == m_channel && seq == m_seq)
                    Q_EMIT timesWanted(channel);
            });
        return;
    }
    clear();
    if (events.isEmpty())
        addRow(tr("Not known"),
               tr("the server has no times for this channel: none of its events went out live lately, or it "
                  "measures none (an athena server)"),
               {});
    else
        addRow(tr("Not known"), tr("times are kept for a channel's last 256 events that went out live to a client"),
               {});
}

void EventTimingView::showTimes(const EventTiming &event)
{
    clear();
    if (event.commitMs)
        addRow(tr("Committed at the source"), clockTime(*event.commitMs), {});
    else
        addRow(tr("Committed at the source"), tr("not in the payload"), {});
    addRow(tr("Stored (ts_ms)"), clockTime(event.tsMs),
           event.commitMs ? after(double(event.tsMs - *event.commitMs), tr("the commit")) : QString());
    if (event.sent.isEmpty())
        addRow(tr("Sent"), tr("to no client"), {});
    for (const EventTiming::Sent &sent : event.sent) {
        const qint64 sentMs = sent.sentUs / 1000;
        addRow(tr("Sent to %1 (#%2)").arg(sent.clientId).arg(sent.sessionId),
               clockTime(sentMs) + QString::number(sent.sentUs % 1000).rightJustified(3, u'0'),
               after(double(sent.sentUs - event.tsMs * 1000) / 1000.0, tr("stored")));
    }
}

void EventTimingView::addRow(const QString &moment, const QString &when, const QString &took)
{
    new QTreeWidgetItem(this, {moment, when, took});
}

} // namespace cdc
