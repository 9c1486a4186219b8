#include "RemoteSource.h"

#include "RemoteReadings.h"
#include "client/ControlFrames.h"
#include "client/HttpErrorText.h"
#include "client/PublishBody.h"
#include "client/TravelPaging.h"
#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QTime>

#include <algorithm>

namespace cdc {

namespace {

constexpr int firstBackoffMs = 250;
constexpr int maxBackoffMs = 10'000;
constexpr int pollIntervalMs = 1000;
constexpr int flushIntervalMs = 50;
constexpr qint64 catchUpPage = 10'000;
constexpr int httpTimeoutMs = 10'000;
constexpr int subscribeAnswerWaitMs = 2000;
constexpr qsizetype maxFollowedChannels = 1000; // a CDC Scope server's default --max-subscriptions

// Errors no retry can fix: the server said no, or TLS cannot work the way the URL asks.
bool isRefusal(const QString &error)
{
    for (const char *sign : {"400", "401", "403", "SSL", "TLS", "certificate", "wrong version number"})
        if (error.contains(QLatin1String(sign), Qt::CaseInsensitive))
            return true;
    return false;
}

QByteArray travelMessage(const QString &channel, const TravelWindow &window)
{
    JsonWriter writer;
    writer.beginObject().field("type", "travel").field("organization_id", QStringView(channel));
    if (window.sinceSeq)
        writer.field("since_seq", *window.sinceSeq);
    if (window.sinceTsMs)
        writer.field("since_ts_ms", *window.sinceTsMs);
    if (window.limit)
        writer.field("limit", *window.limit);
    return writer.endObject().take();
}

} // namespace

RemoteSource::RemoteSource(ResolvedProfile profile, QObject *parent)
    : MonitorSource(parent)
    , m_profile(std::move(profile))
    , m_subscriptions(m_profile.profile.allChannels())
{
    m_offers.missingReason = tr("waiting for the server's answer");
    m_status.url = m_profile.address.webSocket;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_profile.caCertificates.isEmpty())
        ssl.addCaCertificates(m_profile.caCertificates);
    m_socket.setSslConfiguration(ssl);
    // Replays and catch-ups of tens of thousands of events arrive as one block.
    m_socket.setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    connect(&m_socket, &QWebSocket::connected, this, &RemoteSource::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &RemoteSource::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &RemoteSource::onTextMessage);
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &RemoteSource::open);
    m_flush.setSingleShot(true);
    connect(&m_flush, &QTimer::timeout, this, &RemoteSource::flushShown);
    connect(&m_poll, &QTimer::timeout, this, &RemoteSource::poll);
    m_subscribeWait.setSingleShot(true);
    connect(&m_subscribeWait, &QTimer::timeout, this, [this] {
        m_subscribesUnanswered = 0;
        sendNextTravel();
    });
    m_sincePreviousSnapshot.start();
}

RemoteSource::~RemoteSource()
{
    m_closing = true;
    m_socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("window closed"));
}

void RemoteSource::open()
{
    m_wasOpen = false;
    setStatus(m_backoffMs == 0 ? ConnectionStatus::State::Connecting : ConnectionStatus::State::Reconnecting,
              tr("connecting…"));
    QNetworkRequest request(m_profile.address.webSocket);
    request.setRawHeader("X-Athena-Client", m_profile.profile.clientName.trimmed().toUtf8());
    if (!m_profile.profile.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_profile.profile.token);
    m_socket.open(request);
}

