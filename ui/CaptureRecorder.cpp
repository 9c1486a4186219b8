#include "CaptureRecorder.h"

#include "GapMarker.h"
#include "MaskSettings.h"

namespace cdc {

QString CaptureRecorder::start(const QString &path)
{
    stop();
    m_file.setFileName(path);
    m_recorded = 0;
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return tr("cannot record to %1: %2").arg(path, m_file.errorString());
    return {};
}

void CaptureRecorder::stop()
{
    if (m_file.isOpen())
        m_file.close();
}

void CaptureRecorder::record(const QList<LiveEvent> &events)
{
    if (!m_file.isOpen())
        return;
    QByteArray lines;
    for (const LiveEvent &event : events) {
        if (isGapMarker(event))
            continue;
        lines.append(MaskSettings::current().applyToEventJson(event.event.json())).append('\n');
        ++m_recorded;
    }
    // Flushed per batch: what was recorded is on disk if the window is killed.
    if (m_file.write(lines) != lines.size() || !m_file.flush()) {
        const QString error = tr("recording to %1 stopped: %2").arg(m_file.fileName(), m_file.errorString());
        m_file.close();
        Q_EMIT failed(error);
    }
}

} // namespace cdc
