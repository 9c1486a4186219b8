#pragma once

#include "host/MonitorTypes.h"

#include <QFile>
#include <QObject>

namespace cdc {

// File > Record: what the window receives, written as a JSONL capture (the export format, one
// event per line in its wire shape), so it can be imported into the embedded server at any speed
// or compared later. Gap markers are not events and are not written.
class CaptureRecorder : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Empty on success; why the file cannot be written otherwise.
    QString start(const QString &path);
    void stop();
    void record(const QList<LiveEvent> &events);

    bool isRecording() const { return m_file.isOpen(); }
    QString path() const { return m_file.fileName(); }
    qint64 recorded() const { return m_recorded; }

Q_SIGNALS:
    void failed(const QString &error);

private:
    QFile m_file;
    qint64 m_recorded = 0;
};

} // namespace cdc
