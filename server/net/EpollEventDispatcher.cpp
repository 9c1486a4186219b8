#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <cstdint>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace cdc {

namespace {
// Ready descriptors taken per wait; more simply come back on the next pass (level-triggered).
constexpr int readyPerWait = 512;

using Milliseconds = std::chrono::milliseconds;
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUp(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_ready(readyPerWait)
{
    if (m_epoll < 0 || m_wakeUp < 0)
        qFatal("EpollEventDispatcher: cannot create its epoll set or eventfd (errno %d)", errno);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = quint32(m_wakeUp); // serial 0
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeUp, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeUp);
    ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool canWait =
        flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_relaxed);
    if (canWait)
        Q_EMIT aboutToBlock();
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const int timeoutMs = !canWait ? 0 : includeTimers ? timerWaitMs() : -1;
    int handled = 0;
    if (includeNotifiers) {
        int ready = ::epoll_wait(m_epoll, m_ready.data(), int(m_ready.size()), timeoutMs);
        if (ready < 0 && errno != EINTR)
            qErrnoWarning(errno, "EpollEventDispatcher: epoll_wait");
        if (ready > 0)
            handled += activateNotifiers(ready);
    } else {
        // Sockets are not to be reported now: wait for a wake-up or a timer only.
        pollfd wake{m_wakeUp, POLLIN, 0};
        if (::poll(&wake, 1, timeoutMs) > 0) {
            drainWakeUps();
            ++handled;
        }
    }
    if (includeTimers)
        handled += activateTimers();
    return handled > 0;
}

int EpollEventDispatcher::activateNotifiers(int ready)
{
    // Taken out first: an activation may enable, disable or delete any notifier, this one's included
    // (each is looked up again right before it is activated).
    struct Ready
    {
        int fd;
        quint32 serial;
        std::uint32_t events;
    };
    std::vector<Ready> events;
    events.reserve(size_t(ready));
    int handled = 0;
    for (int i = 0; i < ready; ++i) {
        const std::uint64_t data = m_ready[size_t(i)].data.u64; // packed: copied out, not bound
        const Ready event{int(quint32(data)), quint32(data >> 32), m_ready[size_t(i)].events};
        if (event.serial == 0) {
            drainWakeUps();
            ++handled;
            continue;
        }
        events.push_back(event);
    }
    const auto activate = [&](const Ready &reported, QSocketNotifier *Watch::*type) {
        const auto watch = m_watches.find(reported.fd);
        if (watch == m_watches.end() || watch->second.serial != reported.serial || !(watch->second.*type))
            return;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(watch->second.*type, &event);
        ++handled;
    };
    for (const Ready &event : events) {
        // As Qt's own dispatcher: an error or hang-up is news to both a reader and a writer.
        if (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
            activate(event, &Watch::read);
        if (event.events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            activate(event, &Watch::write);
        if (event.events & EPOLLPRI)
            activate(event, &Watch::exception);
    }
    return handled;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier->thread() == thread());
    const int fd = int(notifier->socket());
    const auto found = m_watches.find(fd);
    const bool wasWatched = found != m_watches.end();
    Watch watch = wasWatched ? found->second : Watch{};
    QSocketNotifier **slot = notifier->type() == QSocketNotifier::Read    ? &watch.read
                             : notifier->type() == QSocketNotifier::Write ? &watch.write
                                                                          : &watch.exception;
    if (*slot && *slot != notifier)
        qWarning("EpollEventDispatcher: a second socket notifier of the same type for descriptor %d", fd);
    *slot = notifier;
    updateWatch(fd, watch, wasWatched);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto found = m_watches.find(fd);
    if (found == m_watches.end())
        return;
    Watch watch = found->second;
    for (QSocketNotifier **slot : {&watch.read, &watch.write, &watch.exception}) {
        if (*slot == notifier)
            *slot = nullptr;
    }
    updateWatch(fd, watch, true);
}

void EpollEventDispatcher::updateWatch(int fd, const Watch &watch, bool wasWatched)
{
    const std::uint32_t wanted = (watch.read ? std::uint32_t(EPOLLIN | EPOLLRDHUP) : 0u) |
                                 (watch.write ? std::uint32_t(EPOLLOUT) : 0u) |
                                 (watch.exception ? std::uint32_t(EPOLLPRI) : 0u);
    if (wanted == 0) {
        m_watches.erase(fd);
        // Fails harmlessly when the descriptor was closed first (closing took it out of the set).
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        return;
    }
    Watch &kept = m_watches[fd];
    kept = watch;
    if (!wasWatched)
        kept.serial = ++m_nextSerial == 0 ? ++m_nextSerial : m_nextSerial; // never the wake-up's 0
    epoll_event event{};
    event.events = wanted;
    event.data.u64 = (std::uint64_t(kept.serial) << 32) | quint32(fd);
    // Our record and the kernel's can differ when a descriptor was closed and its number reused
    // before its notifiers went: whichever operation the kernel refuses, the other one is right.
    if (::epoll_ctl(m_epoll, wasWatched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) == 0)
        return;
    if (errno == ENOENT || errno == EEXIST) {
        if (::epoll_ctl(m_epoll, wasWatched ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0)
            return;
    }
    qErrnoWarning(errno, "EpollEventDispatcher: cannot watch descriptor %d", fd);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Q_ASSERT(object && object->thread() == thread());
    Timer &timer = m_timers[timerId];
    timer = Timer{interval, timerType, object, {}};
    schedule(timerId, timer, Clock::now() + Milliseconds(interval));
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end())
        return false;
    m_deadlines.erase({found->second.due, timerId});
    m_timers.erase(found);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object != object) {
            ++it;
            continue;
        }
        m_deadlines.erase({it->second.due, it->first});
        it = m_timers.erase(it);
        any = true;
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(id, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end())
        return -1;
    const auto left = std::chrono::ceil<Milliseconds>(found->second.due - Clock::now());
    return int(std::max<qint64>(0, left.count()));
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer, Clock::time_point due)
{
    m_deadlines.erase({timer.due, timerId});
    timer.due = due;
    m_deadlines.emplace(due, timerId);
}

