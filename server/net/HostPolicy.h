#pragma once

#include <QByteArrayView>
#include <QHostAddress>
#include <QStringList>

namespace cdc {

// Which names a request may address this server by (its Host header), against DNS rebinding: a
// web page can point a name it controls at 127.0.0.1, and its browser then sends that name as
// Host. On a loopback address only this machine's names are served (localhost and *.localhost,
// any IP literal, the machine's host name) plus --allowed-hosts; on any other address every name
// is, unless --allowed-hosts narrows it. "*" in --allowed-hosts allows every name.
class HostPolicy
{
public:
    HostPolicy(const QHostAddress &bindAddress, const QStringList &allowedHosts);

    // `hostHeader` as sent ("name", "name:port", "[v6]:port"); an empty one is not allowed.
    bool allows(QByteArrayView hostHeader) const;
    // Whether the names are checked at all (a loopback server, or --allowed-hosts given).
    bool restricts() const { return m_restricts; }

    // The name of a Host header without its port, lower-cased and without a trailing dot; IPv6
    // literals without their brackets.
    static QString hostName(QByteArrayView hostHeader);

private:
    bool m_restricts = false;
    QStringList m_names; // lower-cased
};

} // namespace cdc
