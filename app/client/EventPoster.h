#pragma once

#include "ClientOptions.h"

#include <QNetworkAccessManager>

#include <variant>

namespace cdc::client {

// One event on its way to POST /events, with the input line it came from.
struct OutgoingEvent
{
    qint64 line = 0;
    QString channel;
    QByteArray payload; // JSON text, checked
};

struct PublishedEvent
{
    qint64 line = 0;
    QString channel;
    qint64 seq = 0;
    qint64 tsMs = 0;
};

// Sends events to POST /events as atomic batches (a JSON array) and reads back the seqs the
// server assigned. publish and import both go through it.
class EventPoster
{
public:
    // A batch is sent when it holds this many events or about this many bytes.
    static constexpr int maxBatchEvents = 1000;
    static constexpr qint64 maxBatchBytes = 4 * 1024 * 1024;

    explicit EventPoster(const ClientOptions &options);

    // The published events in order, or why the server refused the batch (nothing of it is stored).
    std::variant<QList<PublishedEvent>, QString> post(const QList<OutgoingEvent> &batch);

private:
    const ClientOptions &m_options;
    QNetworkAccessManager m_network;
};

// Whether `text` is one JSON value (a payload); the error names what is wrong and where.
std::optional<QString> checkPayload(const QByteArray &text);

} // namespace cdc::client
