#include "RedisConnection.h"

#include "Logging.h"

#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

#include <hiredis/hiredis.h>

#include <vector>

namespace cdc {

namespace {

RedisReply convert(const redisReply *reply)
{
    RedisReply converted;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
        converted.type = RedisReply::Type::String;
        converted.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STATUS:
        converted.type = RedisReply::Type::Status;
        converted.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        converted.type = RedisReply::Type::Error;
        converted.text = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        converted.type = RedisReply::Type::Integer;
        converted.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        converted.type = RedisReply::Type::Array;
        converted.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            converted.elements.append(convert(reply->element[i]));
        break;
    default:
        converted.type = RedisReply::Type::Nil;
    }
    return converted;
}

bool isPush(const RedisReply &reply)
{
    if (!reply.isArray() || reply.elements.isEmpty())
        return false;
    const QByteArray &kind = reply.elements.front().text;
    return kind == "message" || kind == "pmessage" || kind == "subscribe" || kind == "unsubscribe" ||
           kind == "psubscribe" || kind == "punsubscribe";
}

} // namespace

RedisConnection::RedisConnection(RedisEndpoint endpoint, QString name, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_name(std::move(name))
    , m_reader(nullptr, redisReaderFree)
{
    m_clock.start();
    m_deadline.setInterval(250);
    connect(&m_deadline, &QTimer::timeout, this, &RedisConnection::checkDeadline);
}

// Destroyed with the engine, after the API and the sessions whose callbacks are pending: they
// are dropped unanswered, never called into objects already gone.
RedisConnection::~RedisConnection()
{
    // A socket torn down may still signal; this object is half gone by then.
    if (m_device)
        m_device->disconnect(this);
}

void RedisConnection::open()
{
    m_reader.reset(redisReaderCreate());
    m_ready = false;
    m_subscribed = false;
    // Connecting counts against the command timeout too: a black-holed address fails fast.
    m_pending.push_back({[](const RedisReply &) {}, m_clock.elapsed()});
    m_deadline.start();
    // The device is in place before connecting: a Unix socket may connect within the call.
    switch (m_endpoint.transport) {
    case RedisEndpoint::Transport::Unix: {
        auto *socket = new QLocalSocket;
        m_device.reset(socket);
        connect(socket, &QIODevice::readyRead, this, &RedisConnection::onReadable);
        connect(socket, &QLocalSocket::connected, this, &RedisConnection::onConnected);
        connect(socket, &QLocalSocket::errorOccurred, this, [this, socket] { fail(socket->errorString()); });
        socket->connectToServer(m_endpoint.socketPath);
        break;
    }
    case RedisEndpoint::Transport::Tls: {
        auto *socket = new QSslSocket;
        m_device.reset(socket);
        if (!m_endpoint.caFile.isEmpty()) {
            QSslConfiguration tls = socket->sslConfiguration();
            tls.addCaCertificates(m_endpoint.caFile);
            socket->setSslConfiguration(tls);
        }
        connect(socket, &QIODevice::readyRead, this, &RedisConnection::onReadable);
        connect(socket, &QSslSocket::encrypted, this, &RedisConnection::onConnected);
        connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket] { fail(socket->errorString()); });
        socket->connectToHostEncrypted(m_endpoint.host, m_endpoint.port);
        break;
    }
    case RedisEndpoint::Transport::Tcp: {
        auto *socket = new QTcpSocket;
        m_device.reset(socket);
        connect(socket, &QIODevice::readyRead, this, &RedisConnection::onReadable);
        connect(socket, &QTcpSocket::connected, this, &RedisConnection::onConnected);
        connect(socket, &QAbstractSocket::errorOccurred, this, [this, socket] { fail(socket->errorString()); });
        socket->connectToHost(m_endpoint.host, m_endpoint.port);
        break;
    }
    }
}

