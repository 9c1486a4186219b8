#include "ConnectionThreads.h"

#include "HttpApi.h"
#include "Logging.h"
#include "ServerMetrics.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>
#include <sys/socket.h>
#include <unistd.h>

namespace cdc {

namespace {

QHostAddress peerAddressOf(qintptr descriptor)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
}

} // namespace

ConnectionThreads::ConnectionThreads(const ServerConfig &config, ServerMetrics &metrics, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_metrics(metrics)
    , m_limiter(m_config.maxConnections, m_config.maxConnectionsPerIp)
{
    const int threads =
        m_config.deliveryThreads > 0 ? m_config.deliveryThreads : std::max(1, QThread::idealThreadCount());
    for (int i = 0; i < threads; ++i) {
        auto thread = std::make_unique<DeliveryThread>(i);
        DeliveryLane *lane = thread->startLane();
        m_threads.push_back(std::move(thread));
        m_lanes.push_back(lane);
        m_open.insert(lane, 0);
        relay(lane);
    }
}

ConnectionThreads::~ConnectionThreads()
{
    stop();
}

void ConnectionThreads::stop()
{
    m_threads.clear(); // each joins; its lane and connections go with it
    m_lanes.clear();
    m_open.clear();
}

void ConnectionThreads::relay(DeliveryLane *lane)
{
    // Emitted on the lane's thread; each becomes a call on this thread, in the order it was said.
    connect(
        lane, &DeliveryLane::httpRequest, lane,
        [this, lane](quint64 id, const HttpRequestHead &head, const QByteArray &body, const Access &access) {
            m_inbox.post([this, lane, id, head, body, access] { onRequest(lane, id, head, body, access); });
        },
        Qt::DirectConnection);
    connect(
        lane, &DeliveryLane::pageWanted, lane,
        [this, lane](quint64 id, const std::shared_ptr<ResponsePages> &pages) {
            m_inbox.post([this, lane, id, pages] {
                postTo(lane, [lane, id, page = pages->next()] { lane->answerPage(id, page); });
            });
        },
        Qt::DirectConnection);
    connect(
        lane, &DeliveryLane::connectionEnded, lane,
        [this, lane](quint64 id) { m_inbox.post([this, lane, id] { onEnded(lane, id); }); }, Qt::DirectConnection);
    connect(
        lane, &DeliveryLane::metricsUpdate, lane,
        [this](const std::function<void(ServerMetrics &)> &update) {
            m_inbox.post([this, update] { update(m_metrics); });
        },
        Qt::DirectConnection);
}

void ConnectionThreads::postTo(DeliveryLane *lane, std::function<void()> call)
{
    if (!m_lanes.empty()) // after stop() the lanes are gone
        lane->inbox().post(std::move(call));
}

void ConnectionThreads::accept(qintptr descriptor, std::shared_ptr<const ConnectionSettings> settings)
{
    if (m_lanes.empty()) {
        ::close(int(descriptor));
        return;
    }
    const quint64 id = m_nextId++;
    const QHostAddress peer = peerAddressOf(descriptor);
    std::optional<HttpResponse> refusal;
    auto admitted = m_limiter.admit(peer);
    if (const auto *limit = std::get_if<ConnectionLimiter::Refusal>(&admitted)) {
        m_metrics.countLimit(limit->limit);
        qCWarning(lcNet).noquote() << "refused a connection from" << peer.toString() << ':' << limit->message;
        Q_EMIT noticed({ServerNotice::Kind::ConnectionRefused, QDateTime::currentMSecsSinceEpoch(), peer.toString(),
                        tr("connection refused: %1").arg(limit->message)});
        refusal = HttpResponse::error(limit->status, limit->code, limit->message);
    } else {
        m_slots.emplace(id, std::get<ConnectionSlot>(std::move(admitted)));
    }
    DeliveryLane *lane = *std::min_element(m_lanes.begin(), m_lanes.end(), [this](DeliveryLane *a, DeliveryLane *b) {
        return m_open.value(a) < m_open.value(b);
    });
    ++m_open[lane];
    postTo(lane, [lane, id, descriptor, settings = std::move(settings), refusal = std::move(refusal)] {
        lane->accept(id, descriptor, settings, refusal);
    });
}

void ConnectionThreads::retire(const std::shared_ptr<const ConnectionSettings> &settings)
{
    for (DeliveryLane *lane : m_lanes)
        postTo(lane, [lane, settings] { lane->closeHttpConnections(settings.get()); });
}

void ConnectionThreads::onRequest(DeliveryLane *lane, quint64 id, const HttpRequestHead &head, const QByteArray &body,
                                  const Access &access)
{
    if (!m_api)
        return;
    // The answer may come later (a publish, once durable); it goes back to the connection's lane.
    m_api->handle(head, body, access, [self = QPointer<ConnectionThreads>(this), lane, id](const HttpResponse &response) {
        if (self)
            self->postTo(lane, [lane, id, response] { lane->answer(id, response); });
    });
}

void ConnectionThreads::onEnded(DeliveryLane *lane, quint64 id)
{
    m_slots.erase(id);
    const auto open = m_open.find(lane);
    if (open != m_open.end())
        --open.value();
}

} // namespace cdc
