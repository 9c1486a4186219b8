#pragma once

#include "store/Capture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <optional>

namespace cdc {

class Broker;

// Replays a JSONL capture into the running server through the one append path: as fast as
// possible (speed 0, in durable batches of 1 000) or at the recorded pacing divided by `speed`.
// Each event gets a new seq and ts_ms in its channel (or in `channelOverride`); bad lines are
// reported by number and skipped; nothing already stored changes.
class CaptureImport : public QObject
{
    Q_OBJECT

public:
    CaptureImport(Broker &broker, QString path, std::optional<QString> channelOverride, double speed,
                  QObject *parent = nullptr);

    bool start(QString *error);

Q_SIGNALS:
    void finished(qint64 imported, qint64 rejected);

private:
    void tick();
    bool readNext(); // fills m_next from the file; false at the end
    void publishBatch(QList<CapturedEvent> batch);

    Broker &m_broker;
    QString m_path;
    std::optional<QString> m_channelOverride;
    double m_speed;
    QFile m_file;
    qint64 m_lineNumber = 0;
    std::optional<CapturedEvent> m_next;
    qint64 m_firstTsMs = -1;
    QElapsedTimer m_clock;
    QTimer m_timer;
    bool m_waitingForCommit = false;
    qint64 m_imported = 0;
    qint64 m_rejected = 0;
};

} // namespace cdc
