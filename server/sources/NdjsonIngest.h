#pragma once

#include "net/Mailbox.h"

#include <QObject>
#include <QSemaphore>
#include <QThread>

#include <atomic>
#include <memory>

namespace cdc {

class Broker;

// Publishes NDJSON events read from a file descriptor (stdin for --ingest-stdin). Reading and
// parsing run on a worker thread; each chunk of complete lines becomes one batch published on the
// engine's thread through the same append path as POST /events. A bad line is reported with its
// line number and skipped; the lines around it still go through.
class NdjsonIngest : public QObject
{
    Q_OBJECT

public:
    NdjsonIngest(Broker &broker, int fd, QString sourceName, qint64 maxLineBytes, QObject *parent = nullptr);
    ~NdjsonIngest() override;

    void start();
    // Stops reading; safe to call at any time, returns once the worker has ended.
    void stop();

    qint64 acceptedEvents() const { return m_accepted.load(); }
    qint64 rejectedLines() const { return m_rejected.load(); }

Q_SIGNALS:
    // The input reached its end and everything read was handed to the engine.
    void finished(qint64 acceptedEvents, qint64 rejectedLines);

private:
    void readLoop();

    Broker &m_broker;
    int m_fd;
    QString m_sourceName;
    qint64 m_maxLineBytes;
    int m_wakePipe[2] = {-1, -1};
    std::atomic<bool> m_stopping{false};
    std::atomic<qint64> m_accepted{0};
    std::atomic<qint64> m_rejected{0};
    // Batches handed to the engine but not yet stored: bounds what a fast producer can queue.
    QSemaphore m_inFlight{4};
    Mailbox m_inbox{this}; // batches from the reader thread, run on the engine thread
    std::unique_ptr<QThread> m_worker;
};

} // namespace cdc
