#pragma once

#include <QSocketNotifier>

#include <functional>
#include <mutex>
#include <vector>

namespace cdc {

// Calls handed to one thread, run there in the order they were posted: the only way data crosses
// between the engine thread and the delivery threads. A post takes one lock and, when the
// receiving thread has not been woken yet, writes its eventfd; that thread then runs everything
// that piled up in one go. It bypasses Qt's cross-thread event queue, so a busy thread pays one
// wake-up per batch instead of one event per call, and ThreadSanitizer, which cannot see into Qt's
// own futex-based locks, sees every hand-over (the std::mutex and the eventfd).
class Mailbox
{
public:
    // The calls run on `owner`'s thread, and keep doing so if it moves (the wake-up notifier is
    // its child). The mailbox must be one of the owner's members.
    explicit Mailbox(QObject *owner);
    ~Mailbox();
    Mailbox(const Mailbox &) = delete;
    Mailbox &operator=(const Mailbox &) = delete;

    // From any thread.
    void post(std::function<void()> call);

private:
    void drain();

    int m_eventFd;
    QSocketNotifier *m_notifier;
    std::mutex m_mutex;
    std::vector<std::function<void()>> m_calls;
    bool m_wakeupPending = false;
};

} // namespace cdc
