#include "Mailbox.h"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

namespace cdc {

Mailbox::Mailbox(QObject *owner)
    : m_eventFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_notifier(new QSocketNotifier(m_eventFd, QSocketNotifier::Read, owner))
{
    Q_ASSERT(m_eventFd >= 0);
    QObject::connect(m_notifier, &QSocketNotifier::activated, m_notifier, [this] { drain(); });
}

Mailbox::~Mailbox()
{
    delete m_notifier; // before its descriptor closes
    ::close(m_eventFd);
}

void Mailbox::post(std::function<void()> call)
{
    {
        std::lock_guard lock(m_mutex);
        m_calls.push_back(std::move(call));
        if (m_wakeupPending)
            return;
        m_wakeupPending = true;
    }
    const std::uint64_t one = 1;
    while (::write(m_eventFd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void Mailbox::drain()
{
    std::uint64_t count = 0;
    while (::read(m_eventFd, &count, sizeof count) < 0 && errno == EINTR) {
    }
    std::vector<std::function<void()>> calls;
    {
        std::lock_guard lock(m_mutex);
        calls.swap(m_calls);
        m_wakeupPending = false;
    }
    for (std::function<void()> &call : calls)
        call();
}

} // namespace cdc
