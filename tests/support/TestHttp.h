#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>

#include <QTcpSocket>

// A client connection that sends and reads step by step.
struct Wire
{
    QTcpSocket socket;
    QByteArray received;

    explicit Wire(quint16 port);
    void send(const QByteArray &bytes);
    // Waits until what arrived contains `text` (or the timeout); true if it did.
    bool waitFor(QByteArrayView text, int timeoutMs = 5000);
    bool waitClosed(int timeoutMs = 5000);
};

// One HTTP response as a client saw it on the wire.
struct HttpReply
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool connectionClosed = false; // the server closed the connection after answering

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonDocument jsonDocument() const { return QJsonDocument::fromJson(body); }
};

// Sends `request` verbatim on a new connection and collects `expectedResponses` responses (or
// whatever arrived when the server closed or the timeout hit). Real socket, real server.
// `from`: the local address to connect from (any of 127/8 on Linux), for per-address limits.
QList<HttpReply> rawHttpExchange(quint16 port, const QByteArray &request, int expectedResponses = 1,
                                 int timeoutMs = 10000, const QHostAddress &from = {});
HttpReply rawHttp(quint16 port, const QByteArray &request, int timeoutMs = 10000, const QHostAddress &from = {});

HttpReply httpGet(quint16 port, const QByteArray &path);
HttpReply httpPost(quint16 port, const QByteArray &path, const QByteArray &body);
// A WebSocket upgrade request for `target` (default /ws) with `extraHeaders` (each ending in CRLF).
QByteArray upgradeRequest(const QByteArray &extraHeaders, const QByteArray &target = "/ws");

// The first entry of /health's "sources" (the PostgreSQL source), or an empty object.
QJsonObject sourceHealth(quint16 port);

// POSTs {"organization_id":channel,"data":payload} to /events.
HttpReply publish(quint16 port, const QString &channel, const QJsonValue &payload);
