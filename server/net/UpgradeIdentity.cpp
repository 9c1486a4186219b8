#include "UpgradeIdentity.h"

#include "auth/AccessControl.h"
#include "protocol/ClientMessage.h"

#include <QUrlQuery>

namespace cdc {

UpgradeIdentity upgradeIdentity(const QByteArray &clientHeader, const QByteArray &authorizationHeader,
                                const QByteArray &query)
{
    UpgradeIdentity identity;
    QString client = QString::fromUtf8(clientHeader);
    if (client.trimmed().isEmpty() && !query.isEmpty())
        client = QUrlQuery(QString::fromUtf8(query)).queryItemValue(QStringLiteral("client"), QUrl::FullyDecoded);
    identity.clientId = normalizedChannel(client);
    identity.token = presentedToken(authorizationHeader, query);
    return identity;
}

} // namespace cdc
