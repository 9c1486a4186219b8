#pragma once

#include <QByteArray>
#include <QString>

namespace cdc {

// Who a WebSocket upgrade says it is: the client name from X-Athena-Client, or for browsers (which
// cannot set headers on a WebSocket) from ?client=; and the token it presents. Read the same way
// when the head is checked and when the upgraded socket is adopted.
struct UpgradeIdentity
{
    QString clientId; // normalized; empty when neither names one
    QByteArray token;
};

UpgradeIdentity upgradeIdentity(const QByteArray &clientHeader, const QByteArray &authorizationHeader,
                                const QByteArray &query);

} // namespace cdc