void RedisConnection::onConnected()
{
    if (auto *tcp = qobject_cast<QAbstractSocket *>(m_device.get())) {
        tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        tcp->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    }
    m_pending.clear(); // the connect placeholder
    const auto refused = [this](const char *what) {
        return [this, what](const RedisReply &reply) {
            if (reply.isError())
                fail(QStringLiteral("Redis refused %1: %2").arg(QLatin1String(what), QString::fromUtf8(reply.text)));
        };
    };
    if (!m_endpoint.password.isEmpty()) {
        Args auth{QByteArrayLiteral("AUTH")};
        if (!m_endpoint.user.isEmpty())
            auth.append(m_endpoint.user.toUtf8());
        auth.append(m_endpoint.password.toUtf8());
        write(auth);
        m_pending.push_back({refused("AUTH"), m_clock.elapsed()});
    }
    if (m_endpoint.database != 0) {
        write({QByteArrayLiteral("SELECT"), QByteArray::number(m_endpoint.database)});
        m_pending.push_back({refused("SELECT"), m_clock.elapsed()});
    }
    write({QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), m_name.toUtf8()});
    m_pending.push_back({[this, refused = refused("CLIENT SETNAME")](const RedisReply &reply) {
                             refused(reply);
                             if (reply.isError() || !m_device)
                                 return;
                             m_ready = true;
                             Q_EMIT ready();
                         },
                         m_clock.elapsed()});
}

void RedisConnection::write(const Args &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    char *command = nullptr;
    const int length = redisFormatCommandArgv(&command, int(argv.size()), argv.data(), lengths.data());
    if (length > 0)
        m_device->write(command, length);
    redisFreeCommand(command);
}

void RedisConnection::send(const Args &args, Callback callback)
{
    if (!m_ready || m_subscribed)
        return callback(RedisReply::error(m_subscribed ? QByteArrayLiteral("a Pub/Sub connection sends no commands")
                                                       : QByteArrayLiteral("not connected to Redis")));
    write(args);
    m_pending.push_back({std::move(callback), m_clock.elapsed()});
}

void RedisConnection::flush()
{
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device.get()))
        socket->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_device.get()))
        local->flush();
}

void RedisConnection::subscribe(const QList<QByteArray> &channels)
{
    if (!m_ready || channels.isEmpty())
        return;
    m_subscribed = true;
    write(Args{QByteArrayLiteral("SUBSCRIBE")} + channels);
}

void RedisConnection::unsubscribe(const QList<QByteArray> &channels)
{
    if (!m_ready || channels.isEmpty())
        return;
    write(Args{QByteArrayLiteral("UNSUBSCRIBE")} + channels);
}

void RedisConnection::onReadable()
{
    const QByteArray bytes = m_device->readAll();
    if (redisReaderFeed(m_reader.get(), bytes.constData(), size_t(bytes.size())) != REDIS_OK)
        return fail(QStringLiteral("unreadable reply from Redis"));
    const QPointer<RedisConnection> alive(this);
    for (;;) {
        void *raw = nullptr;
        if (redisReaderGetReply(m_reader.get(), &raw) != REDIS_OK)
            return fail(QStringLiteral("unreadable reply from Redis: %1").arg(QString::fromUtf8(m_reader->errstr)));
        if (!raw)
            return;
        const RedisReply reply = convert(static_cast<redisReply *>(raw));
        freeReplyObject(raw);
        if (m_subscribed && isPush(reply)) {
            if (m_pushHandler)
                m_pushHandler(reply);
        } else if (!m_pending.empty()) {
            Callback callback = std::move(m_pending.front().callback);
            m_pending.pop_front();
            callback(reply);
        }
        if (!alive || !m_device)
            return;
    }
}

void RedisConnection::checkDeadline()
{
    if (m_pending.empty())
        return;
    if (m_clock.elapsed() - m_pending.front().sentAtMs > m_commandTimeoutMs)
        fail(QStringLiteral("Redis did not answer within %1 ms").arg(m_commandTimeoutMs));
}

void RedisConnection::fail(const QString &reason)
{
    if (!m_device)
        return;
    m_deadline.stop();
    m_ready = false;
    m_subscribed = false;
    // Signals of a device being torn down must not re-enter.
    m_device->disconnect(this);
    m_device.release()->deleteLater();
    const QPointer<RedisConnection> alive(this);
    const QByteArray message = reason.toUtf8();
    for (Pending &pending : std::exchange(m_pending, {})) {
        pending.callback(RedisReply::error(message));
        if (!alive)
            return;
    }
    qCDebug(lcServer).noquote() << "redis" << m_name << "lost:" << reason;
    Q_EMIT lost(reason);
}

} // namespace cdc
