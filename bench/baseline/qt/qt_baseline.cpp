// The second benchmark baseline: the CDC WebSocket protocol on Qt's own QWebSocketServer — the
// design CDC Scope was first described with, before its engine framed WebSocket itself. Plain but
// not naive, like the Node baseline: POST /events and /ws share one QTcpServer (an upgrade is handed
// to QWebSocketServer::handleConnection), each event is serialized once and that QString is sent
// to every subscriber, events are kept in memory (100 000 per channel). Not a product; bench only.
//   cdcscope-qt-baseline [--port N]     prints "listening on ws://127.0.0.1:N/ws" on stderr
#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <cstdio>
#include <deque>

namespace {

constexpr qsizetype retainPerChannel = 100'000;
constexpr qint64 defaultLimit = 10'000;
constexpr qint64 maxLimit = 50'000;

struct Event
{
    qint64 seq;
    qint64 tsMs;
    QString frame;
};

struct Channel
{
    std::deque<Event> events;
    qint64 nextSeq = 1;
    qint64 lastTsMs = 0;
    QSet<QWebSocket *> subscribers;
};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

class Baseline : public QObject
{
public:
    explicit Baseline(quint16 port)
    {
        connect(&m_webSockets, &QWebSocketServer::newConnection, this, &Baseline::onWebSocket);
        connect(&m_http, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_http.nextPendingConnection())
                onConnection(socket);
        });
        if (!m_http.listen(QHostAddress::LocalHost, port)) {
            std::fprintf(stderr, "cannot listen: %s\n", qPrintable(m_http.errorString()));
            std::exit(1);
        }
        std::fprintf(stderr, "listening on ws://127.0.0.1:%d/ws and http://127.0.0.1:%d/\n", m_http.serverPort(),
                     m_http.serverPort());
    }

