// Micro-benchmark of the parsers a request meets before any event is stored: the HTTP head, a
// chunked body, the publish body's JSON. Beside our HTTP code, when built with Debian's
// libhttp-parser-dev (bench/parsers.sh installs it), the same inputs through Node's archived
// http_parser, the one maintained-once C parser Debian 12 packages. And the commit time read from
// each stored event's payload (docs/latency.md) beside an outline of the same payload, the way it
// was first read. Medians of 5 runs; not a test.
//   cdcscope-parsers
#include "net/ChunkedBodyDecoder.h"
#include "net/HttpRequestHead.h"
#include "protocol/CommitTime.h"
#include "protocol/JsonText.h"
#include "protocol/PublishRequest.h"

#ifdef CDCSCOPE_HAVE_HTTP_PARSER
#include <http_parser.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Runs `work` (which handles `units` units) 5 times; the median rate in units per second.
double medianRate(double units, const std::function<void()> &work)
{
    std::vector<double> rates;
    for (int run = 0; run < 5; ++run) {
        const auto start = Clock::now();
        work();
        rates.push_back(units / std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::sort(rates.begin(), rates.end());
    return rates[2];
}

const QByteArray head = "POST /events HTTP/1.1\r\nHost: 127.0.0.1:4053\r\nUser-Agent: python-requests/2.28.1\r\n"
                        "Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\n"
                        "Content-Type: application/json\r\nContent-Length: 183\r\n\r\n";

QByteArray chunkedBody(qsizetype size, qsizetype chunk)
{
    QByteArray out;
    for (qsizetype at = 0; at < size; at += chunk)
        out += QByteArray::number(std::min(chunk, size - at), 16) + "\r\n" +
               QByteArray(std::min(chunk, size - at), 'x') + "\r\n";
    return out + "0\r\n\r\n";
}

QByteArray publishBatch(int events)
{
    QByteArray body = "[";
    for (int i = 0; i < events; ++i) {
        if (i)
            body += ',';
        body +=
            R"({"organization_id":"bench","data":{"table":"orders","op":"update","id":)" + QByteArray::number(i) +
            R"(,"amount":"19.99","status":"shipped","customer":{"name":"Ada Lovelace","tier":3},"ts":1700000000123}})";
    }
    return body + ']';
}

#ifdef CDCSCOPE_HAVE_HTTP_PARSER
struct ParsedByHttpParser
{
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool complete = false;
};

http_parser_settings httpParserSettings()
{
    http_parser_settings settings;
    http_parser_settings_init(&settings);
    settings.on_header_field = [](http_parser *parser, const char *at, size_t length) {
        static_cast<ParsedByHttpParser *>(parser->data)->headers.emplace_back(std::string(at, length), std::string());
        return 0;
    };
    settings.on_header_value = [](http_parser *parser, const char *at, size_t length) {
        static_cast<ParsedByHttpParser *>(parser->data)->headers.back().second.assign(at, length);
        return 0;
    };
    settings.on_body = [](http_parser *parser, const char *at, size_t length) {
        static_cast<ParsedByHttpParser *>(parser->data)->body.append(at, length);
        return 0;
    };
    settings.on_message_complete = [](http_parser *parser) {
        static_cast<ParsedByHttpParser *>(parser->data)->complete = true;
        return 0;
    };
    return settings;
}
#endif

} // namespace

int main()
{
    constexpr int heads = 1'000'000;
    const double ourHeads = medianRate(heads, [] {
        for (int i = 0; i < heads; ++i) {
            const qsizetype end = cdc::HttpRequestHead::findEnd(head);
            auto parsed = cdc::HttpRequestHead::parse(QByteArrayView(head).first(end));
            if (!std::holds_alternative<cdc::HttpRequestHead>(parsed))
                std::abort();
        }
    });
    std::printf("http_head ours_per_s=%.0f", ourHeads);
#ifdef CDCSCOPE_HAVE_HTTP_PARSER
    const http_parser_settings settings = httpParserSettings();
    const double theirHeads = medianRate(heads, [&] {
        for (int i = 0; i < heads; ++i) {
            ParsedByHttpParser parsed;
            http_parser parser;
            http_parser_init(&parser, HTTP_REQUEST);
            parser.data = &parsed;
            // Head only: the body is not there, as a server sees it at first.
            http_parser_execute(&parser, &settings, head.constData(), size_t(head.size()));
            if (parsed.headers.size() != 7)
                std::abort();
        }
    });
    std::printf(" http_parser_per_s=%.0f", theirHeads);
#endif
    std::printf("\n");

    const QByteArray body = chunkedBody(1 << 20, 16 << 10);
    constexpr int bodies = 200;
    const double ourChunked = medianRate(double(bodies), [&] { // each body is 1 MiB
        for (int i = 0; i < bodies; ++i) {
            cdc::ChunkedBodyDecoder decoder(64 << 20, 16 << 10);
            for (qsizetype at = 0; at < body.size(); at += 64 << 10) // socket reads of 64 KiB
                decoder.feed(QByteArrayView(body).sliced(at, std::min<qsizetype>(64 << 10, body.size() - at)));
            if (decoder.state() != cdc::ChunkedBodyDecoder::State::Done || decoder.takeBody().size() != 1 << 20)
                std::abort();
        }
    });
    std::printf("chunked_1MiB_in_16KiB_chunks ours_mib_per_s=%.0f", ourChunked);
#ifdef CDCSCOPE_HAVE_HTTP_PARSER
    const QByteArray request = "POST /events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    const double theirChunked = medianRate(double(bodies), [&] {
        for (int i = 0; i < bodies; ++i) {
            ParsedByHttpParser parsed;
            http_parser parser;
            http_parser_init(&parser, HTTP_REQUEST);
            parser.data = &parsed;
            for (qsizetype at = 0; at < request.size(); at += 64 << 10)
                http_parser_execute(&parser, &settings, request.constData() + at,
                                    size_t(std::min<qsizetype>(64 << 10, request.size() - at)));
            if (!parsed.complete || parsed.body.size() != 1 << 20)
                std::abort();
        }
    });
    std::printf(" http_parser_mib_per_s=%.0f", theirChunked);
