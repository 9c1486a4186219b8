#include "HostPolicy.h"

#include <QHostInfo>

namespace cdc {

HostPolicy::HostPolicy(const QHostAddress &bindAddress, const QStringList &allowedHosts)
{
    for (const QString &name : allowedHosts)
        m_names.append(hostName(name.trimmed().toUtf8()));
    if (m_names.contains(QStringLiteral("*")))
        return; // every name, whatever the address
    m_restricts = bindAddress.isLoopback() || !m_names.isEmpty();
    const QString machine = QHostInfo::localHostName().toLower();
    if (!machine.isEmpty())
        m_names.append(machine);
}

QString HostPolicy::hostName(QByteArrayView hostHeader)
{
    QByteArrayView name = hostHeader.trimmed();
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        name = close < 0 ? QByteArrayView() : name.sliced(1, close - 1);
    } else if (const qsizetype colon = name.lastIndexOf(':'); colon >= 0 && name.indexOf(':') == colon) {
        name = name.first(colon);
    }
    if (name.endsWith('.'))
        name.chop(1);
    return QString::fromUtf8(name).toLower();
}

bool HostPolicy::allows(QByteArrayView hostHeader) const
{
    if (!m_restricts)
        return true;
    const QString name = hostName(hostHeader);
    if (name.isEmpty())
        return false;
    // An address literal cannot be rebound: a page that uses one already knows where it goes.
    if (QHostAddress address; address.setAddress(name))
        return true;
    if (name == u"localhost" || name.endsWith(u".localhost"))
        return true; // RFC 6761 §6.3: always this machine
    return m_names.contains(name);
}

} // namespace cdc
