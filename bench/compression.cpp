// cdcscope-compression: what permessage-deflate costs and saves per event, by size (issue 32) —
// the server's own compressedFrame() (zlib, level 1, no context takeover), zlib at its default
// level 6, and libdeflate (levels 1 and 6) when it was found at build time. Events are CDC rows
// as JSON: an envelope with a row of named columns, Debezium-shaped (before, after, source) from
// 1 KB up. Prints, per size, the compressed size as a share of the original and the time per
// event (median of 5 passes over 2 000 distinct events). Not a test; docs/performance.md.
//   cdcscope-compression
#include "protocol/PermessageDeflate.h"

#include <zlib.h>
#ifdef CDCSCOPE_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

// A change event of about `size` bytes: a small row for the small sizes, Debezium's envelope
// (before, after, source) from 1 KB on.
std::string changeEvent(int id, int size)
{
    const char *names[] = {"customer_id", "status", "total_cents", "currency", "sku", "quantity", "warehouse",
                           "created_at", "updated_at", "note"};
    const auto row = [&](int budget, bool after) {
        std::string text = "{\"id\":" + std::to_string(id);
        for (int column = 0; int(text.size()) + 24 < budget; ++column) {
            const std::string value = std::to_string((id * 7919 + column * 104729) % 1000003);
            text += ",\"" + std::string(names[column % 10]) + (column >= 10 ? std::to_string(column / 10) : "") +
                    "\":\"" + (after && column % 4 == 1 ? std::string("shipped") : value) + "\"";
        }
        return text + "}";
    };
    if (size < 1000)
        return "{\"table\":\"orders\",\"op\":\"u\",\"row\":" + row(size - 40, true) + "}";
    const std::string source = ",\"source\":{\"version\":\"2.5.0.Final\",\"connector\":\"postgresql\",\"name\":"
                               "\"inventory\",\"db\":\"inventory\",\"schema\":\"public\",\"table\":\"orders\",\"txId\":" +
                               std::to_string(5000 + id) + ",\"lsn\":" + std::to_string(33000000 + 64 * id) +
                               "},\"op\":\"u\",\"ts_ms\":1700000000123}";
    const int half = (size - int(source.size()) - 20) / 2;
    return "{\"before\":" + row(half, false) + ",\"after\":" + row(half, true) + source;
}

std::string zlibDeflate(const std::string &payload, int level)
{
    z_stream stream{};
    deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, uLong(payload.size())) + 16, '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(payload.data()));
    stream.avail_in = uInt(payload.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_SYNC_FLUSH);
    out.resize(out.size() - stream.avail_out - 4);
    deflateEnd(&stream);
    return out;
}

#ifdef CDCSCOPE_HAVE_LIBDEFLATE
// libdeflate has no streaming: its output ends with a final block (BFINAL), which RFC 7692
// allows but leaves a client that keeps one inflater across messages unable to read the next.
std::string libdeflateDeflate(libdeflate_compressor *compressor, const std::string &payload)
{
    std::string out(libdeflate_deflate_compress_bound(compressor, payload.size()) + 1, '\0');
    out.resize(libdeflate_deflate_compress(compressor, payload.data(), payload.size(), out.data(), out.size()));
    out.push_back('\0'); // the empty stored block's first byte, its other four left off
    return out;
}
#endif

struct Codec
{
    std::string name;
    std::function<size_t(const std::string &)> compressedSize;
};

} // namespace

int main()
{
    std::vector<Codec> codecs = {
        {"server (zlib 1)",
         [](const std::string &payload) {
             const QByteArray frame =
                 cdc::ws::compressedFrame(cdc::ws::Opcode::Text, QByteArrayView(payload.data(), payload.size()), 15);
             return frame.isEmpty() ? payload.size() : size_t(frame.size() - cdc::ws::headerSize(payload.size()));
         }},
        {"zlib 6", [](const std::string &payload) { return zlibDeflate(payload, 6).size(); }},
    };
#ifdef CDCSCOPE_HAVE_LIBDEFLATE
    libdeflate_compressor *fast = libdeflate_alloc_compressor(1);
    libdeflate_compressor *standard = libdeflate_alloc_compressor(6);
    codecs.push_back({"libdeflate 1", [&](const std::string &payload) { return libdeflateDeflate(fast, payload).size(); }});
    codecs.push_back(
        {"libdeflate 6", [&](const std::string &payload) { return libdeflateDeflate(standard, payload).size(); }});
#endif
    std::printf("%8s", "bytes");
    for (const Codec &codec : codecs)
        std::printf(" | %-24s", (codec.name + " size, us").c_str());
    std::printf("\n");
    for (const int size : {64, 128, 256, 512, 1024, 2048, 4096, 16384}) {
        std::vector<std::string> events;
        size_t total = 0;
        for (int id = 0; id < 2000; ++id) {
            events.push_back(changeEvent(id, size));
            total += events.back().size();
        }
        std::printf("%8zu", total / events.size());
        for (const Codec &codec : codecs) {
            std::vector<double> passes;
            size_t compressed = 0;
            for (int pass = 0; pass < 5; ++pass) {
                compressed = 0;
                const auto start = std::chrono::steady_clock::now();
                for (const std::string &event : events)
                    compressed += codec.compressedSize(event);
                passes.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
                                 double(events.size()));
            }
            std::sort(passes.begin(), passes.end());
            std::printf(" | %5.1f%% %7.2f us        ", 100.0 * double(compressed) / double(total), passes[2]);
        }
        std::printf("\n");
    }
}