void RemoteSource::onConnected()
{
    const bool reconnected = m_wasOpen;
    m_wasOpen = true;
    m_backoffMs = 0;
    setStatus(ConnectionStatus::State::Connected, tr("connected"));
    m_subscribesUnanswered = 0;
    // The client name's channel is subscribed by the upgrade itself and the rest by message; it is
    // asked once more too, because the answers name each channel's history epoch (the greeting does
    // not) and arrive before any catch-up travel goes out (travels wait for them): a server that
    // restarted with a new history is noticed before its seqs could pass for the old ones.
    for (const QString &channel : std::as_const(m_subscriptions))
        sendSubscribe(channel);
    if (reconnected)
        m_firstAfterReconnect = QSet<QString>(m_subscriptions.cbegin(), m_subscriptions.cend());
    // Back after a drop: each channel continues from the last seq the view showed.
    const QHash<QString, qint64> shown = m_sequencer.lastSeqs();
    for (auto it = shown.cbegin(); it != shown.cend(); ++it)
        if (m_subscriptions.contains(it.key()))
            startCatchUp(it.key(), it.value());
    sendNextTravel();
    poll();
    m_poll.start(pollIntervalMs);
}

void RemoteSource::onDisconnected()
{
    if (m_closing)
        return;
    m_poll.stop();
    // Replays in progress cannot finish on a new connection (acks carry no id); catch-ups start again.
    std::optional<TravelJob> inFlight = std::exchange(m_inFlight, std::nullopt);
    std::deque<TravelJob> queued = std::exchange(m_travelQueue, {});
    if (inFlight)
        queued.push_front(*inFlight);
    for (const TravelJob &job : queued)
        if (job.requestId != 0)
            finishReplayJob(job, tr("the connection to the server was lost"));

    if (!m_wasOpen) {
        const QString error =
            describeConnectionError(m_profile.address.webSocket, m_socket.errorString(), client::Remedy::Window);
        if (isRefusal(m_socket.errorString())) {
            setStatus(ConnectionStatus::State::Refused, error);
            return;
        }
        scheduleReconnect(error);
        return;
    }
    const QString reason = m_socket.closeReason();
    scheduleReconnect(tr("the connection was lost (code %1%2)")
                          .arg(int(m_socket.closeCode()))
                          .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

void RemoteSource::scheduleReconnect(const QString &why)
{
    m_backoffMs = m_backoffMs == 0 ? firstBackoffMs : std::min(maxBackoffMs, m_backoffMs * 2);
    setStatus(ConnectionStatus::State::Reconnecting,
              tr("reconnecting in %1 s: %2").arg(double(m_backoffMs) / 1000, 0, 'f', 1).arg(why));
    m_reconnect.start(m_backoffMs);
}

void RemoteSource::onTextMessage(const QString &message)
{
    const QByteArray frame = message.toUtf8();
    if (auto event = remote::parseEventFrame(frame)) {
        routeEvent(*event);
        return;
    }
    const QJsonObject object = QJsonDocument::fromJson(frame).object();
    const QString status = object.value(QStringLiteral("status")).toString();
    const bool subscribeAnswer = client::isSubscriptionAnswer(object);
    if (subscribeAnswer || (status == u"error" && m_subscribesUnanswered > 0)) {
        // Answers come in request order and travels wait for the subscribes: this one answers a
        // subscribe, and an error here is a refused subscribe, not a failed travel.
        if (status == u"error")
            Q_EMIT noticed(tr("the server refused a subscribe: %1 %2")
                               .arg(object.value(QStringLiteral("error")).toString(),
                                    object.value(QStringLiteral("message")).toString()));
        else
            noteEpoch(object.value(QStringLiteral("organization_id")).toString(),
                      object.value(QStringLiteral("epoch")).toString().toLatin1());
        answerSubscribe();
        return;
    }
    if (status == u"travel_complete")
        onTravelAck(object);
    else if (status == u"error")
        onErrorFrame(object);
}

void RemoteSource::routeEvent(const LiveEvent &event)
{
    ++m_received;
    ++m_receivedPerChannel[event.channel];
    QList<LiveEvent> out;
    if (m_inFlight && m_inFlight->channel == event.channel) {
        ++m_inFlight->received;
        if (m_inFlight->requestId != 0) {
            PendingReplay &replay = m_replays[m_inFlight->requestId];
            if (!replay.seen.contains({event.channel, event.event.seq})) {
                replay.seen.insert({event.channel, event.event.seq});
                replay.result.events.append(event);
            }
            return; // shown live, if at all, when the replay is done (finishReplay)
        }
    }
    if (!m_subscriptions.contains(event.channel))
        return;
    if (m_firstAfterReconnect.remove(event.channel) && !m_epochs.contains(event.channel) &&
        event.event.seq <= m_sequencer.lastSeq(event.channel))
        restartHistory(event.channel, tr("its seqs went back to %1 after the reconnect").arg(event.event.seq));
    m_sequencer.accept(event, out);
    show(std::move(out));
}

void RemoteSource::noteEpoch(const QString &channel, const QByteArray &epoch)
{
    if (epoch.isEmpty() || channel.isEmpty())
        return;
    const QByteArray known = std::exchange(m_epochs[channel], epoch);
    if (!known.isEmpty() && known != epoch)
        restartHistory(channel, tr("its history epoch changed"));
}

void RemoteSource::restartHistory(const QString &channel, const QString &why)
{
    QList<LiveEvent> out;
    m_sequencer.restartHistory(
        channel,
        tr("RESTART: the server began a new history of %1 at %2 (%3); seqs start again below, the rows above are "
           "from before")
            .arg(channel, QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), why),
        out);
    show(std::move(out));
    // The catch-up not sent yet reads the new history from its start, not after the old last seq.
    for (TravelJob &job : m_travelQueue)
        if (job.requestId == 0 && job.channel == channel)
            job.window.sinceSeq = 0;
}

void RemoteSource::startCatchUp(const QString &channel, qint64 afterSeq)
{
    m_sequencer.beginCatchUp(channel);
    m_travelQueue.push_back({0, channel, {afterSeq, std::nullopt, catchUpPage}, 0});
}

void RemoteSource::sendSubscribe(const QString &channel)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(client::subscriptionRequest(channel, true)).toJson(QJsonDocument::Compact)));
    ++m_subscribesUnanswered;
    // A server that does not answer subscribes (the spec does not require it) holds travels this long.
    m_subscribeWait.start(subscribeAnswerWaitMs);
}

