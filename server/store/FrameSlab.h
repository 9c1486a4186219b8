#pragma once

#include <QByteArray>

namespace cdc {

// Storage for many small frames in a few larger blocks: each frame is a QByteArray that shares its
// block, so a retained event costs no allocation and no allocator overhead of its own, and a
// block is freed when the last frame in it is. Frames are written once, before anyone sees them,
// and never change.
class FrameSlab
{
public:
    // Blocks start small and double up to the largest, so a channel that holds a few events (one of
    // thousands a PostgreSQL source may route to) costs about what its frames do.
    static constexpr qsizetype firstBlockBytes = 1024;
    static constexpr qsizetype largestBlockBytes = 64 * 1024;

    // A frame of `size` bytes that `fill(char *)` writes; the returned array owns a share of the block.
    template <typename Fill> QByteArray make(qsizetype size, Fill fill)
    {
        char *at = reserve(size);
        fill(at);
        return share(at, size);
    }

private:
    char *reserve(qsizetype size);
    QByteArray share(char *at, qsizetype size);

    QByteArray m_block;
    qsizetype m_used = 0;
    qsizetype m_nextBlockBytes = firstBlockBytes;
};

} // namespace cdc
