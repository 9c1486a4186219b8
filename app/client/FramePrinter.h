#pragma once

#include "ClientOptions.h"

#include <QByteArray>
#include <QJsonObject>

#include <cstdio>

namespace cdc::client {

// An event frame as the server sent it, with the fields the client commands order and
// de-duplicate by.
struct ReceivedEvent
{
    QString channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
    QByteArray frame; // the wire text
    QJsonObject object;

    // The payload exactly as the frame carries it, never re-serialized.
    QByteArray payload() const;
};

// Writes what a client subcommand received to stdout: ndjson (each frame exactly as the server
// sent it, one per line, for pipelines) or pretty (one readable line each, for people). Every
// write is flushed so a pipeline sees events as they come.
class FramePrinter
{
public:
    explicit FramePrinter(OutputFormat format, std::FILE *out = stdout)
        : m_format(format)
        , m_out(out)
    {}

    void printEvent(const ReceivedEvent &event);
    void printTravelAck(const QByteArray &frame, const QJsonObject &ack);
    void printPublished(qint64 lineNumber, const QString &channel, qint64 seq, qint64 tsMs);

private:
    void writeLine(const QByteArray &line);

    OutputFormat m_format;
    std::FILE *m_out;
};

// Reads an event frame; nullopt for anything else (status frames, acks).
std::optional<ReceivedEvent> readEventFrame(const QByteArray &frame, const QJsonObject &object);

} // namespace cdc::client
