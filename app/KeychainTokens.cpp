#include "KeychainTokens.h"

#include "CommandLine.h"
#include "Keychain.h"

#include <QFile>

namespace cdc {

std::optional<QString> loadTokensFromKeychain(ServerConfig &config)
{
    const keychain::Result stored = keychain::read(QString::fromLatin1(authTokensKeychainAccount));
    if (stored.status != keychain::Result::Status::Ok)
        return QStringLiteral("--auth-tokens keychain: %1. Store a token file with --auth-store-tokens FILE, or give "
                              "the file itself: --auth-tokens FILE")
            .arg(stored.message);
    auto parsed = AccessControl::parse(stored.password.toUtf8());
    if (const auto *error = std::get_if<QString>(&parsed))
        return QStringLiteral("--auth-tokens keychain: the stored token set is not usable: %1").arg(*error);
    config.accessControl = std::get<std::shared_ptr<const AccessControl>>(parsed);
    return std::nullopt;
}

int storeTokensInKeychain(const QString &path, std::FILE *out, std::FILE *err)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(err, "cdcscope: cannot read %s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        return ExitCode::usage;
    }
    const QByteArray json = file.readAll();
    auto parsed = AccessControl::parse(json);
    if (const auto *error = std::get_if<QString>(&parsed)) {
        std::fprintf(err, "cdcscope: %s: %s\n", qPrintable(path), qPrintable(*error));
        return ExitCode::usage;
    }
    const keychain::Result stored =
        keychain::write(QString::fromLatin1(authTokensKeychainAccount), QString::fromUtf8(json));
    if (stored.status != keychain::Result::Status::Ok) {
        std::fprintf(err, "cdcscope: %s. Use --auth-tokens FILE instead.\n", qPrintable(stored.message));
        return ExitCode::runtimeFailure;
    }
    std::fprintf(out, "stored %lld token(s) in the system keychain (service %s); start with --auth-tokens keychain\n",
                 static_cast<long long>(std::get<std::shared_ptr<const AccessControl>>(parsed)->size()),
                 keychain::service);
    return ExitCode::ok;
}

TokenStore connectionTokenStore()
{
    TokenStore store;
    store.read = [](const QString &key, QByteArray *token) {
        const keychain::Result result = keychain::read(key);
        if (result.status == keychain::Result::Status::Ok)
            *token = result.password.toUtf8();
        return result.status == keychain::Result::Status::Ok || result.status == keychain::Result::Status::NotFound
                   ? QString()
                   : result.message;
    };
    store.write = [](const QString &key, const QByteArray &token) {
        const keychain::Result result = keychain::write(key, QString::fromUtf8(token));
        return result.status == keychain::Result::Status::Ok ? QString() : result.message;
    };
    store.remove = [](const QString &key) {
        const keychain::Result result = keychain::remove(key);
        return result.status == keychain::Result::Status::Ok || result.status == keychain::Result::Status::NotFound
                   ? QString()
                   : result.message;
    };
    return store;
}

} // namespace cdc
