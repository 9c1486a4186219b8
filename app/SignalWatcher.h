#pragma once

#include <QObject>

class QSocketNotifier;

namespace cdc {

// Turns SIGINT and SIGTERM into a Qt signal on the event loop (through a socket pair: a signal
// handler may only do async-signal-safe work), and ignores SIGPIPE so a client vanishing mid-write
// cannot kill the process. One per process.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);

Q_SIGNALS:
    void terminationRequested(const QString &signalName);

private:
    void onActivated();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace cdc
