#pragma once

#include "RedisEndpoint.h"
#include "RedisReply.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

struct redisReader;

namespace cdc {

// One connection to Redis on the engine's event loop. Qt does the transport (TCP, TLS, Unix
// socket); hiredis does the protocol (redisFormatCommandArgv, redisReader), so a RESP detail is
// never ours to get wrong. Commands are pipelined: each callback runs once, in the order sent,
// with the reply or an error reply when the connection is lost or Redis does not answer within
// the command timeout (the connection is then dropped: a frozen Redis fails callers fast).
//
// A connection that subscribes is a Pub/Sub connection from then on: what Redis pushes goes to
// the push handler, and it sends nothing else.
class RedisConnection : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const RedisReply &)>;
    using Args = QList<QByteArray>;

    RedisConnection(RedisEndpoint endpoint, QString name, QObject *parent = nullptr);
    ~RedisConnection() override;

    // Connects, authenticates, selects the database and names itself; ready() or lost() follows.
    void open();
    bool isReady() const { return m_ready; }
    void send(const Args &args, Callback callback);

    // Hands what is written to the kernel now, for a last command before the process exits.
    void flush();

    void setPushHandler(std::function<void(const RedisReply &)> handler) { m_pushHandler = std::move(handler); }
    void subscribe(const QList<QByteArray> &channels);
    void unsubscribe(const QList<QByteArray> &channels);

    void setCommandTimeout(int ms) { m_commandTimeoutMs = ms; }
    const RedisEndpoint &endpoint() const { return m_endpoint; }

Q_SIGNALS:
    void ready();
    // The connection is gone (or never came): every pending callback has had its error already.
    void lost(const QString &reason);

private:
    void write(const Args &args);
    void onConnected();
    void onReadable();
    void fail(const QString &reason);
    void checkDeadline();

    RedisEndpoint m_endpoint;
    QString m_name;
    std::unique_ptr<QIODevice> m_device;
    std::unique_ptr<redisReader, void (*)(redisReader *)> m_reader;
    struct Pending
    {
        Callback callback;
        qint64 sentAtMs;
    };
    std::deque<Pending> m_pending;
    std::function<void(const RedisReply &)> m_pushHandler;
    bool m_ready = false;
    bool m_subscribed = false;
    int m_commandTimeoutMs = 5000;
    QElapsedTimer m_clock;
    QTimer m_deadline;
};

} // namespace cdc
