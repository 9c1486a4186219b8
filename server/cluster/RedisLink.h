#pragma once

#include "ClusterConfig.h"
#include "RedisConnection.h"

#include <QObject>

#include <functional>
#include <memory>

namespace cdc {

struct ServerMetrics;

// Cluster mode's command connection: checks at start that Redis keeps what it acknowledges, loads
// the scripts (redis_scripts), runs them, and reconnects when the connection drops. Its state is
// the cluster's state in /health. The Pub/Sub connection is RedisFollower's.
class RedisLink : public QObject
{
    Q_OBJECT

public:
    RedisLink(const ClusterConfig &config, ServerMetrics &metrics, QObject *parent = nullptr);
    ~RedisLink() override;

    // Connects, checks persistence, loads the scripts; blocks (running the event loop) until ready
    // or refused, at most `timeoutMs`.
    bool start(int timeoutMs, QString *errorMessage);
    bool isReady() const { return m_command && m_command->isReady(); }
    // Sends a command; a dropped connection answers with an error reply.
    void send(const RedisConnection::Args &args, RedisConnection::Callback callback);
    // Hands what is written to the kernel now, for a last command before the process exits.
    void flush();

    enum class Script { publish, travel };
    // EVALSHA, falling back to EVAL when Redis has forgotten the script (a restart, SCRIPT FLUSH).
    void runScript(Script script, const RedisConnection::Args &keysAndArgs, RedisConnection::Callback callback);

    const ClusterConfig &config() const { return m_config; }
    // Empty while connected; what is wrong otherwise.
    QString problem() const;

Q_SIGNALS:
    // Connected again after a loss, scripts loaded: whatever was missed meanwhile can be read now.
    void reconnected();
    void stateChanged();

private:
    void onCommandReady();
    void checkPersistence(std::function<void(const QString &refusal)> done);
    void loadScripts(std::function<void(const QString &error)> done);
    void setState(bool up, const QString &state);

    ClusterConfig m_config;
    ServerMetrics &m_metrics;
    std::unique_ptr<RedisConnection> m_command;
    QByteArray m_publishSha;
    QByteArray m_travelSha;
    int m_retryMs = 250;
};

} // namespace cdc
