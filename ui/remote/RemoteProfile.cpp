#include "RemoteProfile.h"

#include <QFile>
#include <QSettings>

namespace cdc {

namespace {

const QString group = QStringLiteral("connections");
const QString orderKey = QStringLiteral("connections_recent");
constexpr qsizetype maxProfiles = 50;

QString defaultClientName()
{
    return QStringLiteral("cdcscope-window");
}

} // namespace

QStringList RemoteProfile::allChannels() const
{
    QStringList all{clientName.trimmed()};
    for (const QString &channel : channels)
        if (!channel.trimmed().isEmpty() && !all.contains(channel.trimmed()))
            all.append(channel.trimmed());
    return all;
}

std::variant<ResolvedProfile, QString> resolveProfile(const RemoteProfile &profile)
{
    auto address = client::ServerAddress::parse(profile.url);
    if (const auto *error = std::get_if<QString>(&address))
        return QStringLiteral("URL: %1").arg(*error);
    if (profile.clientName.trimmed().isEmpty())
        return QStringLiteral("client name: the server needs one (X-Athena-Client); it is also the first channel");
    ResolvedProfile resolved{profile, std::get<client::ServerAddress>(address), {}};
    if (!profile.caFile.isEmpty()) {
        QFile file(profile.caFile);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("CA certificate: cannot read %1: %2").arg(profile.caFile, file.errorString());
        resolved.caCertificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (resolved.caCertificates.isEmpty())
            return QStringLiteral("CA certificate: %1 holds no PEM certificate").arg(profile.caFile);
    }
    return resolved;
}

QList<RemoteProfile> loadProfiles(QSettings &settings)
{
    QList<RemoteProfile> profiles;
    for (const QString &name : settings.value(orderKey).toStringList()) {
        settings.beginGroup(group);
        settings.beginGroup(QString::fromLatin1(name.toUtf8().toHex()));
        RemoteProfile profile;
        profile.name = name;
        profile.url = settings.value(QStringLiteral("url")).toString();
        profile.clientName = settings.value(QStringLiteral("client"), defaultClientName()).toString();
        profile.channels = settings.value(QStringLiteral("channels")).toStringList();
        profile.caFile = settings.value(QStringLiteral("ca_file")).toString();
        profile.followAllChannels = settings.value(QStringLiteral("follow_all"), true).toBool();
        settings.endGroup();
        settings.endGroup();
        if (!profile.url.isEmpty())
            profiles.append(profile);
    }
    return profiles;
}

std::optional<RemoteProfile> findProfile(QSettings &settings, const QString &name)
{
    for (const RemoteProfile &profile : loadProfiles(settings))
        if (profile.name == name)
            return profile;
    return std::nullopt;
}

void saveProfile(QSettings &settings, const RemoteProfile &profile)
{
    // Group names are the profile's name in hex: any name the user types is a valid key.
    settings.beginGroup(group);
    settings.beginGroup(QString::fromLatin1(profile.name.toUtf8().toHex()));
    settings.setValue(QStringLiteral("url"), profile.url);
    settings.setValue(QStringLiteral("client"), profile.clientName);
    settings.setValue(QStringLiteral("channels"), profile.channels);
    settings.setValue(QStringLiteral("ca_file"), profile.caFile);
    settings.setValue(QStringLiteral("follow_all"), profile.followAllChannels);
    settings.endGroup();
    settings.endGroup();
    QStringList order = settings.value(orderKey).toStringList();
    order.removeAll(profile.name);
    order.prepend(profile.name);
    while (order.size() > maxProfiles)
        removeProfile(settings, order.takeLast());
    settings.setValue(orderKey, order);
}

void removeProfile(QSettings &settings, const QString &name)
{
    settings.beginGroup(group);
    settings.remove(QString::fromLatin1(name.toUtf8().toHex()));
    settings.endGroup();
    QStringList order = settings.value(orderKey).toStringList();
    order.removeAll(name);
    settings.setValue(orderKey, order);
}

RemoteProfile profileForConnectArgument(QSettings &settings, const QString &nameOrUrl)
{
    if (auto saved = findProfile(settings, nameOrUrl))
        return *saved;
    RemoteProfile profile;
    profile.url = nameOrUrl;
    profile.clientName = defaultClientName();
    auto address = client::ServerAddress::parse(nameOrUrl);
    const auto *parsed = std::get_if<client::ServerAddress>(&address);
    profile.name = parsed ? parsed->webSocket.toString() : nameOrUrl;
    return profile;
}

} // namespace cdc
