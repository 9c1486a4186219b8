#include "HeadlessFront.h"

#include "CdcServer.h"
#include "Logging.h"
#include "SignalWatcher.h"
#include "sources/NdjsonIngest.h"

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

int HeadlessFront::run()
{
    auto *watcher = new SignalWatcher(this);
    connect(watcher, &SignalWatcher::terminationRequested, this, [this](const QString &name) {
        qCInfo(lcServer).noquote() << "received" << name << "- stopping";
        shutDown();
    });
    m_server = std::make_unique<CdcServer>(m_options.server);
    QString error;
    if (!m_server->start(&error)) {
        qCCritical(lcServer).noquote() << error;
        return ExitCode::runtimeFailure;
    }
    qCInfo(lcServer).noquote() << "cdcscope" << CDCSCOPE_VERSION << "running headless";

    if (m_options.ingestStdin) {
        m_ingest = std::make_unique<NdjsonIngest>(*m_server, STDIN_FILENO, QStringLiteral("stdin"),
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
