#pragma once

#include <QAbstractEventDispatcher>

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

class QSocketNotifier;

namespace cdc {

// The event loop of a connection thread. Qt's own dispatchers on Linux (glib's and the plain one)
// hand the kernel every socket notifier of the thread on each wake-up — a poll() over ~10 000
// descriptors per event on a thread holding 10 000 connections, which was 60 % of the server's
// time while 19 000 clients connected (docs/performance.md). This one keeps the notifiers in an
// epoll set, so a wake-up costs what is ready, not what is open. Otherwise it behaves like Qt's:
// level-triggered notifiers, posted events first on each pass, timers to the millisecond (every
// type treated as Qt::PreciseTimer), a zero timer fired once per pass, wakeUp() and interrupt()
// from any thread.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    // The notifiers of one descriptor (one per type at most), and the events asked of epoll for them.
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        // Which watch of this descriptor number: a readiness reported for a closed descriptor must
        // not reach the notifiers of a new one that got its number in the same pass.
        quint32 serial = 0;
    };
    struct Timer
    {
        qint64 intervalMs;
        Qt::TimerType type;
        QObject *object;
        Clock::time_point due;
        bool firing = false; // its event is being delivered: not again from within it
    };

    void updateWatch(int fd, const Watch &watch, bool wasWatched);
    int activateNotifiers(int ready);
    int activateTimers();
    // Milliseconds epoll may wait for the next timer; -1 with none.
    int timerWaitMs() const;
    void schedule(int timerId, Timer &timer, Clock::time_point due);
    void drainWakeUps();

    int m_epoll;
    int m_wakeUp;
    std::atomic<bool> m_interrupted{false};
    // A wake-up is written and not yet read: further ones need no system call (Qt wakes a thread
    // for every event posted to it, deleteLater() and queued calls from the thread itself included).
    std::atomic<bool> m_wakeUpPending{false};
    std::unordered_map<int, Watch> m_watches;
    quint32 m_nextSerial = 0; // 0 is the wake-up descriptor's
    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<Clock::time_point, int>> m_deadlines; // (due, timer id)
    std::vector<epoll_event> m_ready;
};

} // namespace cdc
