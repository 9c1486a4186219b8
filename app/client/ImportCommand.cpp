// `cdcscope import`: a JSONL capture into a running server through POST /events, as fast as
// possible or at the recorded pacing.
#include "ClientCommands.h"
#include "EventPoster.h"
#include "InputLines.h"
#include "store/Capture.h"

#include <QElapsedTimer>
#include <QThread>

#include <cstdio>

namespace cdc::client {

namespace {

constexpr qint64 maxLineBytes = 16 * 1024 * 1024;

} // namespace

int runImport(const ClientOptions &options)
{
    InputLines input;
    QString error;
    if (!input.open(options.inputPath, maxLineBytes, &error)) {
        std::fprintf(stderr, "cdcscope import: %s\n", qPrintable(error));
        return ClientExit::failure;
    }
    EventPoster poster(options);
    qint64 imported = 0;
    qint64 skipped = 0;
    QList<OutgoingEvent> batch;
    const auto flush = [&]() {
        if (batch.isEmpty())
            return true;
        const auto result = poster.post(batch);
        if (const auto *refusal = std::get_if<QString>(&result)) {
            std::fprintf(stderr, "cdcscope import: lines %lld to %lld not imported: %s\n",
                         static_cast<long long>(batch.constFirst().line),
                         static_cast<long long>(batch.constLast().line), qPrintable(*refusal));
            return false;
        }
        imported += batch.size();
        batch.clear();
        return true;
    };

    // Pacing: an event recorded d ms after the first is sent d / speed ms after the start.
    QElapsedTimer clock;
    clock.start();
    qint64 firstTsMs = -1;
    while (true) {
        const QList<InputLines::Line> lines = input.next(EventPoster::maxBatchEvents, EventPoster::maxBatchBytes);
        if (lines.isEmpty())
            break;
        for (const InputLines::Line &line : lines) {
            if (line.text.trimmed().isEmpty())
                continue;
            auto parsed = line.tooLong ? std::variant<CapturedEvent, QString>(QStringLiteral("line too long"))
                                       : parseCaptureLine(line.text);
            if (const auto *why = std::get_if<QString>(&parsed)) {
                ++skipped;
                std::fprintf(stderr, "cdcscope import: line %lld skipped: %s\n", static_cast<long long>(line.number),
                             qPrintable(*why));
                continue;
            }
            auto &event = std::get<CapturedEvent>(parsed);
            if (options.speed > 0) {
                if (firstTsMs < 0)
                    firstTsMs = event.tsMs;
                const qint64 dueMs = qint64(double(event.tsMs - firstTsMs) / options.speed);
                if (dueMs > clock.elapsed()) {
                    if (!flush())
                        return ClientExit::failure;
                    const qint64 waitMs = dueMs - clock.elapsed();
                    if (waitMs > 0)
                        QThread::msleep(static_cast<unsigned long>(waitMs));
                }
            }
            batch.append({line.number, options.channels.value(0, event.channel), std::move(event.payload)});
            if (batch.size() >= EventPoster::maxBatchEvents && !flush())
                return ClientExit::failure;
        }
        if (!flush())
            return ClientExit::failure;
    }
    std::fprintf(stderr, "cdcscope import: %lld events imported, %lld lines skipped\n",
                 static_cast<long long>(imported), static_cast<long long>(skipped));
    return skipped > 0 ? ClientExit::rejectedLines : ClientExit::ok;
}

} // namespace cdc::client
