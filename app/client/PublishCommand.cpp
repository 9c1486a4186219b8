// `cdcscope publish`: NDJSON payloads (or one JSON document) to one channel, in batches.
#include "ClientCommands.h"
#include "EventPoster.h"
#include "FramePrinter.h"
#include "InputLines.h"

#include <cstdio>

namespace cdc::client {

namespace {

constexpr qint64 maxLineBytes = 16 * 1024 * 1024; // the server's default --max-body

struct PublishRun
{
    const ClientOptions &options;
    EventPoster poster{options};
    FramePrinter printer{options.format};
    qint64 published = 0;
    qint64 rejected = 0;

    void reject(qint64 line, const QString &why)
    {
        ++rejected;
        std::fprintf(stderr, "cdcscope publish: line %lld skipped: %s\n", static_cast<long long>(line),
                     qPrintable(why));
    }

    bool send(const QList<OutgoingEvent> &batch)
    {
        if (batch.isEmpty())
            return true;
        const auto result = poster.post(batch);
        if (const auto *error = std::get_if<QString>(&result)) {
            std::fprintf(stderr, "cdcscope publish: lines %lld to %lld not published: %s\n",
                         static_cast<long long>(batch.constFirst().line),
                         static_cast<long long>(batch.constLast().line), qPrintable(*error));
            return false;
        }
        for (const PublishedEvent &event : std::get<QList<PublishedEvent>>(result))
            printer.printPublished(event.line, event.channel, event.seq, event.tsMs);
        published += batch.size();
        return true;
    }

    // Streams NDJSON: each line one payload; blank lines are skipped.
    bool publishLines(InputLines &input)
    {
        const QString channel = options.channels.constFirst();
        while (true) {
            const QList<InputLines::Line> lines = input.next(EventPoster::maxBatchEvents, EventPoster::maxBatchBytes);
            if (lines.isEmpty())
                return true;
            QList<OutgoingEvent> batch;
            for (const InputLines::Line &line : lines) {
                const QByteArray text = line.text.trimmed();
                if (line.tooLong) {
                    reject(line.number, QStringLiteral("longer than %1 bytes").arg(maxLineBytes));
                } else if (!text.isEmpty()) {
                    if (const auto error = checkPayload(text))
                        reject(line.number, *error);
                    else
                        batch.append({line.number, channel, text});
                }
            }
            if (!send(batch))
                return false;
        }
    }
};

} // namespace

int runPublish(const ClientOptions &options)
{
    InputLines input;
    QString error;
    if (!input.open(options.inputPath, maxLineBytes, &error)) {
        std::fprintf(stderr, "cdcscope publish: %s\n", qPrintable(error));
        return ClientExit::failure;
    }
    PublishRun run{options};
    // NDJSON streams line by line. Input whose first line is not JSON by itself may be one
    // document (a pretty-printed object, say): it is read whole, and failing that, line by line
    // after all (nothing was consumed), so each bad line is named.
    const QByteArray firstLine = input.peekFirstNonBlankLine();
    QByteArray whole;
    if (!firstLine.isEmpty() && checkPayload(firstLine) && input.readAllRemaining(maxLineBytes, &whole) &&
        !checkPayload(whole.trimmed())) {
        if (!run.send({{1, options.channels.constFirst(), whole.trimmed()}}))
            return ClientExit::failure;
    } else if (!run.publishLines(input)) {
        return ClientExit::failure;
    }
    std::fprintf(stderr, "cdcscope publish: %lld events published to %s, %lld lines skipped\n",
                 static_cast<long long>(run.published), qPrintable(options.channels.constFirst()),
                 static_cast<long long>(run.rejected));
    return run.rejected > 0 ? ClientExit::rejectedLines : ClientExit::ok;
}

} // namespace cdc::client
