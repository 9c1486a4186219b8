#include "PgCluster.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>

#include <pwd.h>
#include <unistd.h>

namespace {

bool runningAsRoot()
{
    return geteuid() == 0;
}

// Hands a folder to the postgres user, which the server runs as when the tests run as root.
bool giveToPostgres(const QString &path)
{
    const passwd *user = getpwnam("postgres");
    return user && chown(QFile::encodeName(path).constData(), user->pw_uid, user->pw_gid) == 0;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

PgCluster::PgCluster()
    : m_binDir(qEnvironmentVariable("CDCSCOPE_PG_BINDIR", QStringLiteral("/usr/lib/postgresql/15/bin")))
{}

PgCluster::~PgCluster()
{
    if (m_port)
        runServerCommand(QStringLiteral("pg_ctl"),
                         {QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"), QStringLiteral("immediate"),
                          QStringLiteral("-w"), QStringLiteral("stop")});
}

bool PgCluster::runServerCommand(const QString &program, const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QString binary = m_binDir + u'/' + program;
    if (!QFile::exists(binary)) {
        m_error = QStringLiteral("%1 not found: PostgreSQL 15's server is not installed (scripts/install-deps.sh "
                                 "installs postgresql-15)")
                      .arg(binary);
        return false;
    }
    if (runningAsRoot())
        process.start(QStringLiteral("runuser"),
                      QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), binary} +
                          arguments);
    else
        process.start(binary, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        m_error = QStringLiteral("%1 failed: %2").arg(program, QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

bool PgCluster::start()
{
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/cdcscope-pg-XXXXXX"));
    if (!m_dir->isValid() || (runningAsRoot() && !giveToPostgres(m_dir->path()))) {
        m_error = QStringLiteral("cannot prepare a folder for the cluster");
        return false;
    }
    m_dataDir = m_dir->filePath(QStringLiteral("data"));
    if (!runServerCommand(QStringLiteral("initdb"),
                          {QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"), QStringLiteral("postgres"),
                           QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--locale=C"),
                           QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=scram-sha-256"),
                           QStringLiteral("--no-sync")}))
        return false;
    m_port = freePort();
    if (!startServer())
        return false;
    return runPsql(QStringLiteral("postgres"),
                   QStringLiteral("CREATE ROLE %1 LOGIN REPLICATION PASSWORD '%2'; GRANT CREATE ON SCHEMA public TO "
                                  "%1; GRANT CREATE ON DATABASE postgres "
                                  "TO %1;")
                       .arg(QLatin1String(role), QLatin1String(password)),
                   nullptr);
}

bool PgCluster::stop()
{
    return runServerCommand(QStringLiteral("pg_ctl"),
                            {QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"), QStringLiteral("fast"),
                             QStringLiteral("-w"), QStringLiteral("stop")});
}

bool PgCluster::restart()
{
    return stop() && startServer();
}

bool PgCluster::startServer()
{
    const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c wal_level=logical "
                                           "-c max_wal_senders=20 -c max_replication_slots=20 -c fsync=off")
                                .arg(m_port)
                                .arg(m_dir->path());
    return runServerCommand(QStringLiteral("pg_ctl"),
                            {QStringLiteral("-D"), m_dataDir, QStringLiteral("-l"),
                             m_dir->filePath(QStringLiteral("server.log")), QStringLiteral("-o"), options,
                             QStringLiteral("-w"), QStringLiteral("start")});
}

QString PgCluster::dsn() const
{
    return QStringLiteral("host=127.0.0.1 port=%1 user=%2 dbname=postgres").arg(m_port).arg(QLatin1String(role));
}

QString PgCluster::socketDsn() const
{
    return QStringLiteral("host=%1 port=%2 user=%3 dbname=postgres")
        .arg(m_dir->path())
        .arg(m_port)
        .arg(QLatin1String(role));
}

bool PgCluster::runPsql(const QString &user, const QString &statements, QString *output)
{
    QProcess psql;
    psql.start(m_binDir + QStringLiteral("/psql"),
               {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-At"), QStringLiteral("-v"),
                QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"), m_dir->path(), QStringLiteral("-p"),
                QString::number(m_port), QStringLiteral("-U"), user, QStringLiteral("-d"), QStringLiteral("postgres"),
                QStringLiteral("-c"), statements});
    if (!psql.waitForFinished(60000) || psql.exitCode() != 0) {
        m_error = QStringLiteral("psql: %1").arg(QString::fromLocal8Bit(psql.readAllStandardError()));
        return false;
    }
    if (output)
        *output = QString::fromUtf8(psql.readAllStandardOutput());
    return true;
}

bool PgCluster::sql(const QString &statements)
{
    return runPsql(QLatin1String(role), statements, nullptr);
}

bool PgCluster::superuserSql(const QString &statements)
{
    return runPsql(QStringLiteral("postgres"), statements, nullptr);
}

QStringList PgCluster::query(const QString &select)
{
    QString output;
    if (!runPsql(QStringLiteral("postgres"), select, &output))
        return {};
    return output.split(u'\n', Qt::SkipEmptyParts);
}

std::unique_ptr<QProcess> PgCluster::startPsql(const QString &statements) const
{
    auto psql = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PGPASSWORD"), QLatin1String(password));
    psql->setProcessEnvironment(environment);
    psql->setProcessChannelMode(QProcess::MergedChannels);
    psql->start(m_binDir + QStringLiteral("/psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                 QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                 QStringLiteral("-U"), QLatin1String(role), QStringLiteral("-d"), QStringLiteral("postgres"),
                 QStringLiteral("-c"), statements});
    return psql;
}
