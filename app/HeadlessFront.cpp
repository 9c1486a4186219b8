#include "HeadlessFront.h"

#include "CdcServer.h"
#include "KeychainTokens.h"
#include "Logging.h"
#include "PostgresPassword.h"
#include "RedisPassword.h"
#include "SignalWatcher.h"
#include "sources/CaptureImport.h"
#include "sources/NdjsonIngest.h"
#include "store/Capture.h"

#include <QSaveFile>

#include <QCoreApplication>
#include <QTimer>

#include <unistd.h>

namespace cdc {

namespace {

// How long clients get to answer the 1001 close before the process leaves anyway.
constexpr int shutdownGraceMs = 3000;

} // namespace

HeadlessFront::HeadlessFront(AppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

HeadlessFront::~HeadlessFront() = default;

void HeadlessFront::shutDown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (m_ingest)
        m_ingest->stop();
    connect(m_server.get(), &CdcServer::stopped, qApp, [] { QCoreApplication::exit(ExitCode::ok); });
    QTimer::singleShot(shutdownGraceMs, qApp, [] { QCoreApplication::exit(ExitCode::ok); });
    m_server->stop();
}

int HeadlessFront::exportAndExit()
{
    QString error;
    if (!m_server->openStorage(&error)) {
        qCCritical(lcServer).noquote() << error;
        return ExitCode::runtimeFailure;
    }
    const QStringList channels =
        m_options.exportChannel.isEmpty() ? QStringList{} : QStringList{m_options.exportChannel};
    if (!channels.isEmpty() && !m_server->store().channel(channels.front())) {
        qCCritical(lcServer).noquote() << "no channel named" << channels.front() << "to export";
        return ExitCode::runtimeFailure;
    }
    const QByteArray capture = exportCapture(m_server->store(), channels, {});
    QSaveFile file(m_options.exportPath);
    if (!file.open(QIODevice::WriteOnly) || file.write(capture) != capture.size() || !file.commit()) {
        qCCritical(lcServer).noquote() << "cannot write the capture" << m_options.exportPath << ":"
                                       << file.errorString();
        return ExitCode::runtimeFailure;
    }
    qCInfo(lcServer).noquote() << "exported" << capture.count('\n') << "events to" << m_options.exportPath;
    return ExitCode::ok;
}

int HeadlessFront::run()
{
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::terminationRequested, this, [this](const QString &name) {
        qCInfo(lcServer).noquote() << "received" << name << "- stopping";
        shutDown();
    });
    if (m_options.server.postgres && m_options.exportPath.isEmpty())
        qCInfo(lcIngest).noquote() << resolvePostgresPassword(*m_options.server.postgres,
                                                              QProcessEnvironment::systemEnvironment());
    if (m_options.server.cluster)
        qCInfo(lcServer).noquote() << resolveRedisPassword(*m_options.server.cluster,
                                                           QProcessEnvironment::systemEnvironment());
    if (m_options.authTokensFromKeychain) {
        if (const auto error = loadTokensFromKeychain(m_options.server)) {
            qCCritical(lcServer).noquote() << *error;
            return ExitCode::runtimeFailure;
        }
    }
    m_server = std::make_unique<CdcServer>(m_options.server);
    if (!m_options.exportPath.isEmpty())
        return exportAndExit();
    QString error;
    if (!m_server->start(&error)) {
        qCCritical(lcServer).noquote() << error;
        return ExitCode::runtimeFailure;
    }
    qCInfo(lcServer).noquote() << "cdcscope" << CDCSCOPE_VERSION << "running headless";

    if (!m_options.importPath.isEmpty()) {
        auto *import =
            new CaptureImport(m_server->broker(), m_options.importPath,
                              m_options.importChannel.isEmpty() ? std::nullopt : std::optional(m_options.importChannel),
                              m_options.importSpeed, m_server.get());
        if (!import->start(&error)) {
            qCCritical(lcServer).noquote() << error;
            return ExitCode::runtimeFailure;
        }
    }
    if (m_options.ingestStdin) {
        m_ingest = std::make_unique<NdjsonIngest>(m_server->broker(), STDIN_FILENO, QStringLiteral("stdin"),
                                                  m_options.server.maxBodyBytes);
        m_ingest->start();
    }

    const int code = QCoreApplication::exec();
    qCInfo(lcServer) << "stopped";
    m_ingest.reset();
    m_server.reset();
    return code;
}

} // namespace cdc
