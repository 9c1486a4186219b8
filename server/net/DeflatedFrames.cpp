#include "DeflatedFrames.h"

#include "protocol/PermessageDeflate.h"

namespace cdc {

const QByteArray &DeflatedFrames::frameFor(size_t index, const QByteArray &plain, int windowBits, qint64 minBytes) const
{
    if (windowBits == 15) {
        std::call_once(m_allocated, [this] { m_slots = std::make_unique<Slot[]>(m_events); });
        Slot &slot = m_slots[index];
        std::call_once(slot.made, [&] { slot.frame = ws::compressedFrameOf(plain, windowBits, minBytes); });
        return slot.frame.isEmpty() ? plain : slot.frame;
    }
    std::lock_guard lock(m_otherMutex);
    const auto key = std::pair(index, windowBits);
    auto found = m_other.find(key);
    if (found == m_other.end())
        found = m_other.emplace(key, ws::compressedFrameOf(plain, windowBits, minBytes)).first;
    return found->second.isEmpty() ? plain : found->second;
}

} // namespace cdc
