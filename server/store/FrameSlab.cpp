#include "FrameSlab.h"

#include <algorithm>

namespace cdc {

char *FrameSlab::reserve(qsizetype size)
{
    if (m_block.isNull() || m_used + size > m_block.capacity()) {
        // A new block; the old one lives on in the frames that share it.
        m_block = QByteArray();
        m_block.reserve(std::max(m_nextBlockBytes, size));
        m_nextBlockBytes = std::min(2 * m_nextBlockBytes, largestBlockBytes);
        m_used = 0;
    }
    // data_ptr().data() does not detach: the block is shared with earlier frames by design, and
    // the bytes written here lie past every one of them.
    return m_block.data_ptr().data() + m_used;
}

QByteArray FrameSlab::share(char *at, qsizetype size)
{
    m_used += size;
    QByteArray::DataPointer &block = m_block.data_ptr();
    block.d_ptr()->ref();
    return QByteArray(QByteArray::DataPointer(block.d_ptr(), at, size));
}

} // namespace cdc
