#include "AccessControl.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace cdc {

namespace {

bool matchesAny(const QStringList &patterns, const QString &name)
{
    for (const QString &pattern : patterns) {
        if (pattern == u"*" || pattern == name)
            return true;
        if (pattern.endsWith(u'*') && name.startsWith(QStringView(pattern).chopped(1)))
            return true;
    }
    return false;
}

QByteArray digestOf(const QByteArray &secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}

// Equal digests, looking at every byte whatever the first difference: the time taken says nothing
// about how much of a guessed token was right.
bool sameDigest(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

std::optional<QStringList> stringList(const QJsonValue &value, const QStringList &fallback)
{
    if (value.isUndefined())
        return fallback;
    if (!value.isArray())
        return std::nullopt;
    QStringList list;
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString() || item.toString().trimmed().isEmpty())
            return std::nullopt;
        list.append(item.toString().trimmed());
    }
    return list;
}

} // namespace

bool Access::mayUseClient(const QString &clientId) const
{
    return everything || matchesAny(clients, clientId);
}

bool Access::mayRead(const QString &channel) const
{
    return everything || matchesAny(channels, channel);
}

bool Access::mayPublishTo(const QString &channel) const
{
    return everything || (publish && matchesAny(channels, channel));
}

std::variant<std::shared_ptr<const AccessControl>, QString> AccessControl::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("not valid JSON (%1 at offset %2)").arg(error.errorString()).arg(error.offset);
    const QJsonValue tokens = document.object().value(QStringLiteral("tokens"));
    if (!document.isObject() || !tokens.isArray())
        return QStringLiteral("expected an object with a \"tokens\" array");
    auto control = std::make_shared<AccessControl>();
    int position = 0;
    for (const QJsonValue &entry : tokens.toArray()) {
        ++position;
        const QJsonObject object = entry.toObject();
        QString name = object.value(QStringLiteral("name")).toString().trimmed();
        const QString where =
            name.isEmpty() ? QStringLiteral("token %1").arg(position) : QStringLiteral("token \"%1\"").arg(name);
        if (!entry.isObject())
            return where + QStringLiteral(": not an object");
        const QString secret = object.value(QStringLiteral("token")).toString();
        if (secret.size() < 16)
            return where + QStringLiteral(": \"token\" must be a string of at least 16 characters");
        const auto clients = stringList(object.value(QStringLiteral("clients")), {QStringLiteral("*")});
        const auto channels = stringList(object.value(QStringLiteral("channels")), {});
        if (!clients || !channels)
            return where + QStringLiteral(": \"clients\" and \"channels\" must be arrays of names");
        const QJsonValue publish = object.value(QStringLiteral("publish"));
        if (!publish.isUndefined() && !publish.isBool())
            return where + QStringLiteral(": \"publish\" must be true or false");
        const QJsonValue monitor = object.value(QStringLiteral("monitor"));
        if (!monitor.isUndefined() && !monitor.isBool())
            return where + QStringLiteral(": \"monitor\" must be true or false");
        const QByteArray digest = digestOf(secret.toUtf8());
        for (const Token &earlier : control->m_tokens)
            if (sameDigest(earlier.digest, digest))
                return where + QStringLiteral(": the same secret as token \"%1\"").arg(earlier.name);
        if (name.isEmpty())
            name = QStringLiteral("token %1").arg(position);
        control->m_tokens.push_back(
            {name, digest, Access{name, false, *clients, *channels, publish.toBool(false), monitor.toBool(false)}});
    }
    if (control->m_tokens.empty())
        return QStringLiteral("the \"tokens\" array is empty: nobody could connect");
    return std::shared_ptr<const AccessControl>(std::move(control));
}

std::variant<Access, AccessRefusal> AccessControl::authenticate(const QByteArray &presented) const
{
    if (presented.isEmpty())
        return AccessRefusal{401, QStringLiteral("unauthorized"),
                             QStringLiteral("this server requires a token: send 'Authorization: Bearer <token>' (or "
                                            "?token=<token> on a WebSocket URL, for browsers)")};
    const QByteArray digest = digestOf(presented);
    const Token *found = nullptr;
    for (const Token &token : m_tokens)
        if (sameDigest(token.digest, digest))
            found = &token;
    if (!found)
        return AccessRefusal{401, QStringLiteral("invalid_token"),
                             QStringLiteral("the token is not known to this server")};
    return found->access;
}

QByteArray presentedToken(const QByteArray &authorizationHeader, const QByteArray &query)
{
    const QByteArray header = authorizationHeader.trimmed();
    if (header.size() > 7 && header.first(7).toLower() == "bearer ")
        return header.mid(7).trimmed();
    if (!query.isEmpty()) {
        const QUrlQuery items(QString::fromUtf8(query));
        if (items.hasQueryItem(QStringLiteral("token")))
            return items.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    }
    return {};
}

} // namespace cdc
