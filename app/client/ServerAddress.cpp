#include "ServerAddress.h"

namespace cdc::client {

namespace {

constexpr int defaultPort = 4053; // the spec's

} // namespace

std::variant<ServerAddress, QString> ServerAddress::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QStringLiteral("the server address is empty (example: ws://127.0.0.1:4053/ws)");
    // "host:port" and "host" alone read as plain ws://.
    const QString withScheme = trimmed.contains(QStringLiteral("://")) ? trimmed : QStringLiteral("ws://") + trimmed;
    const QUrl url(withScheme, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("'%1' is not a server address (example: ws://127.0.0.1:4053/ws)").arg(text);
    const bool tls = scheme == u"wss" || scheme == u"https";
    if (!tls && scheme != u"ws" && scheme != u"http")
        return QStringLiteral("'%1': the scheme must be ws, wss, http or https").arg(text);
    const QString path = url.path();
    if (!path.isEmpty() && path != u"/" && path != u"/ws")
        return QStringLiteral("'%1': the path must be /ws or nothing (the HTTP API shares the port)").arg(text);
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return QStringLiteral("'%1': give the address alone; a token goes in CDCSCOPE_TOKEN or --token-file").arg(text);

    ServerAddress address;
    address.webSocket.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    address.webSocket.setHost(url.host());
    address.webSocket.setPort(url.port(defaultPort));
    address.webSocket.setPath(QStringLiteral("/ws"));
    address.http = address.webSocket;
    address.http.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
    address.http.setPath(QString());
    return address;
}

QUrl ServerAddress::httpEndpoint(const QString &path) const
{
    QUrl url = http;
    url.setPath(path, QUrl::TolerantMode); // keeps the percent-encoding of a channel name in it
    return url;
}

} // namespace cdc::client