void RemoteSource::answerSubscribe()
{
    if (m_subscribesUnanswered > 0 && --m_subscribesUnanswered == 0) {
        m_subscribeWait.stop();
        sendNextTravel();
    }
}

void RemoteSource::sendNextTravel()
{
    // A travel waits for the subscribes before it, so an error frame is never mistaken for its answer.
    if (m_inFlight || m_travelQueue.empty() || m_subscribesUnanswered > 0 ||
        m_status.state != ConnectionStatus::State::Connected)
        return;
    m_inFlight = m_travelQueue.front();
    m_travelQueue.pop_front();
    if (m_inFlight->requestId == 0)
        ++m_catchUpTravels;
    m_socket.sendTextMessage(QString::fromUtf8(travelMessage(m_inFlight->channel, m_inFlight->window)));
}

void RemoteSource::onTravelAck(const QJsonObject &ack)
{
    if (!m_inFlight)
        return;
    const TravelJob job = *std::exchange(m_inFlight, std::nullopt);
    const remote::TravelAck parsed = remote::parseTravelAck(ack);
    for (const TravelChannelRange &range : parsed.channels)
        noteEpoch(range.channel, range.epoch);
    if (job.requestId == 0) {
        if (const auto next = client::travel_paging::nextPageAfter(
                ack, job.received, job.window.limit.value_or(catchUpPage), m_sequencer.lastSeq(job.channel))) {
            // More than a page was missed: the next page starts where this one ended.
            m_travelQueue.push_front({0, job.channel, {*next, std::nullopt, catchUpPage}, 0});
        } else {
            QString reason = tr("the server did not send them");
            for (const TravelChannelRange &range : parsed.channels)
                if (range.channel == job.channel && range.gap)
                    reason = tr("the server no longer has them (its buffer starts at seq %1)")
                                 .arg(range.oldestSeq.value_or(0));
            QList<LiveEvent> out;
            m_sequencer.endCatchUp(job.channel, reason, out);
            show(std::move(out));
        }
    } else {
        PendingReplay &replay = m_replays[job.requestId];
        replay.result.truncated = replay.result.truncated || parsed.truncated;
        bool ranged = false;
        for (const TravelChannelRange &range : parsed.channels)
            if (range.channel == job.channel) {
                replay.result.channels.append(range);
                ranged = true;
            }
        if (!ranged) // a plain server says nothing of what it retains
            replay.result.channels.append({job.channel, std::nullopt, std::nullopt, false, {}});
        finishReplayJob(job, QString());
    }
    sendNextTravel();
}

