#include "HeadlessFront.h"

#include "CdcServer.h"
#include "Logging.h"
#include "sources/NdjsonIngest.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace cdc {

namespace {

// The self-pipe: a signal handler may only do async-signal-safe work, so it writes the signal
// number here and the event loop does the rest.
int g_signalPipe[2] = {-1, -1};

void forwardSignal(int signalNumber)
{
    const char byte = char(signalNumber);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[0], &byte, 1);
}

// How long clients get to answer the 1001 close before the process leaves anyway.
constexpr int shutdownGraceMs = 3000;

} // namespace

HeadlessFront::HeadlessFront(AppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

HeadlessFront::~HeadlessFront() = default;

void HeadlessFront::installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0) {
        qCWarning(lcServer) << "cannot install signal handlers; SIGTERM will end the process abruptly";
        return;
    }
    m_signalNotifier = new QSocketNotifier(g_signalPipe[1], QSocketNotifier::Read, this);
    connect(m_signalNotifier, &QSocketNotifier::activated, this, &HeadlessFront::onSignal);
    struct sigaction action = {};
    action.sa_handler = forwardSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // A client vanishing mid-write must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
}

void HeadlessFront::onSignal()
{
    char signalNumber = 0;
    [[maybe_unused]] const auto got = ::read(g_signalPipe[1], &signalNumber, 1);
    qCInfo(lcServer).noquote() << "received" << (signalNumber == SIGINT ? "SIGINT" : "SIGTERM") << "- stopping";
    shutDown();
}

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
    installSignalHandlers();
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