private:
    void onConnection(QTcpSocket *socket)
    {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
    }

    // Keep-alive HTTP/1.1 with Content-Length bodies; an upgrade goes to QWebSocketServer unread.
    void serve(QTcpSocket *socket)
    {
        for (;;) {
            const QByteArray peeked = socket->peek(64 * 1024);
            const qsizetype headEnd = peeked.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = peeked.left(headEnd);
            const QList<QByteArray> lines = head.split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            QHash<QByteArray, QByteArray> headers;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines[i].indexOf(':');
                if (colon > 0)
                    headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            const QByteArray method = requestLine.value(0);
            const QByteArray path = requestLine.value(1);
            if (path.startsWith("/ws")) {
                if (headers.value("x-athena-client").isEmpty()) {
                    answer(socket, 400,
                           QJsonObject{{QStringLiteral("error"), QStringLiteral("Missing X-Athena-Client header")}});
                    socket->disconnectFromHost();
                    return;
                }
                socket->disconnect(this);
                m_webSockets.handleConnection(socket); // reads the handshake itself
                return;
            }
            const qint64 length = headers.value("content-length").toLongLong();
            if (socket->bytesAvailable() < headEnd + 4 + length)
                return;
            socket->skip(headEnd + 4);
            const QByteArray body = socket->read(length);
            if (method == "GET" && path == "/health")
                answer(socket, 200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
            else if (method == "POST" && path == "/events")
                publish(socket, body);
            else
                answer(socket, 404, QJsonObject{{QStringLiteral("error"), QStringLiteral("not_found")}});
        }
    }

    void answer(QTcpSocket *socket, int status, const QJsonObject &body)
    {
        const QByteArray text = compact(body);
        socket->write("HTTP/1.1 " + QByteArray::number(status) +
                      " X\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(text.size()) +
                      "\r\n\r\n" + text);
    }

    void publish(QTcpSocket *socket, const QByteArray &body)
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(body, &error);
        if (error.error != QJsonParseError::NoError)
            return answer(socket, 400, QJsonObject{{QStringLiteral("error"), error.errorString()}});
        const QJsonArray batch = document.isArray() ? document.array() : QJsonArray{document.object()};
        for (const QJsonValue &event : batch)
            if (!event.toObject().value(QStringLiteral("organization_id")).isString() ||
                !event.toObject().contains(QStringLiteral("data")))
                return answer(socket, 422, QJsonObject{{QStringLiteral("error"), QStringLiteral("invalid_event")}});
        QJsonArray stored;
        for (const QJsonValue &event : batch)
            stored.append(append(event.toObject().value(QStringLiteral("organization_id")).toString(),
                                 event.toObject().value(QStringLiteral("data"))));
        if (document.isArray())
            answer(socket, 200,
                   QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                               {QStringLiteral("count"), stored.size()},
                               {QStringLiteral("events"), stored}});
        else
            answer(socket, 200, stored.at(0).toObject());
    }

    QJsonObject append(const QString &name, const QJsonValue &payload)
    {
        Channel &channel = m_channels[name];
        const qint64 ts = std::max(QDateTime::currentMSecsSinceEpoch(), channel.lastTsMs);
        const qint64 seq = channel.nextSeq++;
        channel.lastTsMs = ts;
        // The spec's key order (QJsonObject would sort them): written around Qt's compact payload.
        const QByteArray quotedName = QJsonDocument(QJsonArray{name}).toJson(QJsonDocument::Compact).chopped(1).mid(1);
        const QByteArray payloadText =
            QJsonDocument(QJsonArray{payload}).toJson(QJsonDocument::Compact).chopped(1).mid(1);
        const QString frame =
            QString::fromUtf8("{\"organization_id\":" + quotedName + ",\"data\":{\"seq\":" + QByteArray::number(seq) +
                              ",\"ts_ms\":" + QByteArray::number(ts) + ",\"payload\":" + payloadText + "}}");
        channel.events.push_back({seq, ts, frame});
        if (qsizetype(channel.events.size()) > retainPerChannel)
            channel.events.pop_front();
        for (QWebSocket *subscriber : std::as_const(channel.subscribers))
            subscriber->sendTextMessage(frame);
        return QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                           {QStringLiteral("organization_id"), name},
                           {QStringLiteral("seq"), seq},
                           {QStringLiteral("ts_ms"), ts}};
    }

    void onWebSocket()
    {
        while (QWebSocket *ws = m_webSockets.nextPendingConnection()) {
            const QString client = QString::fromUtf8(ws->request().rawHeader("X-Athena-Client")).trimmed();
            m_subscriptions[ws].insert(client);
            m_channels[client].subscribers.insert(ws);
            ws->sendTextMessage(QString::fromUtf8(compact(
                QJsonObject{{QStringLiteral("status"), QStringLiteral("subscribed")},
                            {QStringLiteral("client_id"), client},
                            {QStringLiteral("message"), QStringLiteral("Subscribed via X-Athena-Client header")}})));
            connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) { onText(ws, text); });
            connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                for (const QString &name : m_subscriptions.take(ws))
                    m_channels[name].subscribers.remove(ws);
                ws->deleteLater();
            });
        }
    }

    void onText(QWebSocket *ws, const QString &text)
    {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = message.value(QStringLiteral("type")).toString();
        const QString target = message.value(QStringLiteral("organization_id")).toString();
        if (type == QStringLiteral("travel"))
            return travel(ws, message);
        if (type == QStringLiteral("subscribe") && !target.isEmpty()) {
            m_subscriptions[ws].insert(target);
            m_channels[target].subscribers.insert(ws);
        } else if (type == QStringLiteral("unsubscribe") && !target.isEmpty()) {
            m_subscriptions[ws].remove(target);
            m_channels[target].subscribers.remove(ws);
        }
    }

    void travel(QWebSocket *ws, const QJsonObject &request)
    {
        const QString only = request.value(QStringLiteral("organization_id")).toString();
        const QList<QString> names = only.isEmpty() ? m_subscriptions.value(ws).values() : QList<QString>{only};
        const qint64 asked = request.value(QStringLiteral("limit")).toInteger(defaultLimit);
        const qint64 limit = std::min(asked > 0 ? asked : defaultLimit, maxLimit);
        const bool hasSince =
            request.contains(QStringLiteral("since_seq")) || request.contains(QStringLiteral("since_ts_ms"));
        const qint64 sinceSeq = request.value(QStringLiteral("since_seq")).toInteger(-1);
        const qint64 sinceTs = request.value(QStringLiteral("since_ts_ms")).toInteger(-1);
        struct Match
        {
            const QString *name;
            const Event *event;
        };
        std::vector<Match> matching;
        for (const QString &name : names)
            for (const Event &event : m_channels[name].events)
                if (event.seq > sinceSeq && event.tsMs >= sinceTs)
                    matching.push_back({&name, &event});
        std::stable_sort(matching.begin(), matching.end(), [](const Match &a, const Match &b) {
            return std::tie(a.event->tsMs, *a.name, a.event->seq) < std::tie(b.event->tsMs, *b.name, b.event->seq);
        });
        const bool truncated = qint64(matching.size()) > limit;
        if (truncated)
            matching.erase(hasSince ? matching.begin() + limit : matching.begin(),
                           hasSince ? matching.end() : matching.end() - limit);
        for (const Match &match : matching)
            ws->sendTextMessage(match.event->frame);
        ws->sendTextMessage(QString::fromUtf8(
            compact(QJsonObject{{QStringLiteral("status"), QStringLiteral("travel_complete")},
                                {QStringLiteral("organization_id"), only.isEmpty() ? QJsonValue() : QJsonValue(only)},
                                {QStringLiteral("limit"), limit},
                                {QStringLiteral("count"), qint64(matching.size())},
                                {QStringLiteral("truncated"), truncated}})));
    }

    QTcpServer m_http;
    QWebSocketServer m_webSockets{QStringLiteral("qt-baseline"), QWebSocketServer::NonSecureMode};
    QHash<QString, Channel> m_channels;
    QHash<QWebSocket *, QSet<QString>> m_subscriptions;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    const qsizetype portAt = arguments.indexOf(QStringLiteral("--port"));
    Baseline baseline(portAt > 0 ? quint16(arguments.value(portAt + 1).toUInt()) : 4053);
    return app.exec();
}