void RemoteSource::onErrorFrame(const QJsonObject &error)
{
    if (m_inFlight && client::travel_paging::isRateLimited(error)) {
        // Asked too often (a long catch-up is many pages): the same travel again once the server's
        // per-connection bucket has refilled, as the command line does.
        m_travelQueue.push_front(*std::exchange(m_inFlight, std::nullopt));
        QTimer::singleShot(client::travel_paging::rateLimitRetryMs, this, &RemoteSource::sendNextTravel);
        return;
    }
    const QString text =
        tr("the server answered %1: %2")
            .arg(error.value(QStringLiteral("error")).toString(), error.value(QStringLiteral("message")).toString());
    if (!m_inFlight) {
        Q_EMIT noticed(text);
        return;
    }
    // Answers come in request order, so the error is the answer to the travel on the wire.
    const TravelJob job = *std::exchange(m_inFlight, std::nullopt);
    if (job.requestId == 0) {
        QList<LiveEvent> out;
        m_sequencer.endCatchUp(job.channel, text, out);
        show(std::move(out));
    } else {
        finishReplayJob(job, text);
    }
    sendNextTravel();
}

void RemoteSource::finishReplayJob(const TravelJob &job, const QString &error)
{
    auto it = m_replays.find(job.requestId);
    if (it == m_replays.end())
        return;
    if (!error.isEmpty()) {
        // One failed part fails the replay; its other parts are dropped when they finish.
        m_replays.erase(it);
        Q_EMIT travelFailed(job.requestId, error);
        return;
    }
    if (--it->jobsLeft > 0)
        return;
    finishReplay(job.requestId, m_replays.take(job.requestId));
}

void RemoteSource::finishReplay(int requestId, PendingReplay replay)
{
    TravelResult &result = replay.result;
    // The engine's order for several channels: (ts_ms, channel, seq).
    std::sort(result.events.begin(), result.events.end(), [](const ChannelEvent &a, const ChannelEvent &b) {
        return std::tie(a.event.tsMs, a.channel, a.event.seq) < std::tie(b.event.tsMs, b.channel, b.event.seq);
    });
    const qint64 limit = replay.window.limit.value_or(catchUpPage);
    result.effectiveLimit = limit;
    result.matched = result.events.size();
    if (result.events.size() > limit) {
        result.truncated = true;
        const bool newest = !replay.window.sinceSeq && !replay.window.sinceTsMs;
        result.events = newest ? result.events.mid(result.events.size() - limit) : result.events.first(limit);
    }
    // What the live view missed of its channels while the replay ran was sent in the replay.
    QList<LiveEvent> out;
    for (const ChannelEvent &event : std::as_const(result.events))
        if (m_subscriptions.contains(event.channel) && m_sequencer.lastSeq(event.channel) > 0)
            m_sequencer.accept(event, out);
    show(std::move(out));
    Q_EMIT travelFinished(requestId, result);
}

