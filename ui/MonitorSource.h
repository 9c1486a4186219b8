#pragma once

#include "host/MonitorTypes.h"
#include "protocol/PublishRequest.h"
#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QObject>
#include <QUrl>

namespace cdc {

// What a source offers beyond live events, travel and publish (which every source has). The window
// shows a view only when its source offers what the view needs, and otherwise says why not.
struct SourceOffers
{
    bool bufferDepth = false;   // per channel: retained events and bytes, subscribers (GET /channels)
    bool clients = false;       // connected clients and the disconnect action (GET/DELETE /clients)
    bool sources = false;       // upstream sources such as PostgreSQL (GET /health)
    bool engineControl = false; // settings, listen port, export and import: the embedded engine only
    QString missingReason;      // why the rest is not offered, in one sentence
};

// Where the window is connected, in the status bar's words.
struct ConnectionStatus
{
    enum class State { Connecting, Connected, Reconnecting, Refused, NotListening };

    State state = State::Connecting;
    QUrl url;     // the WebSocket URL
    QString text; // "connected", "reconnecting in 4 s: …", the server's reason for a refusal

    bool isUp() const { return state == State::Connected; }
};

// The one interface the window's views read: the embedded engine (EmbeddedSource) or a remote
// server over its public protocol (RemoteSource). Every call returns at once; answers come as signals.
class MonitorSource : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // "This computer", or the connection's name.
    virtual QString title() const = 0;
    virtual SourceOffers offers() const = 0;
    virtual ConnectionStatus status() const = 0;
    // The largest travel limit the source accepts.
    virtual qint64 maxTravelLimit() const = 0;

    // Answered by published(): the assigned seqs, or why not.
    virtual void publish(const PublishBatch &batch) = 0;
    // Answered by travelFinished() with the id returned here. `channels` empty: every channel.
    virtual int travel(const QStringList &channels, const TravelWindow &window) = 0;
    // Adds a channel to the live view (a remote connection subscribes to it; the embedded engine shows all).
    virtual void subscribe(const QString &channel) = 0;
    virtual void disconnectClient(quint64 sessionId) = 0;
    // Answered by eventTimesArrived(): the channel's last events' times (an athena server has none).
    virtual void requestEventTimes(const QString &channel) = 0;
    // A backfill of the PostgreSQL source (docs/postgres.md): started for `table`, or the one of
    // `table` paused, resumed or cancelled. A refusal comes as noticed(); progress with the sources.
    enum class BackfillCommand { Start, Pause, Resume, Cancel };
    virtual void orderBackfill(const QString &table, BackfillCommand command) = 0;

Q_SIGNALS:
    void eventsArrived(const QList<cdc::LiveEvent> &events);
    void snapshotTaken(const cdc::EngineSnapshot &snapshot);
    void published(const QList<cdc::AppendReceipt> &receipts, const QString &error);
    void travelFinished(int requestId, const cdc::TravelResult &result);
    void eventTimesArrived(const QString &channel, const QList<cdc::EventTiming> &events);
    // The travel could not be run (refused, or the connection went); no travelFinished() follows.
    void travelFailed(int requestId, const QString &error);
    // Something the user should read in the status bar (a refused subscribe or disconnect).
    void noticed(const QString &text);
    void statusChanged(const cdc::ConnectionStatus &status);
    void offersChanged(const cdc::SourceOffers &offers);
};

} // namespace cdc
