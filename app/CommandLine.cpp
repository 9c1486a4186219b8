#include "CommandLine.h"
#include "ValueParsers.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>

#include <functional>
#include <optional>

namespace cdc {

namespace {

using Apply = std::function<std::optional<QString>(const QString &value, AppOptions &options)>;

// One configurable setting: its flag, its environment variable, and how a value is applied.
// The same table drives --help and docs/configuration.md.
struct Setting
{
    QString flag;
    QString env;
    QString valueName; // empty for switches
    QString help;
    Apply apply;
};

// A size of at least `minimum` bytes, in a field of the server's settings or of their retention.
template <typename Settings> Apply sizeSetting(qint64 Settings::*field, qint64 minimum)
{
    return [field, minimum](const QString &value, AppOptions &options) -> std::optional<QString> {
        const auto bytes = parseByteSize(value);
        if (!bytes || *bytes < minimum)
            return QStringLiteral("'%1' is not a size of at least %2 bytes (examples: 65536, 512KiB, 16MiB, 1GiB)")
                .arg(value)
                .arg(minimum);
        if constexpr (std::is_same_v<Settings, RetentionLimits>)
            options.server.retention.*field = *bytes;
        else
            options.server.*field = *bytes;
        return std::nullopt;
    };
}

// A positive whole number, handed to `assign`.
Apply countSetting(void (*assign)(AppOptions &, qint64))
{
    return [assign](const QString &value, AppOptions &options) -> std::optional<QString> {
        const auto count = checkPositiveCount(value);
        if (const auto *error = std::get_if<QString>(&count))
            return *error;
        assign(options, std::get<qint64>(count));
        return std::nullopt;
    };
}

// A whole number from `minimum` to `maximum` (an int field).
Apply intSetting(int ServerConfig::*field, int minimum, int maximum)
{
    return [field, minimum, maximum](const QString &value, AppOptions &options) -> std::optional<QString> {
        const auto count = parseCount(value, minimum, maximum);
        if (!count)
            return QStringLiteral("'%1' is not a whole number from %2 to %3").arg(value).arg(minimum).arg(maximum);
        options.server.*field = int(*count);
        return std::nullopt;
    };
}

// A connection or request limit: a whole number from 1 to 1 000 000.
Apply limitSetting(int ServerConfig::*field)
{
    return intSetting(field, 1, 1'000'000);
}

Apply durationSetting(std::chrono::milliseconds ServerConfig::*field)
{
    return [field](const QString &value, AppOptions &options) -> std::optional<QString> {
        const auto duration = checkDuration(value);
        if (const auto *error = std::get_if<QString>(&duration))
            return *error;
        options.server.*field = std::get<std::chrono::milliseconds>(duration);
        return std::nullopt;
    };
}

// A comma-separated list; blanks around the items are dropped.
Apply listSetting(QStringList ServerConfig::*field)
{
    return [field](const QString &value, AppOptions &options) -> std::optional<QString> {
        QStringList items;
        for (const QString &item : value.split(u',', Qt::SkipEmptyParts))
            if (!item.trimmed().isEmpty())
                items.append(item.trimmed());
        options.server.*field = items;
        return std::nullopt;
    };
}

// The PostgreSQL source's settings fill this in; it becomes the source only with a DSN.
pg::PostgresConfig &postgresOf(AppOptions &options)
{
    if (!options.server.postgres)
        options.server.postgres.emplace();
    return *options.server.postgres;
}

Apply postgresNameSetting(QString pg::PostgresConfig::*field)
{
    return [field](const QString &value, AppOptions &options) -> std::optional<QString> {
        const QString name = value.trimmed();
        if (!pg::isValidSlotName(name))
            return QStringLiteral("'%1' is not a valid name (1 to 63 of a-z, 0-9 and _)").arg(value);
        postgresOf(options).*field = name;
        return std::nullopt;
    };
}

// The server side of TLS from PEM files; the error names the flag and the file.
std::variant<QSslConfiguration, QString> loadTls(const QString &certPath, const QString &keyPath)
{
    if (certPath.isEmpty() || keyPath.isEmpty())
        return QStringLiteral("--tls-cert and --tls-key go together: give both");
    QFile certFile(certPath);
    if (!certFile.open(QIODevice::ReadOnly))
        return QStringLiteral("--tls-cert: cannot read %1: %2").arg(certPath, certFile.errorString());
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty())
        return QStringLiteral("--tls-cert: %1 holds no PEM certificate").arg(certPath);
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly))
        return QStringLiteral("--tls-key: cannot read %1: %2").arg(keyPath, keyFile.errorString());
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return QStringLiteral("--tls-key: %1 holds no unencrypted PEM RSA or EC private key").arg(keyPath);
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens, not certificates
    return configuration;
}

