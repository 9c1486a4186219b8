#include "TailCommand.h"

#include "client/ControlFrames.h"
#include "client/TravelPaging.h"

#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace cdc::client {

using travel_paging::pageLimit;

TailCommand::TailCommand(const ClientOptions &options, QObject *parent)
    : SocketCommand(options, parent)
{
    m_channels = options.channels.isEmpty() ? QStringList{options.clientName} : options.channels;
    m_channels.removeDuplicates();
}

void TailCommand::onOpened()
{
    // The connection starts subscribed to the client name: add the channels asked for and drop
    // the client name's own when it is not one of them.
    for (const QString &channel : std::as_const(m_channels)) {
        if (channel == m_options.clientName)
            continue;
        m_socket.send(subscriptionRequest(channel, true));
        ++m_awaitedSubscriptionReplies;
    }
    if (!m_channels.contains(m_options.clientName)) {
        m_socket.send(subscriptionRequest(m_options.clientName, false));
        ++m_awaitedSubscriptionReplies;
    }
    m_holding = m_options.sinceSeq || m_options.sinceTsMs;
    if (m_awaitedSubscriptionReplies == 0)
        subscriptionsSettled();
}

void TailCommand::onFrame(const QByteArray &frame, const QJsonObject &object)
{
    if (auto event = readEventFrame(frame, object)) {
        m_lastReceivedSeq = event->seq;
        if (m_holding)
            m_held.append(std::move(*event));
        else
            deliver(*event);
        return;
    }
    const QString status = object.value(QStringLiteral("status")).toString();
    if (status == u"error") {
        if (travel_paging::isRateLimited(object) && !m_replayQueue.isEmpty()) {
            QTimer::singleShot(travel_paging::rateLimitRetryMs, this, &TailCommand::requestPage);
            return;
        }
        finish(ClientExit::failure, describeErrorFrame(object));
    } else if (isSubscriptionAnswer(object) && m_awaitedSubscriptionReplies > 0) {
        if (--m_awaitedSubscriptionReplies == 0)
            subscriptionsSettled();
    } else if (status == u"travel_complete" && !m_replayQueue.isEmpty()) {
        pageCompleted(object);
    }
}

void TailCommand::onTimeout()
{
    if (!m_options.count) {
        finish(ClientExit::ok); // without --count, --timeout is how long to watch
        return;
    }
    finish(ClientExit::timeout, QStringLiteral("timed out after %1 ms with %2 of %3 events (--timeout)")
                                    .arg(m_options.timeout->count())
                                    .arg(m_printed)
                                    .arg(*m_options.count));
}

void TailCommand::subscriptionsSettled()
{
    if (!m_holding)
        return;
    m_replayQueue = m_channels;
    m_pageAfterSeq = m_options.sinceSeq;
    requestPage();
}

void TailCommand::requestPage()
{
    if (finished() || m_replayQueue.isEmpty())
        return;
    QJsonObject travel{{QStringLiteral("type"), QStringLiteral("travel")},
                       {QStringLiteral("organization_id"), m_replayQueue.constFirst()},
                       {QStringLiteral("limit"), pageLimit}};
    if (m_pageAfterSeq)
        travel.insert(QStringLiteral("since_seq"), *m_pageAfterSeq);
    if (m_options.sinceTsMs)
        travel.insert(QStringLiteral("since_ts_ms"), *m_options.sinceTsMs);
    m_socket.send(travel);
}

void TailCommand::pageCompleted(const QJsonObject &ack)
{
    const QString channel = m_replayQueue.constFirst();
    if (ack.value(QStringLiteral("gap")).toBool())
        std::fprintf(stderr,
                     "cdcscope tail: warning: channel %s no longer holds all the history asked for; the replay "
                     "starts at its oldest retained event\n",
                     qPrintable(channel));
    // A travel's events and its ack arrive as one block, so the event just before the ack is the
    // page's last: the next page starts after it.
    const qint64 count = ack.value(QStringLiteral("count")).toInteger();
    if (const auto next = travel_paging::nextPageAfter(ack, count, pageLimit, m_lastReceivedSeq)) {
        m_pageAfterSeq = *next;
        requestPage();
        return;
    }
    m_replayQueue.removeFirst();
    m_pageAfterSeq = m_options.sinceSeq;
    if (m_replayQueue.isEmpty())
        replayCompleted();
    else
        requestPage();
}

void TailCommand::replayCompleted()
{
    m_holding = false;
    QList<ReceivedEvent> held = std::exchange(m_held, {});
    std::stable_sort(held.begin(), held.end(), [](const ReceivedEvent &a, const ReceivedEvent &b) {
        return std::tie(a.tsMs, a.channel, a.seq) < std::tie(b.tsMs, b.channel, b.seq);
    });
    for (const ReceivedEvent &event : std::as_const(held))
        deliver(event);
}

void TailCommand::deliver(const ReceivedEvent &event)
{
    if (finished() || !m_channels.contains(event.channel))
        return;
    qint64 &lastPrinted = m_lastPrintedSeq[event.channel];
    if (event.seq <= lastPrinted)
        return; // replayed and live copies of one event: print it once
    lastPrinted = event.seq;
    if (m_options.filter && !m_options.filter->matches(event.payload(), {event.channel, event.seq, event.tsMs}))
        return;
    m_printer.printEvent(event);
    ++m_printed;
    if (m_options.count && m_printed >= *m_options.count)
        finish(ClientExit::ok);
}

} // namespace cdc::client
