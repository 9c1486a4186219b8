// The chunked request-body decoder: never crashes, never holds more than its cap, and decodes the
// same whether the bytes arrive at once or one by one.
#include "net/ChunkedBodyDecoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    constexpr qint64 cap = 4096;
    cdc::ChunkedBodyDecoder whole(cap, 256);
    const qsizetype usedAtOnce = whole.feed(input);

    cdc::ChunkedBodyDecoder pieces(cap, 256);
    QByteArray pending;
    qsizetype usedInPieces = 0;
    for (qsizetype at = 0; at < input.size() && pieces.state() == cdc::ChunkedBodyDecoder::State::Reading; ++at) {
        pending.append(input[at]);
        const qsizetype used = pieces.feed(pending);
        usedInPieces += used;
        pending.remove(0, used);
    }
    const bool done = whole.state() == cdc::ChunkedBodyDecoder::State::Done;
    const QByteArray body = whole.takeBody();
    if (whole.state() != pieces.state() || body != pieces.takeBody() || body.size() > cap ||
        (done && usedAtOnce != usedInPieces)) {
        std::fprintf(stderr, "the decoder depends on how the bytes arrive\n");
        std::abort();
    }
    return 0;
}
