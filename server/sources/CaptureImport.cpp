#include "CaptureImport.h"

#include "broker/Broker.h"
#include "Logging.h"
#include "store/Capture.h"

namespace cdc {

namespace {
constexpr int batchSize = 1000;
constexpr int pacingTickMs = 2;
} // namespace

CaptureImport::CaptureImport(Broker &broker, QString path, std::optional<QString> channelOverride, double speed,
                             QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_path(std::move(path))
    , m_channelOverride(std::move(channelOverride))
    , m_speed(speed)
    , m_file(m_path)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &CaptureImport::tick);
}

bool CaptureImport::start(QString *error)
{
    if (!m_file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the capture %1: %2").arg(m_path, m_file.errorString());
        return false;
    }
    qCInfo(lcIngest).noquote() << "importing" << m_path
                               << (m_speed > 0 ? QStringLiteral("at %1x the recorded pacing").arg(m_speed)
                                               : QStringLiteral("as fast as possible"));
    m_clock.start();
    m_timer.start(m_speed > 0 ? pacingTickMs : 0);
    return true;
}

bool CaptureImport::readNext()
{
    while (!m_next && !m_file.atEnd()) {
        const QByteArray line = m_file.readLine();
        ++m_lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        auto parsed = parseCaptureLine(line);
        if (auto *problem = std::get_if<QString>(&parsed)) {
            ++m_rejected;
            qCWarning(lcIngest).noquote() << "capture" << m_path << "line" << m_lineNumber << "skipped:" << *problem;
            continue;
        }
        m_next = std::get<CapturedEvent>(std::move(parsed));
        if (m_channelOverride)
            m_next->channel = *m_channelOverride;
        if (m_firstTsMs < 0)
            m_firstTsMs = m_next->tsMs;
    }
    return m_next.has_value();
}

void CaptureImport::tick()
{
    if (m_waitingForCommit)
        return;
    QList<CapturedEvent> due;
    while (due.size() < batchSize && readNext()) {
        // Recorded gaps, scaled: an event is due (ts - first ts) / speed after the start.
        if (m_speed > 0 && double(m_next->tsMs - m_firstTsMs) / m_speed > double(m_clock.elapsed()))
            break;
        due.append(*std::exchange(m_next, std::nullopt));
    }
    if (!due.isEmpty()) {
        publishBatch(std::move(due));
        return;
    }
    if (!m_next && m_file.atEnd()) {
        m_timer.stop();
        qCInfo(lcIngest).noquote() << "capture" << m_path << "imported:" << m_imported << "events," << m_rejected
                                   << "lines skipped";
        Q_EMIT finished(m_imported, m_rejected);
    }
}

void CaptureImport::publishBatch(QList<CapturedEvent> batch)
{
    PublishBatch events;
    events.reserve(batch.size());
    for (CapturedEvent &event : batch)
        events.append({std::move(event.channel), std::move(event.payload)});
    m_waitingForCommit = true;
    // The next batch waits until this one is durable: the file is read no faster than stored.
    m_broker.publish(events, {}, [this, count = events.size()](const PublishOutcome &outcome) {
        m_waitingForCommit = false;
        if (!outcome.refusal)
            m_imported += count;
        else
            m_rejected += count;
    });
}

} // namespace cdc