#endif
    std::printf("\n");

    const QByteArray batch = publishBatch(1000);
    constexpr int batches = 500;
    const double events = medianRate(double(batches) * 1000, [&] {
        for (int i = 0; i < batches; ++i)
            if (!std::holds_alternative<cdc::PublishBatch>(cdc::parsePublishBody(batch)))
                std::abort();
    });
    std::printf("publish_body_batch_of_1000 events_per_s=%.0f mib_per_s=%.0f\n", events,
                events * double(batch.size()) / 1000 / (1 << 20));
    const QByteArray single = publishBatch(1).mid(1).chopped(1);
    constexpr int singles = 500'000;
    const double singleRate = medianRate(singles, [&] {
        for (int i = 0; i < singles; ++i)
            if (!std::holds_alternative<cdc::PublishBatch>(cdc::parsePublishBody(single)))
                std::abort();
    });
    std::printf("publish_body_single events_per_s=%.0f\n", singleRate);

    const std::pair<const char *, QByteArray> payloads[] = {
        {"postgres",
         R"({"op":"update","schema":"public","table":"orders","xid":7421,"lsn":"0/16B3748","commit_ts_ms":1796063934835,)"
         R"("new":{"id":42,"organization_id":"acme","amount":"12.50","qty":3,"note":"first","paid":true},)"
         R"("old":{"id":42,"organization_id":"acme","amount":"11.50","qty":3,"note":"first","paid":true}})"},
        {"debezium",
         R"({"before":{"id":42,"amount":"11.50"},"after":{"id":42,"amount":"12.50"},"source":{"version":"2.4.0",)"
         R"("connector":"postgresql","db":"app","schema":"public","table":"orders","ts_ms":1796063934835},)"
         R"("op":"u","ts_ms":1796063934901})"},
        {"none", R"({"table":"orders","op":"update","id":42,"amount":"19.99","status":"shipped","ts":1700000000123})"},
    };
    constexpr int reads = 500'000;
    for (const auto &[shape, payload] : payloads) {
        qint64 sum = 0;
        const double direct = medianRate(reads, [&] {
            for (int i = 0; i < reads; ++i)
                sum += cdc::readCommitTimeMs(payload).value_or(0);
        });
        const double outlined = medianRate(reads, [&] {
            for (int i = 0; i < reads; ++i)
                sum += qint64(std::get<cdc::JsonOutline>(cdc::JsonOutline::read(payload, 3)).root().childCount);
        });
        std::printf("commit_time_%s bytes=%lld ours_per_s=%.0f outline_per_s=%.0f (%lld)\n", shape,
                    static_cast<long long>(payload.size()), direct, outlined, static_cast<long long>(sum % 10));
    }
    return 0;
}
