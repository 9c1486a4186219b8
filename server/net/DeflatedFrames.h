#pragma once

#include <QByteArray>

#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace cdc {

// The compressed frames of one batch of events (permessage-deflate), each made once, on first
// demand, by whichever delivery thread needs it first, and shared from then on by every recipient
// that agreed the same window — gorilla's PreparedMessage, per batch. Nothing is allocated for a
// batch that no recipient wants compressed.
class DeflatedFrames
{
public:
    explicit DeflatedFrames(size_t events)
        : m_events(events)
    {}

    // The frame of event `index` (whose plain frame is `plain`) for a recipient that agreed a window
    // of `windowBits`: compressed, or `plain` itself when its payload is under `minBytes` or
    // compressing would not make it smaller. Any delivery thread may ask, at the same time.
    const QByteArray &frameFor(size_t index, const QByteArray &plain, int windowBits, qint64 minBytes) const;

private:
    struct Slot
    {
        std::once_flag made;
        QByteArray frame; // empty: the plain frame is the one to send
    };

    size_t m_events;
    mutable std::once_flag m_allocated;
    mutable std::unique_ptr<Slot[]> m_slots; // one per event, for the default window (15 bits)
    // Other windows (a client asked for server_max_window_bits): rare, so behind one lock.
    mutable std::mutex m_otherMutex;
    mutable std::map<std::pair<size_t, int>, QByteArray> m_other;
};

} // namespace cdc
