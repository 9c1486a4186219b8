#pragma once

#include "client/ServerAddress.h"

#include <QSslCertificate>
#include <QStringList>

#include <variant>

class QSettings;

namespace cdc {

// A saved connection to a remote server: an athena server or a headless CDC Scope. Everything but
// the token lives in the settings file; the token lives in the keychain under keychainKey().
struct RemoteProfile
{
    QString name;         // what File > Connect and --connect call it
    QString url;          // as the user typed it: ws://, wss://, http(s):// or host:port
    QString clientName;   // X-Athena-Client; also the first channel the server subscribes
    QStringList channels; // subscribed besides the client name's channel
    QString caFile;       // PEM certificates to trust besides the system's (a private CA)
    // Subscribe to every channel the server lists as it appears (a CDC Scope server's GET /channels),
    // so the window shows all traffic as it does for this computer; up to the server's 1 000.
    bool followAllChannels = true;
    QByteArray token; // Authorization: Bearer; never written to the settings file

    // The keychain entry of this profile's token.
    QString keychainKey() const { return QStringLiteral("connection:") + name; }
    // Every channel the window subscribes to, the client name's first.
    QStringList allChannels() const;
};

// A profile checked and ready to connect: its address and trusted certificates.
struct ResolvedProfile
{
    RemoteProfile profile;
    client::ServerAddress address;
    QList<QSslCertificate> caCertificates;
};

// Checks a profile; the error names the field that is wrong and how.
std::variant<ResolvedProfile, QString> resolveProfile(const RemoteProfile &profile);

// Saved profiles, most recently used first ("connections/" in the settings).
QList<RemoteProfile> loadProfiles(QSettings &settings);
std::optional<RemoteProfile> findProfile(QSettings &settings, const QString &name);
// Saves (or replaces) `profile`, without its token, and makes it the most recent.
void saveProfile(QSettings &settings, const RemoteProfile &profile);
void removeProfile(QSettings &settings, const QString &name);

// `--connect` takes a saved profile's name or a URL; a URL makes a profile named after its host.
RemoteProfile profileForConnectArgument(QSettings &settings, const QString &nameOrUrl);

} // namespace cdc