QList<Setting> settings()
{
    return {
        {QStringLiteral("config"), QStringLiteral("CDCSCOPE_CONFIG"), QStringLiteral("file"),
         QStringLiteral("Read settings from this INI file instead of the user's (~/.config/CDC Scope/cdcscope.conf); "
                        "the packaged service uses /etc/cdcscope/cdcscope.conf."),
         [](const QString &value, AppOptions &) -> std::optional<QString> {
             // main() has already read it (explicitConfigFile); here it only has to exist.
             QFile file(value);
             if (!file.open(QIODevice::ReadOnly))
                 return QStringLiteral("cannot read %1: %2").arg(value, file.errorString());
             return std::nullopt;
         }},
        {QStringLiteral("bind"), QStringLiteral("CDCSCOPE_BIND"), QStringLiteral("address"),
         QStringLiteral("Address to listen on (default 127.0.0.1; 0.0.0.0 or :: opens it to the network)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const QString text = value.trimmed();
             QHostAddress address;
             if (text.compare(u"localhost", Qt::CaseInsensitive) == 0)
                 address = QHostAddress(QHostAddress::LocalHost);
             else if (!address.setAddress(text))
                 return QStringLiteral("'%1' is not an IP address").arg(value);
             options.server.bindAddress = address;
             return std::nullopt;
         }},
        {QStringLiteral("port"), QStringLiteral("CDCSCOPE_PORT"), QStringLiteral("port"),
         QStringLiteral("TCP port for WebSocket and HTTP (default 4053; 0 picks a free one)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto port = parseCount(value, 0, 65535);
             if (!port)
                 return QStringLiteral("'%1' is not a port number (0-65535)").arg(value);
             options.server.port = quint16(*port);
             return std::nullopt;
         }},
        {QStringLiteral("retain-events"), QStringLiteral("CDCSCOPE_RETAIN_EVENTS"), QStringLiteral("count"),
         QStringLiteral("Events kept per channel for travel (default 100000)."),
         countSetting([](AppOptions &options, qint64 count) { options.server.retention.maxEventsPerChannel = count; })},
        {QStringLiteral("retain-bytes"), QStringLiteral("CDCSCOPE_RETAIN_BYTES"), QStringLiteral("size"),
         QStringLiteral("Bytes kept across all channels; the oldest events go first (default 1GiB)."),
         sizeSetting(&RetentionLimits::maxTotalBytes, 1)},
        {QStringLiteral("idempotency-budget"), QStringLiteral("CDCSCOPE_IDEMPOTENCY_BUDGET"), QStringLiteral("size"),
         QStringLiteral("Memory for the answers kept 24 h for Idempotency-Key retries; past it the oldest are "
                        "forgotten first (default 32MiB)."),
         sizeSetting(&RetentionLimits::maxIdempotencyBytes, 4096)},
        {QStringLiteral("retain-bytes-per-channel"), QStringLiteral("CDCSCOPE_RETAIN_BYTES_PER_CHANNEL"),
         QStringLiteral("size"), QStringLiteral("Bytes kept per channel (default 256MiB)."),
         sizeSetting(&RetentionLimits::maxBytesPerChannel, 1)},
        {QStringLiteral("retain-age"), QStringLiteral("CDCSCOPE_RETAIN_AGE"), QStringLiteral("duration"),
         QStringLiteral("Drop events older than this; 0 keeps them regardless of age (default 7d)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed() == u"0") {
                 options.server.retention.maxAgeMs = 0;
                 return std::nullopt;
             }
             const auto age = parseDuration(value, 10 * 365 * 86'400'000.0);
             if (!age)
                 return QStringLiteral("'%1' is not a duration (examples: 90m, 12h, 7d; 0 for no limit)").arg(value);
             options.server.retention.maxAgeMs = age->count();
             return std::nullopt;
         }},
        {QStringLiteral("data-dir"), QStringLiteral("CDCSCOPE_DATA_DIR"), QStringLiteral("dir"),
         QStringLiteral("Folder of the journal (default: the platform's app-data folder)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty())
                 return QStringLiteral("the data directory must not be empty");
             options.dataDir = value;
             return std::nullopt;
         }},
        {QStringLiteral("in-memory"), QStringLiteral("CDCSCOPE_IN_MEMORY"), QString(),
         QStringLiteral("Keep events in memory only: no journal, a restart forgets them."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.inMemory = parseSwitchValue(value);
             return std::nullopt;
         }},
        {QStringLiteral("sync"), QStringLiteral("CDCSCOPE_SYNC"), QStringLiteral("full|normal|off"),
         QStringLiteral("When the journal is flushed to disk (default normal; see docs/durability.md)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto level = parseSyncLevel(value);
             if (!level)
                 return QStringLiteral("'%1' is not a sync level (full, normal or off)").arg(value);
             options.sync = *level;
             return std::nullopt;
         }},
        {QStringLiteral("accept-journal-loss"), QStringLiteral("CDCSCOPE_ACCEPT_JOURNAL_LOSS"), QString(),
         QStringLiteral("If the journal's history is missing or altered (a deleted WAL, an edited payload), serve "
                        "what is intact instead of refusing to start; seqs are never reused."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.server.acceptJournalLoss = parseSwitchValue(value);
             return std::nullopt;
         }},
        {QStringLiteral("reset-journal"), QStringLiteral("CDCSCOPE_RESET_JOURNAL"), QString(),
         QStringLiteral("If the journal cannot be read or its history does not add up, move it aside (renamed, not "
                        "deleted) and start empty."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.server.resetUnreadableJournal = parseSwitchValue(value);
             return std::nullopt;
         }},
        {QStringLiteral("export"), QStringLiteral("CDCSCOPE_EXPORT"), QStringLiteral("file"),
         QStringLiteral("Headless: write the retained events as a JSONL capture to the file, then exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.exportPath = value;
             return std::nullopt;
         }},
        {QStringLiteral("export-channel"), QStringLiteral("CDCSCOPE_EXPORT_CHANNEL"), QStringLiteral("channel"),
         QStringLiteral("With --export: only this channel."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.exportChannel = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("import"), QStringLiteral("CDCSCOPE_IMPORT"), QStringLiteral("file"),
         QStringLiteral("Headless: replay a JSONL capture into the server once it listens."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.importPath = value;
             return std::nullopt;
         }},
        {QStringLiteral("import-channel"), QStringLiteral("CDCSCOPE_IMPORT_CHANNEL"), QStringLiteral("channel"),
         QStringLiteral("With --import: put every event into this channel instead of its recorded one."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.importChannel = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("import-speed"), QStringLiteral("CDCSCOPE_IMPORT_SPEED"), QStringLiteral("factor"),
         QStringLiteral(
             "With --import: 0 = as fast as possible (default), 1 = the recorded pacing, 2 = twice as fast."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto speed = checkSpeedFactor(value);
             if (const auto *error = std::get_if<QString>(&speed))
                 return *error;
             options.importSpeed = std::get<double>(speed);
             return std::nullopt;
         }},
        {QStringLiteral("travel-limit"), QStringLiteral("CDCSCOPE_TRAVEL_LIMIT"), QStringLiteral("count"),
         QStringLiteral("Events a travel returns when it names no limit (default 10000)."),
         countSetting([](AppOptions &options, qint64 count) { options.server.travel.defaultLimit = count; })},
        {QStringLiteral("travel-limit-max"), QStringLiteral("CDCSCOPE_TRAVEL_LIMIT_MAX"), QStringLiteral("count"),
         QStringLiteral("Largest limit a travel may ask for; larger ones are capped (default 50000)."),
         countSetting([](AppOptions &options, qint64 count) { options.server.travel.maxLimit = count; })},
        {QStringLiteral("tls-cert"), QStringLiteral("CDCSCOPE_TLS_CERT"), QStringLiteral("file"),
         QStringLiteral("Serve wss:// and https:// with this PEM certificate (chain); needs --tls-key."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.tlsCertPath = value;
             return std::nullopt;
         }},
        {QStringLiteral("tls-key"), QStringLiteral("CDCSCOPE_TLS_KEY"), QStringLiteral("file"),
         QStringLiteral("The PEM private key of --tls-cert (RSA or EC, unencrypted)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.tlsKeyPath = value;
             return std::nullopt;
         }},
        {QStringLiteral("auth-tokens"), QStringLiteral("CDCSCOPE_AUTH_TOKENS"), QStringLiteral("file|keychain"),
         QStringLiteral("Require a token from every client: a JSON file of tokens and their rights, or \"keychain\" "
                        "for the set stored with --auth-store-tokens (docs/security.md)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed() == u"keychain") {
                 options.authTokensFromKeychain = true;
                 return std::nullopt;
             }
             QFile file(value);
             if (!file.open(QIODevice::ReadOnly))
                 return QStringLiteral("cannot read %1: %2").arg(value, file.errorString());
             auto parsed = AccessControl::parse(file.readAll());
             if (const auto *error = std::get_if<QString>(&parsed))
                 return QStringLiteral("%1: %2").arg(value, *error);
             options.server.accessControl = std::get<std::shared_ptr<const AccessControl>>(parsed);
             return std::nullopt;
         }},
        {QStringLiteral("auth-store-tokens"), QStringLiteral("CDCSCOPE_AUTH_STORE_TOKENS"), QStringLiteral("file"),
         QStringLiteral("Check a token file and store it in the system keychain (for --auth-tokens keychain), then "
                        "exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.storeAuthTokensFrom = value;
             return std::nullopt;
         }},
        {QStringLiteral("allowed-origins"), QStringLiteral("CDCSCOPE_ALLOWED_ORIGINS"), QStringLiteral("list"),
         QStringLiteral("Web origins (https://app.example, comma-separated; * for any) whose pages may use this "
                        "server; a request or upgrade with another Origin gets 403 (default: none)."),
         listSetting(&ServerConfig::allowedOrigins)},
        {QStringLiteral("allowed-hosts"), QStringLiteral("CDCSCOPE_ALLOWED_HOSTS"), QStringLiteral("list"),
         QStringLiteral("Host names (comma-separated; * for any) requests may address this server by, besides "
                        "localhost, IP addresses and this machine's name; on a loopback address any other gets "
                        "403, against DNS rebinding (default: none)."),
         listSetting(&ServerConfig::allowedHosts)},
        {QStringLiteral("delivery-threads"), QStringLiteral("CDCSCOPE_DELIVERY_THREADS"), QStringLiteral("count"),
         QStringLiteral("Threads that own the connections (TLS handshake, HTTP, WebSocket) and write events to "
                        "them; 0 for one per core (default 0). Read at start only."),
         intSetting(&ServerConfig::deliveryThreads, 0, 256)},
        {QStringLiteral("max-connections"), QStringLiteral("CDCSCOPE_MAX_CONNECTIONS"), QStringLiteral("count"),
         QStringLiteral("Open connections (HTTP and WebSocket) beyond which new ones get 503 (default 10000)."),
         limitSetting(&ServerConfig::maxConnections)},
        {QStringLiteral("max-connections-per-ip"), QStringLiteral("CDCSCOPE_MAX_CONNECTIONS_PER_IP"),
         QStringLiteral("count"),
         QStringLiteral("Open connections from one address beyond which new ones get 429 (default 1000)."),
         limitSetting(&ServerConfig::maxConnectionsPerIp)},
        {QStringLiteral("max-subscriptions"), QStringLiteral("CDCSCOPE_MAX_SUBSCRIPTIONS"), QStringLiteral("count"),
         QStringLiteral("Channels one WebSocket connection may subscribe to (default 1000)."),
         limitSetting(&ServerConfig::maxSubscriptionsPerConnection)},
        {QStringLiteral("max-channels"), QStringLiteral("CDCSCOPE_MAX_CHANNELS"), QStringLiteral("count"),
         QStringLiteral("Channels the server holds; a publish that would create more is refused whole with 429 "
                        "(default 100000)."),
         intSetting(&ServerConfig::maxChannels, 1, 100'000'000)},
        {QStringLiteral("metrics-channels"), QStringLiteral("CDCSCOPE_METRICS_CHANNELS"), QStringLiteral("count"),
         QStringLiteral("Channels with their own series in /metrics, the busiest first; the rest are summed "
                        "(default 100; 0: none)."),
         intSetting(&ServerConfig::metricsChannels, 0, 100'000)},
        {QStringLiteral("max-travels-per-second"), QStringLiteral("CDCSCOPE_MAX_TRAVELS_PER_SECOND"),
         QStringLiteral("count"),
         QStringLiteral("Travel requests one connection may make per second, in bursts of as many (default 10)."),
         limitSetting(&ServerConfig::maxTravelsPerSecond)},
        {QStringLiteral("max-body"), QStringLiteral("CDCSCOPE_MAX_BODY"), QStringLiteral("size"),
         QStringLiteral("Largest HTTP request body; larger ones get 413 (default 16MiB)."),
         sizeSetting(&ServerConfig::maxBodyBytes, 1024)},
        {QStringLiteral("body-budget"), QStringLiteral("CDCSCOPE_BODY_BUDGET"), QStringLiteral("size"),
         QStringLiteral("Request bodies all connections together may hold while they are read and answered; past it "
                        "a request gets 503 with Retry-After (default 128MiB)."),
         sizeSetting(&ServerConfig::bodyBudgetBytes, 1024)},
        {QStringLiteral("max-head"), QStringLiteral("CDCSCOPE_MAX_HEAD"), QStringLiteral("size"),
         QStringLiteral("Largest HTTP request head (request line and headers); larger ones get 431 (default 16KiB)."),
         sizeSetting(&ServerConfig::maxHeadBytes, 1024)},
        {QStringLiteral("max-queued"), QStringLiteral("CDCSCOPE_MAX_QUEUED"), QStringLiteral("size"),
         QStringLiteral("Outbound bytes a client may fall behind before it is closed with 1008 (default 16MiB)."),
         sizeSetting(&ServerConfig::maxQueuedBytesPerClient, 4096)},
        {QStringLiteral("max-message"), QStringLiteral("CDCSCOPE_MAX_MESSAGE"), QStringLiteral("size"),
         QStringLiteral("Largest WebSocket message a client may send (default 1MiB)."),
         sizeSetting(&ServerConfig::maxIncomingMessageBytes, 1024)},
        {QStringLiteral("compression"), QStringLiteral("CDCSCOPE_COMPRESSION"), QStringLiteral("on|off"),
         QStringLiteral("Agree permessage-deflate with WebSocket clients that offer it: each event is compressed "
                        "once and shared by its recipients (default on; docs/protocol.md)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const QString mode = value.trimmed().toLower();
             if (mode != u"on" && mode != u"off")
                 return QStringLiteral("'%1' is not a compression mode (on or off)").arg(value);
             options.server.compression = mode == u"on";
             return std::nullopt;
         }},
        {QStringLiteral("compression-min"), QStringLiteral("CDCSCOPE_COMPRESSION_MIN"), QStringLiteral("size"),
         QStringLiteral("Messages smaller than this go uncompressed even to clients that agreed compression "
                        "(default 256)."),
         sizeSetting(&ServerConfig::compressionMinBytes, 0)},
        {QStringLiteral("max-unprocessed"), QStringLiteral("CDCSCOPE_MAX_UNPROCESSED"), QStringLiteral("count"),
         QStringLiteral("WebSocket messages one client may have waiting for the engine; at the limit its connection "
                        "is not read until the engine catches up (default 64)."),
         intSetting(&ServerConfig::maxUnprocessedMessagesPerClient, 1, 100'000)},
        {QStringLiteral("head-timeout"), QStringLiteral("CDCSCOPE_HEAD_TIMEOUT"), QStringLiteral("duration"),
         QStringLiteral("Time a connection has to send a complete request head, else 408 (default 10s)."),
         durationSetting(&ServerConfig::headTimeout)},
        {QStringLiteral("ping-interval"), QStringLiteral("CDCSCOPE_PING_INTERVAL"), QStringLiteral("duration"),
         QStringLiteral("Ping a WebSocket client silent for this long (default 30s)."),
         durationSetting(&ServerConfig::pingInterval)},
        {QStringLiteral("idle-timeout"), QStringLiteral("CDCSCOPE_IDLE_TIMEOUT"), QStringLiteral("duration"),
         QStringLiteral("Close a WebSocket client silent (no frame, no pong) for this long (default 90s)."),
         durationSetting(&ServerConfig::idleTimeout)},
        {QStringLiteral("log-format"), QStringLiteral("CDCSCOPE_LOG_FORMAT"), QStringLiteral("text|json"),
         QStringLiteral("Log lines on stderr as text or as one JSON object per line (default text)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const QString format = value.trimmed().toLower();
             if (format == u"text")
                 options.logFormat = LogFormat::Text;
             else if (format == u"json")
                 options.logFormat = LogFormat::Json;
             else
                 return QStringLiteral("'%1' is not a log format (text or json)").arg(value);
             return std::nullopt;
         }},
        {QStringLiteral("view-rows"), QStringLiteral("CDCSCOPE_VIEW_ROWS"), QStringLiteral("count"),
         QStringLiteral("Rows the window's live events view keeps; older ones scroll away (default 100000)."),
         countSetting([](AppOptions &options, qint64 count) { options.liveViewRows = qsizetype(count); })},
        {QStringLiteral("screenshot"), QStringLiteral("CDCSCOPE_SCREENSHOT"), QStringLiteral("file"),
         QStringLiteral("Window: save a PNG of the window there after 5 seconds, then quit (for docs)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.screenshotPath = value;
             return std::nullopt;
         }},
        {QStringLiteral("redis"), QStringLiteral("CDCSCOPE_REDIS"), QStringLiteral("url"),
         QStringLiteral("Cluster mode: share channels with every instance on this Redis (redis://host:6379/0, "
                        "rediss://..., unix:///path). Password: CDCSCOPE_REDIS_PASSWORD or the keychain "
                        "(--redis-set-password). See docs/cluster.md."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty()) {
                 options.server.cluster.reset();
                 return std::nullopt;
             }
             auto endpoint = parseRedisUrl(value);
             if (const auto *error = std::get_if<QString>(&endpoint))
                 return error->section(QStringLiteral(": "), 1);
             if (!options.server.cluster)
                 options.server.cluster.emplace();
             options.server.cluster->redis = std::get<RedisEndpoint>(endpoint);
             return std::nullopt;
         }},
        {QStringLiteral("redis-ca"), QStringLiteral("CDCSCOPE_REDIS_CA"), QStringLiteral("file"),
         QStringLiteral("rediss://: the CA certificate (PEM) that signed Redis' certificate, trusted besides the "
                        "system's."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (QSslCertificate::fromPath(value).isEmpty())
                 return QStringLiteral("no PEM certificate in \"%1\"").arg(value);
             options.redisCaFile = value;
             return std::nullopt;
         }},
        {QStringLiteral("redis-set-password"), QStringLiteral("CDCSCOPE_REDIS_SET_PASSWORD"), QString(),
         QStringLiteral("Read the --redis password from stdin, store it in the system keychain, and exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (parseSwitchValue(value)) {
                 options.passwordAction = AppOptions::PasswordAction::Set;
                 options.passwordTarget = AppOptions::PasswordTarget::Redis;
             }
             return std::nullopt;
         }},
        {QStringLiteral("redis-forget-password"), QStringLiteral("CDCSCOPE_REDIS_FORGET_PASSWORD"), QString(),
         QStringLiteral("Delete the --redis password from the system keychain, and exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (parseSwitchValue(value)) {
                 options.passwordAction = AppOptions::PasswordAction::Forget;
                 options.passwordTarget = AppOptions::PasswordTarget::Redis;
             }
             return std::nullopt;
         }},
        {QStringLiteral("redis-accept-volatile"), QStringLiteral("CDCSCOPE_REDIS_ACCEPT_VOLATILE"), QString(),
         QStringLiteral("Start even on a Redis that can lose acknowledged events (no persistence, or an "
                        "allkeys-* eviction policy)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.redisAcceptVolatile = parseSwitchValue(value);
             return std::nullopt;
         }},
        {QStringLiteral("redis-advertise-url"), QStringLiteral("CDCSCOPE_REDIS_ADVERTISE_URL"), QStringLiteral("url"),
         QStringLiteral("The address other machines reach this instance at, shown in the Cluster view (default: "
                        "its own ws:// URL)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.redisAdvertiseUrl = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("pg-dsn"), QStringLiteral("CDCSCOPE_PG_DSN"), QStringLiteral("dsn"),
         QStringLiteral("Stream changes from PostgreSQL by logical replication (\"host=db dbname=app user=cdc\"; no "
                        "password in it: see --pg-set-password). Empty: no PostgreSQL source."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty()) {
                 options.server.postgres.reset();
                 return std::nullopt;
             }
             if (const auto error = pg::checkDsn(value))
                 return *error;
             postgresOf(options).dsn = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("pg-slot"), QStringLiteral("CDCSCOPE_PG_SLOT"), QStringLiteral("name"),
         QStringLiteral("Logical replication slot to create or reuse (default cdcscope)."),
         postgresNameSetting(&pg::PostgresConfig::slot)},
        {QStringLiteral("pg-publication"), QStringLiteral("CDCSCOPE_PG_PUBLICATION"), QStringLiteral("name"),
         QStringLiteral("Publication to create or reuse (default cdcscope)."),
         postgresNameSetting(&pg::PostgresConfig::publication)},
        {QStringLiteral("pg-tables"), QStringLiteral("CDCSCOPE_PG_TABLES"), QStringLiteral("list"),
         QStringLiteral("Tables (schema.table, comma-separated) of a publication CDC Scope creates; default: all "
                        "tables. An existing publication is used as it is."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             QStringList tables;
             for (const QString &table : value.split(u',', Qt::SkipEmptyParts))
                 tables.append(table.trimmed());
             tables.removeAll(QString());
             postgresOf(options).tables = tables;
             return std::nullopt;
         }},
        {QStringLiteral("pg-channel-column"), QStringLiteral("CDCSCOPE_PG_CHANNEL_COLUMN"), QStringLiteral("column"),
         QStringLiteral("Column whose value names a change's channel (default organization_id)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty())
                 return QStringLiteral("the channel column must not be empty");
             postgresOf(options).routing.column = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("pg-default-channel"), QStringLiteral("CDCSCOPE_PG_DEFAULT_CHANNEL"), QStringLiteral("channel"),
         QStringLiteral("Channel of rows without the channel column (default: \"schema.table\" per table)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             postgresOf(options).routing.defaultChannel = value.trimmed();
             return std::nullopt;
         }},
        {QStringLiteral("pg-schema-events"), QStringLiteral("CDCSCOPE_PG_SCHEMA_EVENTS"), QString(),
         QStringLiteral("Also publish each table's schema change as an event (op \"schema\") before its next "
                        "change; GET /channels/{id}/schema lists them either way."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             postgresOf(options).schemaEvents = parseSwitchValue(value);
             return std::nullopt;
         }},
        {QStringLiteral("pg-backfill"), QStringLiteral("CDCSCOPE_PG_BACKFILL"), QStringLiteral("list"),
         QStringLiteral("Backfill these tables (schema.table, comma-separated) while streaming: their rows as "
                        "op \"read\" events, in primary-key chunks, once per slot (resumed after a restart)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             QStringList tables;
             for (const QString &table : value.split(u',', Qt::SkipEmptyParts))
                 if (!table.trimmed().isEmpty())
                     tables.append(table.trimmed());
             postgresOf(options).backfillTables = tables;
             return std::nullopt;
         }},
        {QStringLiteral("pg-backfill-chunk"), QStringLiteral("CDCSCOPE_PG_BACKFILL_CHUNK"), QStringLiteral("rows"),
         QStringLiteral("Rows per backfill chunk: one SELECT between one pair of watermarks (default 5000)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             bool ok = false;
             const qint64 rows = value.trimmed().toLongLong(&ok);
             if (!ok || rows < 1 || rows > 100'000)
                 return QStringLiteral("'%1' is not a number of rows between 1 and 100000").arg(value);
             postgresOf(options).backfillChunkSize = rows;
             return std::nullopt;
         }},
        {QStringLiteral("pg-heartbeat"), QStringLiteral("CDCSCOPE_PG_HEARTBEAT"), QStringLiteral("duration"),
         QStringLiteral("Write a logical message into the watched database this often (e.g. 30s; default 0: none), "
                        "so the slot advances on a quiet database while others write WAL."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto interval = parseDuration(value, 86'400'000.0);
             if (!interval || (interval->count() != 0 && interval->count() < 100))
                 return QStringLiteral("'%1' is not 0 or a duration of at least 100ms (examples: 30s, 1m)").arg(value);
             postgresOf(options).heartbeat = *interval;
             return std::nullopt;
         }},
        {QStringLiteral("pg-max-retained-wal"), QStringLiteral("CDCSCOPE_PG_MAX_RETAINED_WAL"), QStringLiteral("size"),
         QStringLiteral("WAL the slot may hold on the server before it is warned about (default 1GiB)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto bytes = parseByteSize(value);
             if (!bytes || *bytes < 1)
                 return QStringLiteral("'%1' is not a size (examples: 512MiB, 2GiB)").arg(value);
             postgresOf(options).maxRetainedWalBytes = *bytes;
             return std::nullopt;
         }},
        {QStringLiteral("pg-silence-limit"), QStringLiteral("CDCSCOPE_PG_SILENCE_LIMIT"), QStringLiteral("duration"),
         QStringLiteral("How long the replication stream may be silent (after a ping) before the connection is "
                        "presumed lost and made again (default 120s; at least 1s)."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             const auto limit = parseDuration(value, 86'400'000.0);
             if (!limit || limit->count() < 1000)
                 return QStringLiteral("'%1' is not a duration of at least 1s (examples: 30s, 2m)").arg(value);
             postgresOf(options).silenceLimit = *limit;
             return std::nullopt;
         }},
        {QStringLiteral("pg-set-password"), QStringLiteral("CDCSCOPE_PG_SET_PASSWORD"), QString(),
         QStringLiteral("Read the --pg-dsn password from stdin, store it in the system keychain, and exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (parseSwitchValue(value))
                 options.passwordAction = AppOptions::PasswordAction::Set;
             return std::nullopt;
         }},
        {QStringLiteral("pg-forget-password"), QStringLiteral("CDCSCOPE_PG_FORGET_PASSWORD"), QString(),
         QStringLiteral("Delete the --pg-dsn password from the system keychain, and exit."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             if (parseSwitchValue(value))
                 options.passwordAction = AppOptions::PasswordAction::Forget;
             return std::nullopt;
         }},
        {QStringLiteral("ingest-stdin"), QStringLiteral("CDCSCOPE_INGEST_STDIN"), QString(),
         QStringLiteral("Publish NDJSON events ({\"organization_id\":..,\"data\":..} per line) read from stdin."),
         [](const QString &value, AppOptions &options) -> std::optional<QString> {
             options.ingestStdin = parseSwitchValue(value);
             return std::nullopt;
         }},
    };
}

// The config file's keys (what the window's Settings dialog writes: saveServerConfig) and the flag
// each one is. A value from the file goes through that flag's parser and range check, so a setting
// means the same and is refused the same wherever it comes from.
struct ConfigKey
{
    const char *key;
    const char *flag;
    bool milliseconds = false; // the file keeps a duration as a number of ms
};

constexpr ConfigKey configKeys[] = {
    {"server/bind", "bind"},
    {"server/port", "port"},
    {"server/delivery_threads", "delivery-threads"},
    {"retention/events_per_channel", "retain-events"},
    {"retention/total_bytes", "retain-bytes"},
    {"retention/bytes_per_channel", "retain-bytes-per-channel"},
    {"retention/max_age_ms", "retain-age", true},
    {"retention/idempotency_bytes", "idempotency-budget"},
    {"travel/default_limit", "travel-limit"},
    {"travel/max_limit", "travel-limit-max"},
    {"limits/max_connections", "max-connections"},
    {"limits/max_connections_per_ip", "max-connections-per-ip"},
    {"limits/max_subscriptions", "max-subscriptions"},
    {"limits/metrics_channels", "metrics-channels"},
    {"limits/max_channels", "max-channels"},
    {"limits/max_travels_per_second", "max-travels-per-second"},
    {"limits/max_body_bytes", "max-body"},
    {"limits/max_head_bytes", "max-head"},
    {"limits/max_queued_bytes", "max-queued"},
    {"limits/max_message_bytes", "max-message"},
    {"limits/body_budget_bytes", "body-budget"},
    {"limits/max_unprocessed_messages", "max-unprocessed"},
    {"websocket/compression", "compression"},
    {"websocket/compression_min_bytes", "compression-min"},
    {"timeouts/head_ms", "head-timeout", true},
    {"timeouts/ping_interval_ms", "ping-interval", true},
    {"timeouts/idle_ms", "idle-timeout", true},
    {"view/live_rows", "view-rows"},
    {"postgres/dsn", "pg-dsn"},
    {"postgres/slot", "pg-slot"},
    {"postgres/publication", "pg-publication"},
    {"postgres/tables", "pg-tables"},
    {"postgres/channel_column", "pg-channel-column"},
    {"postgres/default_channel", "pg-default-channel"},
    {"postgres/schema_events", "pg-schema-events"},
    {"postgres/heartbeat_ms", "pg-heartbeat", true},
    {"postgres/backfill", "pg-backfill"},
    {"postgres/backfill_chunk", "pg-backfill-chunk"},
    {"postgres/max_retained_wal", "pg-max-retained-wal"},
    {"cluster/redis", "redis"},
    {"cluster/accept_volatile", "redis-accept-volatile"},
    {"cluster/advertise_url", "redis-advertise-url"},
};

// A value as the flag would be given it: lists joined with commas, ms durations with their unit.
QString configValueText(const QVariant &value, bool milliseconds)
{
    QString text = value.typeId() == QMetaType::QStringList ? value.toStringList().join(u',') : value.toString();
    if (milliseconds && text.trimmed() != u"0")
        text = text.trimmed() + QStringLiteral("ms");
    return text;
}

// "cdcscope.conf: server/port=70000 is not a port number (0-65535)": the parsers' messages start
// with the value quoted, which the key and its value replace.
QString configError(const QSettings &file, const QString &key, const QString &shown, const QString &given,
                    const QString &error)
{
    const QString quoted = u'\'' + given + u'\'';
    const QString what = error.startsWith(quoted) ? error.mid(quoted.size()).trimmed() : QStringLiteral("— ") + error;
    return QStringLiteral("%1: %2=%3 %4").arg(file.fileName(), key, shown, what);
}

} // namespace

QString explicitConfigFile(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QString path = environment.value(QStringLiteral("CDCSCOPE_CONFIG"));
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if ((argument == u"--config" || argument == u"-config") && i + 1 < arguments.size())
            path = arguments.at(i + 1);
        else if (argument.startsWith(QStringLiteral("--config=")))
            path = argument.mid(9);
    }
    return path;
}

CommandLineOutcome parseCommandLine(const QStringList &arguments, const QProcessEnvironment &environment,
                                    const QSettings *configFile)
{
    CommandLineOutcome outcome;
    const QList<Setting> table = settings();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CDC Scope: a change-data-capture monitor with an embedded CDC WebSocket server.\n"
                       "Each option can also be set by the environment variable named in brackets.\n\n"
                       "Client commands for a running server (cdcscope COMMAND --help for each):\n"
                       "  tail     print events as they arrive; exit 0 after --count of them\n"
                       "  publish  publish NDJSON payloads to a channel\n"
                       "  travel   one replay; exit 3 if history was lost\n"
                       "  export   save a capture (JSONL)\n"
                       "  import   replay a capture through POST /events\n"
                       "  diff     compare two captures (a.jsonl b.jsonl), offline"));
    const QCommandLineOption helpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help and exit."));
    const QCommandLineOption versionOption(QStringLiteral("version"), QStringLiteral("Show the version and exit."));
    const QCommandLineOption headlessOption(QStringLiteral("headless"),
                                            QStringLiteral("Run the server without a window (no display needed)."));
    parser.addOption(helpOption);
    parser.addOption(versionOption);
    parser.addOption(headlessOption);
    const QCommandLineOption connectOption(
        QStringLiteral("connect"),
        QStringLiteral("Window: watch a remote server (a saved connection's name from File > Connect, or a ws:// / "
                       "wss:// URL) instead of starting this computer's server; repeat for one window each."),
        QStringLiteral("name|url"));
    parser.addOption(connectOption);
    for (const Setting &setting : table) {
        const QString help = setting.help + QStringLiteral(" [") + setting.env + u']';
        parser.addOption(setting.valueName.isEmpty() ? QCommandLineOption(setting.flag, help)
                                                     : QCommandLineOption(setting.flag, help, setting.valueName));
    }

    const auto fail = [&outcome](const QString &message) {
        outcome.action = CommandLineOutcome::Action::ExitNow;
        outcome.exitCode = ExitCode::usage;
        outcome.message = QStringLiteral("cdcscope: ") + message + QStringLiteral("\nTry 'cdcscope --help'.");
        return outcome;
    };

    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (parser.isSet(helpOption)) {
        outcome.action = CommandLineOutcome::Action::ExitNow;
        // Qt's first line names argv[0] (or a placeholder before the application object exists).
        QString help = parser.helpText();
        help.replace(0, help.indexOf(u'\n'),
                     QStringLiteral("Usage: cdcscope [options]\n       cdcscope COMMAND URL [options]"));
        outcome.message = help.trimmed();
        return outcome;
    }
    if (parser.isSet(versionOption)) {
        outcome.action = CommandLineOutcome::Action::ExitNow;
        outcome.message = QStringLiteral("cdcscope " CDCSCOPE_VERSION);
        return outcome;
    }

    outcome.options.headless = parser.isSet(headlessOption);
    outcome.options.connectTo = parser.values(connectOption);
    if (outcome.options.headless && !outcome.options.connectTo.isEmpty())
        return fail(QStringLiteral("--connect opens a window on a remote server; it does not go with --headless"));
    if (configFile) {
        for (const ConfigKey &entry : configKeys) {
            const QString key = QLatin1StringView(entry.key);
            if (!configFile->contains(key))
                continue;
            const QVariant stored = configFile->value(key);
            const QString value = configValueText(stored, entry.milliseconds);
            const auto setting = std::find_if(table.cbegin(), table.cend(), [&entry](const Setting &candidate) {
                return candidate.flag == QLatin1StringView(entry.flag);
            });
            Q_ASSERT(setting != table.cend());
            if (const auto error = setting->apply(value, outcome.options))
                return fail(configError(*configFile, key, configValueText(stored, false), value, *error));
        }
    }
    for (const Setting &setting : table) {
        if (environment.contains(setting.env)) {
            if (const auto error = setting.apply(environment.value(setting.env), outcome.options))
                return fail(setting.env + QStringLiteral(": ") + *error);
        }
        if (parser.isSet(setting.flag)) {
            const QString value = setting.valueName.isEmpty() ? QStringLiteral("1") : parser.value(setting.flag);
            if (const auto error = setting.apply(value, outcome.options))
                return fail(QStringLiteral("--") + setting.flag + QStringLiteral(": ") + *error);
        }
    }
    if (!outcome.options.tlsCertPath.isEmpty() || !outcome.options.tlsKeyPath.isEmpty()) {
        auto tls = loadTls(outcome.options.tlsCertPath, outcome.options.tlsKeyPath);
        if (const auto *error = std::get_if<QString>(&tls))
            return fail(*error);
        outcome.options.server.tls = std::get<QSslConfiguration>(tls);
    }
    if ((outcome.options.redisAcceptVolatile || !outcome.options.redisAdvertiseUrl.isEmpty() ||
         !outcome.options.redisCaFile.isEmpty()) &&
        !outcome.options.server.cluster)
        return fail(QStringLiteral("--redis-accept-volatile, --redis-ca and --redis-advertise-url need --redis"));
    if (auto &cluster = outcome.options.server.cluster) {
        cluster->acceptVolatileRedis = cluster->acceptVolatileRedis || outcome.options.redisAcceptVolatile;
        if (!outcome.options.redisAdvertiseUrl.isEmpty())
            cluster->advertiseUrl = outcome.options.redisAdvertiseUrl;
        if (!outcome.options.redisCaFile.isEmpty())
            cluster->redis.caFile = outcome.options.redisCaFile;
        // Redis is the store of record: no journal beside it.
        outcome.options.inMemory = true;
    }
    if (outcome.options.server.postgres && outcome.options.server.postgres->dsn.isEmpty())
        return fail(QStringLiteral("the PostgreSQL options (--pg-*) need --pg-dsn"));
    const bool forRedis = outcome.options.passwordTarget == AppOptions::PasswordTarget::Redis;
    if (outcome.options.passwordAction != AppOptions::PasswordAction::None && !forRedis &&
        !outcome.options.server.postgres)
        return fail(QStringLiteral("--pg-set-password and --pg-forget-password need --pg-dsn"));
    if (outcome.options.passwordAction != AppOptions::PasswordAction::None && forRedis &&
        !outcome.options.server.cluster)
        return fail(QStringLiteral("--redis-set-password and --redis-forget-password need --redis"));
    if (!outcome.options.inMemory) {
        const QString dir = outcome.options.dataDir.isEmpty()
                                ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                : outcome.options.dataDir;
        outcome.options.server.journal =
            JournalOptions{QDir(dir).filePath(QStringLiteral("journal.sqlite")), outcome.options.sync};
    }
    return outcome;
}

} // namespace cdc
