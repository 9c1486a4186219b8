#include "HttpResponse.h"

#include "protocol/JsonWriter.h"

namespace cdc {

HttpResponse HttpResponse::json(int status, QByteArray body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message, const QString &hint,
                                 const QString &title)
{
    const QString shownTitle = title.isEmpty() ? QString::fromLatin1(reasonPhrase(status)) : title;
    JsonWriter writer;
    writer.beginObject()
        .field("error", QStringView(shownTitle))
        .field("code", QStringView(code))
        .field("message", QStringView(message));
    if (!hint.isEmpty())
        writer.field("hint", QStringView(hint));
    writer.endObject();
    HttpResponse response = json(status, writer.take());
    response.errorCode = code;
    if (status == 401)
        response.extraHeaders.append({QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer")});
    return response;
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

QByteArray HttpResponse::serialize(bool keepAlive, bool headOnly, bool chunked) const
{
    QByteArray out;
    out.reserve(body.size() + 256);
    out.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ').append(reasonPhrase(status)).append("\r\n");
    if (status != 204) { // a 204 has no content, and says nothing of its length (RFC 9110 §8.6)
        out.append("Content-Type: ").append(contentType).append("\r\n");
        if (!pages)
            out.append("Content-Length: ").append(QByteArray::number(body.size())).append("\r\n");
        else if (chunked)
            out.append("Transfer-Encoding: chunked\r\n");
    }
    out.append("Cache-Control: no-store\r\n");
    for (const auto &[name, value] : extraHeaders)
        out.append(name).append(": ").append(value).append("\r\n");
    out.append(keepAlive && !closeConnection ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    out.append("\r\n");
    if (headOnly || status == 204)
        return out;
    if (!pages || !chunked)
        out.append(body);
    else if (!body.isEmpty()) // an empty first page would read as the last chunk
        out.append(chunk(body));
    return out;
}

QByteArray HttpResponse::chunk(QByteArrayView page)
{
    if (page.isEmpty())
        return QByteArrayLiteral("0\r\n\r\n");
    QByteArray out;
    out.reserve(page.size() + 16);
    out.append(QByteArray::number(page.size(), 16)).append("\r\n").append(page).append("\r\n");
    return out;
}

} // namespace cdc
