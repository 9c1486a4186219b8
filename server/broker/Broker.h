#pragma once

#include "cluster/ClusterMember.h"
#include "protocol/PublishRequest.h"
#include "store/Receipts.h"
#include "store/TravelQuery.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <optional>

namespace cdc {

class JsonWriter;

// Where a source stands upstream after the events of one publish (for PostgreSQL: its database and
// slot, and the end LSN of the transaction the events complete).
struct SourceMark
{
    QString key;
    // Where the events come from upstream (PostgreSQL: their transaction's commit LSN). A store whose
    // position for this source is already past it holds them: they are answered as replayed, even
    // when their idempotency answer has been forgotten since. 0: not known.
    qint64 origin = 0;
    // The position the events complete; none for a part of a larger run (a large transaction).
    std::optional<qint64> position;
    // A part of a larger run: who is writing it, for the refusal other publishers get while it lasts
    // (a store that can promise consecutive seqs holds the run's channels until its last part).
    QString partOf;
    // Kept with the position (a backfill's next key and counts); read back with sourceDetail(). A
    // mark with a detail is a record beside the source's stream: it ends no run.
    QByteArray detail;
};

// What a publish asks beyond its events.
struct PublishOptions
{
    // A retry with the same key gets the first answer and stores nothing; the key is already scoped
    // by the caller (per token, per source). Empty: none.
    QByteArray idempotencyKey;
    // Of what was published under the key; another body under it is refused. Empty with a key: the
    // broker takes publishFingerprint(batch), and only when it needs one (a SHA-256 of every payload
    // costs a source of 100-row transactions a tenth of the engine thread).
    QByteArray fingerprint;
    bool isBatch = true;    // the answer's shape, kept with the key
    std::optional<SourceMark> source;
};

// Why a publish was not stored, as HTTP says it (the command line and the window read the same).
struct PublishRefusal
{
    int httpStatus = 503;
    QString code;
    QString message;
    QString hint;
    int retryAfterSeconds = 0; // 0: no Retry-After

    // "HTTP 429 too_many_channels: … (publish to existing channels, …)": how every client of ours
    // says a refusal — the command line, the window on its own engine and on a remote one
    // (client/HttpErrorText reads a server's JSON answer into this).
    QString describe() const;
};

struct PublishOutcome
{
    QList<AppendReceipt> receipts; // in the batch's order
    bool replayed = false;         // answered from an earlier publish with the same key
    std::optional<PublishRefusal> refusal;
};

// The instances that share the channels, for GET /cluster.
struct Membership
{
    QString instance;
    QString store; // where the channels live, for people ("redis://host:6379/0")
    bool up = false;
    QList<ClusterMember> members;
};

// The store of record behind the engine: where a publish is sequenced and kept, where history is
// read, and which channels this instance follows (centrifuge's Broker is the model). LocalBroker
// keeps everything in this process (journal or memory); RedisBroker keeps it in Redis and this
// instance's EventStore is a window onto it. The hub, the HTTP API, the sources and the window's
// engine worker hold a Broker& and never ask which one they have.
//
// Lives on the engine thread; every callback runs there.
class Broker : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Gets ready to take publishes (Redis: connects, checks persistence, loads scripts), blocking at
    // most `timeoutMs`; false with the reason when it cannot.
    virtual bool start(int timeoutMs, QString *errorMessage) = 0;
    // The server listens at `url` and serves `clientCount()` clients; `watched(channel)` says whether
    // anyone subscribes. Called once the port is open.
    struct Serving
    {
        QString url;
        std::function<int()> clientCount;
        std::function<bool(const QString &channel)> watched;
    };
    virtual void serve(const Serving &serving) = 0;
    // The server stops: says goodbye to whoever shares the channels.
    virtual void leave() = 0;

    // Stores `batch` whole or not at all; `done` runs once it is durable (journal committed, Redis
    // acknowledged), or refused, with nothing stored.
    using PublishDone = std::function<void(const PublishOutcome &)>;
    virtual void publish(const PublishBatch &batch, const PublishOptions &options, PublishDone done) = 0;

    // History: the events of `channels` in `window`, as far as the store of record holds them.
    // `done` may run before this returns. The events own their bytes.
    using TravelDone = std::function<void(const TravelResult &)>;
    virtual void travel(const QStringList &channels, const TravelWindow &window, const TravelLimits &limits,
                        TravelDone done) = 0;

    // Keeps this instance's window of `channel` current from now on (a client subscribed).
    virtual void track(const QString &channel) = 0;
    // The epoch of `channel`'s seq history (docs/protocol.md, "History epochs"): a new one means
    // seqs began again. Empty while unknown (a channel Redis has not answered for yet).
    virtual QByteArray epoch(const QString &channel) const = 0;

    // The source `sourceKey` stopped in the middle of a run (SourceMark::partOf): whatever it held
    // is free again.
    virtual void endRun(const QString &sourceKey) = 0;
    // Where a source stood after what it last stored (SourceMark); 0 if unknown.
    virtual qint64 sourcePosition(const QString &key) const = 0;
    virtual QHash<QString, qint64> sourcePositions() const = 0;
    // What the source kept with its position (SourceMark::detail); empty if nothing.
    virtual QByteArray sourceDetail(const QString &key) const = 0;
    // Whether other instances publish into the same channels (a replication slot held elsewhere is
    // then another instance's, not a stuck connection of ours).
    virtual bool isShared() const = 0;

    // Why publishes are refused now (a full disk, Redis down); empty while accepting.
    virtual QString problem() const = 0;
    // Its part of GET /health.
    virtual void writeHealth(JsonWriter &writer) const = 0;
    // GET /cluster: the instances sharing the channels; none when alone.
    virtual std::optional<Membership> membership() const = 0;

Q_SIGNALS:
    // problem() changed.
    void stateChanged();
};

// SHA-256 over each event's channel and payload, in order: a batch's fingerprint when its publisher
// gave none (PublishOptions::fingerprint).
QByteArray publishFingerprint(const PublishBatch &batch);

// The refusals every broker gives in the same words.
namespace refusals {
PublishRefusal tooManyChannels(const QString &why);
PublishRefusal idempotencyKeyReused();
PublishRefusal storeUnavailable(const QString &why);
} // namespace refusals

} // namespace cdc
