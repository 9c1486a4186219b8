#pragma once

#include "LiveSequencer.h"
#include "MonitorSource.h"
#include "RemoteProfile.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QWebSocket>

#include <deque>

class QNetworkReply;

namespace cdc {

// A remote server as a window's source, over its public protocol only: the WebSocket (/ws) for
// live events and travel, HTTP for publishing (POST /events) and, when the server is a CDC Scope,
// for what it shows besides (GET /channels, /clients, /health, /cluster, polled each second). An
// athena server or any other server of the protocol offers the WebSocket and POST /events alone;
// the window then builds its channel list from the events it sees.
//
// A dropped connection is reopened with backoff; each channel then travels from the last seq the
// window showed (LiveSequencer), so the live view continues with no gap and no duplicate, and what
// the server no longer has is marked. Travel acks carry no request id, so travels go one at a time,
// each after the answers to the subscribes sent before it.
class RemoteSource : public MonitorSource
{
    Q_OBJECT

public:
    explicit RemoteSource(ResolvedProfile profile, QObject *parent = nullptr);
    ~RemoteSource() override;

    void open();

    QString title() const override { return m_profile.profile.name; }
    SourceOffers offers() const override { return m_offers; }
    ConnectionStatus status() const override { return m_status; }
    qint64 maxTravelLimit() const override { return maxLimit; }

    void publish(const PublishBatch &batch) override;
    int travel(const QStringList &channels, const TravelWindow &window) override;
    void subscribe(const QString &channel) override;
    void disconnectClient(quint64 sessionId) override;
    void requestEventTimes(const QString &channel) override;
    void orderBackfill(const QString &table, BackfillCommand command) override;

    QStringList subscriptions() const { return m_subscriptions; }
    const LiveSequencer &sequencer() const { return m_sequencer; }
    // Catch-up travels sent after reconnecting, and the events they brought back.
    qint64 catchUpTravels() const { return m_catchUpTravels; }
    // Subscribes sent and not answered yet (the server says "subscribed" to each, in order).
    int subscribesUnanswered() const { return m_subscribesUnanswered; }

    // The protocol's cap on a travel's limit (spec: at most 50 000).
    static constexpr qint64 maxLimit = 50'000;

private:
    // One travel on the wire: a window's replay of one channel (part of request `requestId`), or a
    // reconnect's catch-up of one channel (requestId 0).
    struct TravelJob
    {
        int requestId = 0;
        QString channel;
        TravelWindow window;
        qint64 received = 0;
    };
    // A window's replay, possibly of several channels, collected until its last job is done.
    struct PendingReplay
    {
        int jobsLeft = 0;
        TravelWindow window;
        TravelResult result;
        QSet<QPair<QString, qint64>> seen;
    };

    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &message);
    void onTravelAck(const QJsonObject &ack);
    void onErrorFrame(const QJsonObject &error);
    void routeEvent(const LiveEvent &event);
    void startCatchUp(const QString &channel, qint64 afterSeq);
    // A subscribe answer or a travel ack named the channel's history epoch: a new one means the
    // server began its seqs again (restartHistory).
    void noteEpoch(const QString &channel, const QByteArray &epoch);
    void restartHistory(const QString &channel, const QString &why);
    void sendSubscribe(const QString &channel);
    // GET /channels/{id}/schema: its schema changes, each said once in a snapshot (the markers).
    void fetchSchemaChanges(const QString &channel);
    void answerSubscribe();
    void sendNextTravel();
    void finishReplayJob(const TravelJob &job, const QString &error);
    void finishReplay(int requestId, PendingReplay replay);
    void scheduleReconnect(const QString &why);
    void setStatus(ConnectionStatus::State state, const QString &text);
    void show(QList<LiveEvent> events);
    void flushShown();

    void poll();
    QNetworkReply *get(const QString &path);
    QNetworkRequest request(const QString &path) const;
    void onPollAnswer(const QString &path, QNetworkReply *reply);
    void emitSnapshot();
    void setOffers(const SourceOffers &offers);

    ResolvedProfile m_profile;
    QWebSocket m_socket;
    QNetworkAccessManager m_network;
    ConnectionStatus m_status;
    SourceOffers m_offers;
    QStringList m_subscriptions;
    qint64 m_schemaChangesSeen = 0;   // the server's count of schema changes at the last look
    QSet<QString> m_schemaNotesKnown; // those already said: channel, seq, table
    LiveSequencer m_sequencer;
    bool m_wasOpen = false;
    bool m_closing = false;
    int m_backoffMs = 0;
    QTimer m_reconnect;

    QHash<QString, QByteArray> m_epochs; // by channel, as the server last named them
    // Channels whose first live event since a reconnect is still to come: from a server that names
    // no epoch (athena), a seq not past what was shown means it began again.
    QSet<QString> m_firstAfterReconnect;
    std::deque<TravelJob> m_travelQueue;
    std::optional<TravelJob> m_inFlight;
    QHash<int, PendingReplay> m_replays;
    int m_nextRequestId = 1;
    qint64 m_catchUpTravels = 0;
    int m_subscribesUnanswered = 0;
    QTimer m_subscribeWait; // for servers that never answer a subscribe

    QList<LiveEvent> m_shown; // batched: the view gets them at most every 50 ms
    QTimer m_flush;

    // What the HTTP API said at the last poll, and what the window counted itself.
    QTimer m_poll;
    int m_pollsOutstanding = 0;
    std::optional<bool> m_isCdcScope; // unknown until GET /channels answered
    EngineSnapshot m_snapshot;
    QHash<QString, qint64> m_receivedPerChannel;
    QHash<QString, qint64> m_previousCount; // for events/s: last snapshot's count per channel
    qint64 m_received = 0;
    QElapsedTimer m_sincePreviousSnapshot;
};

} // namespace cdc