int EpollEventDispatcher::timerWaitMs() const
{
    if (m_deadlines.empty())
        return -1;
    // Rounded up: waking a fraction of a millisecond early would only spin until the deadline.
    const auto left = std::chrono::ceil<Milliseconds>(m_deadlines.begin()->first - Clock::now());
    return int(std::clamp<qint64>(left.count(), 0, std::numeric_limits<int>::max()));
}

int EpollEventDispatcher::activateTimers()
{
    const Clock::time_point now = Clock::now();
    // The timers due now, taken out first: each fires at most once per pass (a zero timer once per
    // pass, not forever), and a handler may stop, start or delete any timer, its own included.
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.push_back(it->second);
    int fired = 0;
    for (int id : due) {
        auto found = m_timers.find(id);
        if (found == m_timers.end() || found->second.firing)
            continue;
        Timer &timer = found->second;
        // The next deadline keeps the timer's rhythm, unless it fell behind by a whole interval.
        Clock::time_point next = timer.due + Milliseconds(timer.intervalMs);
        if (next < now)
            next = now + Milliseconds(timer.intervalMs);
        schedule(id, timer, next);
        timer.firing = true;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer.object, &event);
        found = m_timers.find(id); // the handler may have unregistered it, and others
        if (found != m_timers.end())
            found->second.firing = false;
        ++fired;
    }
    return fired;
}

void EpollEventDispatcher::wakeUp()
{
    if (m_wakeUpPending.exchange(true, std::memory_order_acq_rel))
        return; // the thread has a wake-up to read already, and sends posted events after reading it
    const std::uint64_t one = 1;
    while (::write(m_wakeUp, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    std::uint64_t count = 0;
    while (::read(m_wakeUp, &count, sizeof count) < 0 && errno == EINTR) {
    }
    // After the read: a wake-up from now on is written again. One that came between the two found
    // the flag still set and wrote nothing; its event is sent at the start of the next pass, which
    // follows every drain before the thread can block again. An exchange, not a store: reading the
    // flag orders this thread after every poster that found it set (the eventfd orders the others).
    m_wakeUpPending.exchange(false, std::memory_order_acq_rel);
}

} // namespace cdc
