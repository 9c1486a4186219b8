#include "TravelPaging.h"

namespace cdc::client::travel_paging {

bool isRateLimited(const QJsonObject &errorFrame)
{
    return errorFrame.value(QStringLiteral("error")).toString() == u"rate_limited";
}

std::optional<qint64> nextPageAfter(const QJsonObject &ack, qint64 received, qint64 asked, qint64 lastSeq)
{
    // A CDC Scope server says truncated; a plain one only returns a full page when there is more.
    const qint64 count = ack.contains(QStringLiteral("count")) ? ack.value(QStringLiteral("count")).toInteger() : received;
    if (received == 0 || !(ack.value(QStringLiteral("truncated")).toBool() || count >= asked))
        return std::nullopt;
    return lastSeq;
}

} // namespace cdc::client::travel_paging
