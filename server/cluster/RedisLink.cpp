#include "RedisLink.h"

#include "Logging.h"
#include "RedisScripts.h"
#include "ServerMetrics.h"

#include <QEventLoop>
#include <QTimer>

namespace cdc {

namespace {

constexpr int maxRetryMs = 5000;

} // namespace

RedisLink::RedisLink(const ClusterConfig &config, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_metrics(metrics)
{
}

RedisLink::~RedisLink() = default;

void RedisLink::setState(bool up, const QString &state)
{
    if (m_metrics.cluster.redisUp == up && m_metrics.cluster.redisState == state)
        return;
    if (up)
        qCInfo(lcServer).noquote() << "redis:" << m_config.redis.display() << state;
    else
        qCWarning(lcServer).noquote() << "redis:" << m_config.redis.display() << state;
    m_metrics.cluster.redisUp = up;
    m_metrics.cluster.redisState = state;
    Q_EMIT stateChanged();
}

QString RedisLink::problem() const
{
    if (m_metrics.cluster.redisUp)
        return {};
    return QStringLiteral("Redis at %1: %2").arg(m_config.redis.display(), m_metrics.cluster.redisState);
}

bool RedisLink::start(int timeoutMs, QString *errorMessage)
{
    QEventLoop loop;
    QString refusal;
    bool finished = false;
    const auto finish = [&](const QString &why) {
        refusal = why;
        finished = true;
        loop.quit();
    };
    m_command = std::make_unique<RedisConnection>(m_config.redis,
                                                  QStringLiteral("cdcscope-%1").arg(m_metrics.cluster.instanceId));
    const auto connection = connect(m_command.get(), &RedisConnection::lost, &loop, [&](const QString &reason) {
        const bool password = reason.contains(QLatin1String("NOAUTH")) || reason.contains(QLatin1String("WRONGPASS")) ||
                              reason.contains(QLatin1String("invalid password"));
        finish(QStringLiteral("cannot use Redis at %1: %2%3")
                   .arg(m_config.redis.display(), reason,
                        password ? QStringLiteral(" — give its password with CDCSCOPE_REDIS_PASSWORD or store it "
                                                  "with `cdcscope --redis URL --redis-set-password` (docs/cluster.md)")
                                 : QString()));
    });
    connect(m_command.get(), &RedisConnection::ready, &loop, [&] {
        checkPersistence([&, this](const QString &problem) {
            if (!problem.isEmpty())
                return finish(problem);
            loadScripts([&](const QString &error) { finish(error); });
        });
    });
    QTimer::singleShot(timeoutMs, &loop, [&] {
        finish(QStringLiteral("Redis at %1 did not answer within %2 ms").arg(m_config.redis.display()).arg(timeoutMs));
    });
    m_command->open();
    if (!finished)
        loop.exec();
    disconnect(connection);
    m_command->disconnect(&loop);
    if (!refusal.isEmpty()) {
        if (errorMessage)
            *errorMessage = refusal;
        m_command.reset();
        return false;
    }
    // From here on a lost connection is retried, never fatal.
    connect(m_command.get(), &RedisConnection::lost, this, [this](const QString &reason) {
        setState(false, QStringLiteral("lost (%1); reconnecting").arg(reason));
        QTimer::singleShot(m_retryMs, this, [this] { m_command->open(); });
        m_retryMs = std::min(m_retryMs * 2, maxRetryMs);
    });
    connect(m_command.get(), &RedisConnection::ready, this, &RedisLink::onCommandReady);
    setState(true, QStringLiteral("connected"));
    return true;
}

void RedisLink::onCommandReady()
{
    m_retryMs = 250;
    // A restarted Redis has forgotten the scripts; publishes meanwhile fall back to EVAL anyway.
    loadScripts([this](const QString &error) {
        if (!error.isEmpty())
            return setState(false, error);
        setState(true, QStringLiteral("connected"));
        Q_EMIT reconnected();
    });
}

void RedisLink::send(const RedisConnection::Args &args, RedisConnection::Callback callback)
{
    m_command->send(args, std::move(callback));
}

void RedisLink::flush()
{
    if (m_command)
        m_command->flush();
}

void RedisLink::checkPersistence(std::function<void(const QString &)> done)
{
    m_command->send(
        {QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("*")},
        [this, done = std::move(done)](const RedisReply &reply) {
            const QString where = m_config.redis.display();
            const QString override = QStringLiteral("--redis-accept-volatile starts anyway (docs/cluster.md)");
            if (reply.isError()) {
                if (m_config.acceptVolatileRedis)
                    return done(QString());
                return done(QStringLiteral("cannot check that Redis at %1 keeps what it acknowledges (CONFIG GET: "
                                           "%2); %3")
                                .arg(where, QString::fromUtf8(reply.text), override));
            }
            QHash<QByteArray, QByteArray> settings;
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2)
                settings.insert(reply.elements[i].text, reply.elements[i + 1].text);
            const bool aof = settings.value("appendonly") == "yes";
            const bool rdb = !settings.value("save").trimmed().isEmpty();
            const QByteArray policy = settings.value("maxmemory-policy");
            QString problem;
            if (!aof && !rdb)
                problem = QStringLiteral("Redis at %1 keeps nothing on disk (appendonly no, save \"\"): a restart "
                                         "loses every acknowledged event. Set appendonly yes (appendfsync always "
                                         "for at-least-once), or %2")
                              .arg(where, override);
            else if (policy.startsWith("allkeys-"))
                problem = QStringLiteral("Redis at %1 evicts any key under memory pressure (maxmemory-policy %2): "
                                         "streams and counters could vanish. Set maxmemory-policy noeviction, or %3")
                              .arg(where, QString::fromLatin1(policy), override);
            if (!problem.isEmpty() && !m_config.acceptVolatileRedis)
                return done(problem);
            if (!problem.isEmpty())
                qCWarning(lcServer).noquote()
                    << problem.section(QStringLiteral(". "), 0, 0) << "- accepted (--redis-accept-volatile)";
            else if (!aof)
                qCWarning(lcServer).noquote() << "redis:" << where
                                              << "snapshots only (no appendonly): a crash loses what was acknowledged "
                                                 "since the last snapshot; the epoch will say so";
            else if (settings.value("appendfsync") != "always")
                qCInfo(lcServer).noquote() << "redis:" << where << "appendfsync" << settings.value("appendfsync")
                                           << "- a power loss can take the last second of acknowledged events";
            done(QString());
        });
}

void RedisLink::loadScripts(std::function<void(const QString &)> done)
{
    m_command->send({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), redis_scripts::publish},
                    [this](const RedisReply &reply) {
                        if (!reply.isError())
                            m_publishSha = reply.text;
                    });
    m_command->send({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), redis_scripts::travel},
                    [this, done = std::move(done)](const RedisReply &reply) {
                        if (reply.isError())
                            return done(QStringLiteral("Redis at %1 refused the cluster scripts: %2")
                                            .arg(m_config.redis.display(), QString::fromUtf8(reply.text)));
                        m_travelSha = reply.text;
                        done(
                            m_publishSha.isEmpty()
                                ? QStringLiteral("Redis at %1 refused the publish script").arg(m_config.redis.display())
                                : QString());
                    });
}

void RedisLink::runScript(Script which, const RedisConnection::Args &keysAndArgs, RedisConnection::Callback callback)
{
    const QByteArray &script = which == Script::publish ? redis_scripts::publish : redis_scripts::travel;
    const QByteArray &sha = which == Script::publish ? m_publishSha : m_travelSha;
    auto onReply = [this, script, keysAndArgs, callback = std::move(callback)](const RedisReply &reply) {
        // A Redis restarted (or flushed with SCRIPT FLUSH) since the scripts were loaded: send the
        // script itself, which loads it again.
        if (reply.isError() && reply.text.startsWith("NOSCRIPT"))
            return m_command->send(RedisConnection::Args{QByteArrayLiteral("EVAL"), script} + keysAndArgs, callback);
        callback(reply);
    };
    m_command->send(RedisConnection::Args{QByteArrayLiteral("EVALSHA"), sha} + keysAndArgs, std::move(onReply));
}

} // namespace cdc
