#include "NdjsonIngest.h"

#include "broker/Broker.h"
#include "Logging.h"
#include "protocol/PublishRequest.h"

#include <QByteArray>

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace cdc {

namespace {
constexpr qsizetype readChunkBytes = 256 * 1024;
constexpr int acquireSliceMs = 100;
} // namespace

NdjsonIngest::NdjsonIngest(Broker &broker, int fd, QString sourceName, qint64 maxLineBytes, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_fd(fd)
    , m_sourceName(std::move(sourceName))
    , m_maxLineBytes(maxLineBytes)
{
    if (::pipe2(m_wakePipe, O_CLOEXEC) != 0)
        m_wakePipe[0] = m_wakePipe[1] = -1;
}

NdjsonIngest::~NdjsonIngest()
{
    stop();
    for (int fd : m_wakePipe)
        if (fd >= 0)
            ::close(fd);
}

void NdjsonIngest::start()
{
    m_worker.reset(QThread::create([this] { readLoop(); }));
    m_worker->setObjectName(QStringLiteral("ndjson-ingest"));
    m_worker->start();
}

void NdjsonIngest::stop()
{
    if (!m_worker)
        return;
    m_stopping = true;
    if (m_wakePipe[1] >= 0) {
        const char wake = 1;
        [[maybe_unused]] const auto written = ::write(m_wakePipe[1], &wake, 1);
    }
    m_worker->wait();
    m_worker.reset();
}

void NdjsonIngest::readLoop()
{
    QByteArray pending;    // bytes after the last complete line
    qint64 lineNumber = 0; // of the last complete line handled
    bool skippingLongLine = false;
    char chunk[readChunkBytes];

    const auto publish = [this](PublishBatch batch) {
        // Wait for room, but keep an eye on stop() so shutdown never deadlocks on a full pipe.
        while (!m_inFlight.tryAcquire(1, acquireSliceMs))
            if (m_stopping)
                return;
        m_inbox.post([this, batch = std::move(batch)] {
            // Counted as accepted only once durable, like a publisher's 2xx.
            m_broker.publish(batch, {}, [this, count = batch.size()](const PublishOutcome &outcome) {
                if (!outcome.refusal)
                    m_accepted += count;
                else
                    qCCritical(lcIngest).noquote()
                        << m_sourceName << "batch of" << count << "lost:" << outcome.refusal->message;
                m_inFlight.release();
            });
        });
    };

    const auto handleLine = [&](QByteArrayView line, PublishBatch &batch) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            return;
        auto parsed = parsePublishBody(line);
        if (const auto *error = std::get_if<PublishError>(&parsed)) {
            ++m_rejected;
            qCWarning(lcIngest).noquote() << m_sourceName << "line" << lineNumber << "skipped:" << error->error.message;
            return;
        }
        batch.append(std::get<PublishBatch>(std::move(parsed)));
    };

    while (!m_stopping) {
        pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_wakePipe[0], POLLIN, 0}};
        if (::poll(fds, m_wakePipe[0] >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (m_stopping)
            break;
        const ssize_t got = ::read(m_fd, chunk, sizeof chunk);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        const bool atEnd = got <= 0;
        if (!atEnd)
            pending.append(chunk, qsizetype(got));
        else if (!pending.isEmpty() && !skippingLongLine)
            pending.append('\n'); // a last line without a newline still counts

        PublishBatch batch;
        qsizetype lineStart = 0;
        for (qsizetype newline; (newline = pending.indexOf('\n', lineStart)) >= 0; lineStart = newline + 1) {
            if (skippingLongLine) {
                skippingLongLine = false;
                continue; // the rest of a line already reported as too long
            }
            handleLine(QByteArrayView(pending).sliced(lineStart, newline - lineStart), batch);
        }
        pending.remove(0, lineStart);
        if (pending.size() > m_maxLineBytes && !skippingLongLine) {
            ++lineNumber;
            ++m_rejected;
            qCWarning(lcIngest).noquote()
                << m_sourceName << "line" << lineNumber << "skipped: longer than" << m_maxLineBytes << "bytes";
            skippingLongLine = true;
        }
        if (skippingLongLine)
            pending.clear();
        if (!batch.isEmpty())
            publish(std::move(batch));
        if (atEnd)
            break;
    }

    // Let every queued batch land before announcing the end.
    while (!m_stopping && !m_inFlight.tryAcquire(4, acquireSliceMs)) {
    }
    if (m_stopping)
        return;
    m_inFlight.release(4);
    m_inbox.post([this] {
        qCInfo(lcIngest).noquote() << m_sourceName << "closed:" << m_accepted.load() << "events accepted,"
                                   << m_rejected.load() << "lines rejected";
        Q_EMIT finished(m_accepted.load(), m_rejected.load());
    });
}

} // namespace cdc
