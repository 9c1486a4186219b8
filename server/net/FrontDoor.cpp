#include "FrontDoor.h"

#include "ConnectionThreads.h"

namespace cdc {

namespace {

// A QTcpServer that hands over the descriptor itself: no QTcpSocket is made on this thread (it
// would own notifiers here, on the wrong thread for the connection's whole life).
class DescriptorServer : public QTcpServer
{
public:
    explicit DescriptorServer(std::function<void(qintptr)> take)
        : m_take(std::move(take))
    {}

protected:
    void incomingConnection(qintptr descriptor) override { m_take(descriptor); }

private:
    std::function<void(qintptr)> m_take;
};

} // namespace

FrontDoor::FrontDoor(const ServerConfig &config, ConnectionThreads &threads, QObject *parent)
    : QObject(parent)
    , m_threads(threads)
    , m_settings(std::make_shared<const ConnectionSettings>(config))
    , m_tcpServer(
          std::make_unique<DescriptorServer>([this](qintptr descriptor) { m_threads.accept(descriptor, m_settings); }))
{
    // Qt's default backlog of 50 drops SYNs when hundreds of clients reconnect at once (after a
    // restart or a network blip), and each dropped one waits out a 1 s, then 3 s retransmission.
    // 1024 still overflowed with 2 000 upgrading at once (19 000 greeted in 5.3 s instead of 4.2 s,
    // docs/performance.md): ask for the most, which the kernel caps at net.core.somaxconn (4096
    // on Debian 12).
    m_tcpServer->setListenBacklogSize(65535);
}

FrontDoor::~FrontDoor()
{
    m_tcpServer->close();
    m_threads.retire(m_settings);
}

bool FrontDoor::listen(QString *errorMessage)
{
    if (m_tcpServer->listen(m_settings->config.bindAddress, m_settings->config.port))
        return true;
    if (errorMessage)
        *errorMessage = m_tcpServer->errorString();
    return false;
}

void FrontDoor::stopListening()
{
    m_tcpServer->close();
}

} // namespace cdc