int RemoteSource::travel(const QStringList &channels, const TravelWindow &window)
{
    const int id = m_nextRequestId++;
    const QStringList names = channels.isEmpty() ? m_subscriptions : channels;
    TravelWindow capped = window;
    capped.limit = std::clamp<qint64>(window.limit.value_or(catchUpPage), 1, maxLimit);
    PendingReplay &replay = m_replays[id];
    replay.jobsLeft = int(names.size());
    replay.window = capped;
    for (const QString &channel : names)
        m_travelQueue.push_back({id, channel, capped, 0});
    sendNextTravel();
    return id;
}

void RemoteSource::subscribe(const QString &channel)
{
    const QString name = channel.trimmed();
    if (name.isEmpty() || m_subscriptions.contains(name))
        return;
    m_subscriptions.append(name);
    if (m_status.isUp())
        sendSubscribe(name);
    if (m_schemaChangesSeen > 0)
        fetchSchemaChanges(name);
}

void RemoteSource::fetchSchemaChanges(const QString &channel)
{
    const QString path = QStringLiteral("/channels/%1/schema").arg(QString::fromLatin1(QUrl::toPercentEncoding(channel)));
    QNetworkReply *reply = m_network.get(request(path));
    connect(reply, &QNetworkReply::finished, this, [this, channel, reply] {
        reply->deleteLater();
        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
            return; // an older CDC Scope, a token that may not read it: no markers, as before
        for (const SchemaNote &note : remote::parseSchemaNotes(channel, reply->readAll())) {
            const QString key = note.channel + u'\n' + QString::number(note.seq) + u'\n' + note.table;
            if (m_schemaNotesKnown.contains(key))
                continue;
            m_schemaNotesKnown.insert(key);
            m_snapshot.schemaChanges.append(note); // said with the next snapshot, as the engine's are
        }
    });
}

void RemoteSource::publish(const PublishBatch &batch)
{
    QList<client::OutgoingPayload> events;
    for (const NewEvent &event : batch)
        events.append({event.channel, event.payload});
    QNetworkRequest post = request(QStringLiteral("/events"));
    post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network.post(post, client::publishBody(events));
    connect(reply, &QNetworkReply::finished, this, [this, reply, sent = events.size()] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            Q_EMIT published({}, describeConnectionError(reply->url(), reply->errorString(), client::Remedy::Window));
            return;
        }
        auto answer = client::readPublishAnswer(status, reply->readAll(), sent);
        if (const auto *error = std::get_if<QString>(&answer))
            Q_EMIT published({}, *error);
        else
            Q_EMIT published(std::get<QList<AppendReceipt>>(answer), QString());
    });
}

void RemoteSource::disconnectClient(quint64 sessionId)
{
    QNetworkReply *reply = m_network.deleteResource(request(QStringLiteral("/clients/%1").arg(sessionId)));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300)
            Q_EMIT noticed(
                tr("Not disconnected: %1")
                    .arg(status == 0 ? reply->errorString() : client::describeHttpError(status, reply->readAll())));
        else
            poll();
    });
}

void RemoteSource::orderBackfill(const QString &table, BackfillCommand command)
{
    // The server's own endpoints (docs/protocol.md): a "monitor" token may order them.
    const QString base = QStringLiteral("/sources/postgres/backfills");
    const QString escaped = QString::fromLatin1(QUrl::toPercentEncoding(table));
    QString path = base;
    QByteArray body;
    switch (command) {
    case BackfillCommand::Start:
        body = QJsonDocument(QJsonObject{{QStringLiteral("table"), table}}).toJson(QJsonDocument::Compact);
        break;
    case BackfillCommand::Pause: path = base + u'/' + escaped + QStringLiteral("/pause"); break;
    case BackfillCommand::Resume: path = base + u'/' + escaped + QStringLiteral("/resume"); break;
    case BackfillCommand::Cancel: path = base + u'/' + escaped + QStringLiteral("/cancel"); break;
    }
    QNetworkRequest post = request(path);
    post.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = m_network.post(post, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300)
            Q_EMIT noticed(tr("Backfill refused: %1")
                               .arg(status == 0 ? reply->errorString() : client::describeHttpError(status, reply->readAll())));
        else
            poll();
    });
}

