#include "RedisEndpoint.h"

#include <QUrl>
#include <QUrlQuery>

namespace cdc {

QString RedisEndpoint::display() const
{
    const QString who = user.isEmpty() ? QString() : user + QLatin1Char('@');
    switch (transport) {
    case Transport::Unix:
        return QStringLiteral("unix://%1%2")
            .arg(socketPath, database ? QStringLiteral("?db=%1").arg(database) : QString());
    case Transport::Tcp:
    case Transport::Tls:
        break;
    }
    const QString scheme = transport == Transport::Tls ? QStringLiteral("rediss") : QStringLiteral("redis");
    const QString shownHost = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("%1://%2%3:%4/%5").arg(scheme, who, shownHost).arg(port).arg(database);
}

std::variant<RedisEndpoint, QString> parseRedisUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid())
        return QStringLiteral("--redis: \"%1\" is not a URL (%2)").arg(text, url.errorString());
    RedisEndpoint endpoint;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("unix")) {
        endpoint.transport = RedisEndpoint::Transport::Unix;
        endpoint.socketPath = url.path();
        if (endpoint.socketPath.isEmpty())
            return QStringLiteral("--redis: %1 names no socket; write unix:///path/to/redis.sock").arg(text);
        const QString db = QUrlQuery(url).queryItemValue(QStringLiteral("db"));
        bool ok = true;
        endpoint.database = db.isEmpty() ? 0 : db.toInt(&ok);
        if (!ok || endpoint.database < 0)
            return QStringLiteral("--redis: db=%1 is not a database number").arg(db);
    } else if (scheme == QLatin1String("redis") || scheme == QLatin1String("rediss")) {
        endpoint.transport =
            scheme == QLatin1String("rediss") ? RedisEndpoint::Transport::Tls : RedisEndpoint::Transport::Tcp;
        endpoint.host = url.host();
        if (endpoint.host.isEmpty())
            return QStringLiteral("--redis: %1 names no host; write redis://host:6379/0").arg(text);
        const int port = url.port(6379);
        if (port <= 0 || port > 65535)
            return QStringLiteral("--redis: %1 has no usable port").arg(text);
        endpoint.port = quint16(port);
        const QString path = url.path();
        if (path.size() > 1) {
            bool ok = false;
            endpoint.database = path.mid(1).toInt(&ok);
            if (!ok || endpoint.database < 0)
                return QStringLiteral("--redis: \"%1\" is not a database number").arg(path.mid(1));
        }
    } else {
        return QStringLiteral("--redis: \"%1\" is not a Redis URL; use redis://, rediss:// or unix://").arg(text);
    }
    endpoint.user = url.userName();
    endpoint.password = url.password();
    if (!endpoint.password.isEmpty() && endpoint.user == QLatin1String("default"))
        endpoint.user.clear(); // redis://default:secret@... is the same as redis://:secret@...
    return endpoint;
}

} // namespace cdc
