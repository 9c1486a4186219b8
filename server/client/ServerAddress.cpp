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

QString describeConnectionError(const QUrl &url, const QString &errorString, Remedy remedy)
{
    const bool window = remedy == Remedy::Window;
    const QString where = url.host() + u':' + QString::number(url.port());
    if (errorString.contains(QStringLiteral("WRONG_VERSION_NUMBER"), Qt::CaseInsensitive) ||
        errorString.contains(QStringLiteral("wrong version number"), Qt::CaseInsensitive))
        return QStringLiteral("%1 does not speak TLS (%2): use ws:// or http:// for a server without --tls-cert")
            .arg(where, errorString);
    if (errorString.contains(QStringLiteral("401")))
        return QStringLiteral("%1 wants a token (%2): %3")
            .arg(where, errorString,
                 window ? QStringLiteral("give one in the connection (File > Connect)")
                        : QStringLiteral("set CDCSCOPE_TOKEN or give --token-file"));
    if (errorString.contains(QStringLiteral("403")))
        return QStringLiteral("%1 refused this token for this client (%2): see the token's \"clients\" and "
                              "\"channels\"")
            .arg(where, errorString);
    if (errorString.contains(QStringLiteral("400")))
        return QStringLiteral("%1 refused the request (%2): is this a CDC WebSocket server, and is the client name "
                              "set?")
            .arg(where, errorString);
    if (errorString.contains(QStringLiteral("refused"), Qt::CaseInsensitive))
        return QStringLiteral("nothing listens on %1 (%2): is the server running? (cdcscope --headless --port %3)")
            .arg(where, errorString)
            .arg(url.port());
    if (errorString.contains(QStringLiteral("certificate"), Qt::CaseInsensitive))
        return QStringLiteral("cannot trust the certificate of %1 (%2): %3")
            .arg(where, errorString,
                 window ? QStringLiteral("give its CA certificate in the connection (File > Connect)")
                        : QStringLiteral("give its CA with --ca-cert FILE"));
    return QStringLiteral("%1: %2").arg(where, errorString);
}

} // namespace cdc::client