void RemoteSource::requestEventTimes(const QString &channel)
{
    if (m_isCdcScope != true) {
        Q_EMIT eventTimesArrived(channel, {}); // an athena server measures nothing of the kind
        return;
    }
    const QString path =
        QStringLiteral("/channels/%1/latency").arg(QString::fromLatin1(QUrl::toPercentEncoding(channel)));
    QNetworkReply *reply = m_network.get(request(path));
    connect(reply, &QNetworkReply::finished, this, [this, channel, reply] {
        reply->deleteLater();
        const bool answered = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
        // Not answered (an older CDC Scope, a refusal): as good as no times.
        Q_EMIT eventTimesArrived(channel, answered ? remote::parseEventTimes(reply->readAll()) : QList<EventTiming>{});
    });
}

QNetworkRequest RemoteSource::request(const QString &path) const
{
    QNetworkRequest request(m_profile.address.httpEndpoint(path));
    if (!m_profile.profile.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_profile.profile.token);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_profile.caCertificates.isEmpty())
        ssl.addCaCertificates(m_profile.caCertificates);
    request.setSslConfiguration(ssl);
    request.setTransferTimeout(httpTimeoutMs);
    return request;
}

QNetworkReply *RemoteSource::get(const QString &path)
{
    ++m_pollsOutstanding;
    QNetworkReply *reply = m_network.get(request(path));
    connect(reply, &QNetworkReply::finished, this, [this, path, reply] { onPollAnswer(path, reply); });
    return reply;
}

void RemoteSource::poll()
{
    if (m_pollsOutstanding > 0)
        return; // a slow server gets no pile of polls
    if (m_isCdcScope == false) {
        emitSnapshot();
        return;
    }
    get(QStringLiteral("/channels"));
    if (m_isCdcScope == true) {
        get(QStringLiteral("/clients"));
        get(QStringLiteral("/health"));
        get(QStringLiteral("/cluster"));
    }
}

void RemoteSource::onPollAnswer(const QString &path, QNetworkReply *reply)
{
    reply->deleteLater();
    --m_pollsOutstanding;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    SourceOffers offers = m_offers;
    const bool firstAnswer = !m_isCdcScope.has_value();
    if (path == u"/channels") {
        if (status == 200) {
            m_isCdcScope = true;
            m_snapshot.channels = remote::parseChannels(body);
            offers.bufferDepth = true;
            if (m_profile.profile.followAllChannels)
                for (const ChannelStats &channel : std::as_const(m_snapshot.channels))
                    if (m_subscriptions.size() < maxFollowedChannels)
                        subscribe(channel.id);
        } else if (status == 404 || status == 405) {
            m_isCdcScope = false;
            offers = {false, false, false, false,
                      tr("%1 offers the protocol only (/ws and POST /events); buffer depth, clients and sources need "
                         "a CDC Scope server")
                          .arg(m_profile.address.http.authority())};
        } else if (status != 0) {
            offers.bufferDepth = false;
            offers.missingReason = client::describeHttpError(status, body);
        }
    } else if (path == u"/clients") {
        offers.clients = status == 200;
        m_snapshot.clients = status == 200 ? remote::parseClients(body) : QList<ClientStats>{};
        if (status == 403)
            offers.missingReason = tr("the client list needs a token with the monitor right (%1)")
                                       .arg(client::describeHttpError(status, body));
    } else if (path == u"/health") {
        offers.sources = status == 200;
        if (status == 200) {
            m_snapshot.sources = remote::parseHealthSources(body);
            const QJsonObject health = QJsonDocument::fromJson(body).object();
            m_snapshot.storeEvents = health.value(QStringLiteral("events")).toInteger();
            m_snapshot.storeBytes = health.value(QStringLiteral("bytes")).toInteger();
            // The server noted schema changes since the last look: the followed channels' lists.
            const qint64 schemaChanges = health.value(QStringLiteral("schema_changes")).toInteger();
            if (schemaChanges != m_schemaChangesSeen) {
                m_schemaChangesSeen = schemaChanges;
                for (const QString &channel : std::as_const(m_subscriptions))
                    fetchSchemaChanges(channel);
            }
        }
    } else if (path == u"/cluster") {
        m_snapshot.cluster = status == 200 ? remote::parseClusterMembers(body) : QList<ClusterMember>{};
    }
    if (offers.bufferDepth && offers.clients && offers.sources)
        offers.missingReason.clear();
    setOffers(offers);
    if (m_pollsOutstanding == 0) {
        emitSnapshot();
        if (firstAnswer && m_isCdcScope == true)
            poll(); // the first answer said CDC Scope: ask the rest now, not in a second
    }
}

void RemoteSource::emitSnapshot()
{
    const double seconds = std::max(0.001, double(m_sincePreviousSnapshot.restart()) / 1000);
    m_snapshot.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    if (m_isCdcScope != true) {
        // Nothing but the events tell what a plain server has: the channels seen, their last seq.
        m_snapshot.channels.clear();
        QStringList names = m_receivedPerChannel.keys();
        for (const QString &channel : std::as_const(m_subscriptions))
            if (!names.contains(channel))
                names.append(channel);
        names.sort();
        for (const QString &name : std::as_const(names)) {
            ChannelStats stats;
            stats.id = name;
            stats.lastSeq = m_sequencer.lastSeq(name);
            m_snapshot.channels.append(stats);
        }
        m_snapshot.eventsIn = m_received;
        m_snapshot.deliveriesOut = m_received;
    } else {
        qint64 in = 0;
        for (const ChannelStats &channel : std::as_const(m_snapshot.channels))
            in += channel.lastSeq;
        qint64 out = 0;
        for (const ClientStats &client : std::as_const(m_snapshot.clients))
            out += client.eventsSent;
        m_snapshot.eventsIn = in;
        m_snapshot.deliveriesOut = m_offers.clients ? out : m_received;
    }
    for (ChannelStats &channel : m_snapshot.channels) {
        const qint64 count = m_isCdcScope == true ? channel.lastSeq : m_receivedPerChannel.value(channel.id);
        const qint64 previous = m_previousCount.value(channel.id, count);
        channel.eventsPerSecond = double(std::max<qint64>(0, count - previous)) / seconds;
        m_previousCount.insert(channel.id, count);
    }
    Q_EMIT snapshotTaken(m_snapshot);
    m_snapshot.schemaChanges.clear(); // said once
}

void RemoteSource::setOffers(const SourceOffers &offers)
{
    const bool changed = offers.bufferDepth != m_offers.bufferDepth || offers.clients != m_offers.clients ||
                         offers.sources != m_offers.sources || offers.missingReason != m_offers.missingReason;
    m_offers = offers;
    if (changed)
        Q_EMIT offersChanged(m_offers);
}

void RemoteSource::setStatus(ConnectionStatus::State state, const QString &text)
{
    m_status.state = state;
    m_status.text = text;
    Q_EMIT statusChanged(m_status);
    // Refused before the server ever answered: the views it would fill say why they stay empty,
    // not that an answer is on its way.
    if (state == ConnectionStatus::State::Refused && !m_isCdcScope) {
        SourceOffers refused = m_offers;
        refused.missingReason = tr("the connection was refused (%1)").arg(text);
        setOffers(refused);
    }
}

void RemoteSource::show(QList<LiveEvent> events)
{
    if (events.isEmpty())
        return;
    m_shown.append(std::move(events));
    if (!m_flush.isActive())
        m_flush.start(flushIntervalMs);
}

void RemoteSource::flushShown()
{
    Q_EMIT eventsArrived(std::exchange(m_shown, {}));
}

} // namespace cdc
