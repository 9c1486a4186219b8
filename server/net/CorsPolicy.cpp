#include "CorsPolicy.h"

namespace cdc {

namespace {

// A header list a browser may ask for: tokens separated by commas and spaces, nothing else, so
// echoing it back cannot inject anything into the answer.
bool isHeaderList(QByteArrayView list)
{
    for (const char c : list) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == ',' || c == ' ';
        if (!ok)
            return false;
    }
    return list.size() <= 1024;
}

} // namespace

bool CorsPolicy::allows(QByteArrayView origin) const
{
    return m_allowedOrigins.contains(QStringLiteral("*")) || m_allowedOrigins.contains(QString::fromUtf8(origin));
}

void CorsPolicy::decorate(const HttpRequestHead &request, HttpResponse &response) const
{
    if (m_allowedOrigins.isEmpty())
        return;
    // The answer depends on the Origin asked with: caches must keep them apart.
    response.extraHeaders.append({QByteArrayLiteral("Vary"), QByteArrayLiteral("Origin")});
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty() || !allows(origin))
        return;
    // An origin is echoed only when it was named exactly; "*" is answered with "*", so nothing the
    // client wrote is copied into our headers.
    const bool named = m_allowedOrigins.contains(QString::fromUtf8(origin));
    response.extraHeaders.append({QByteArrayLiteral("Access-Control-Allow-Origin"), named ? origin : "*"});
}

HttpResponse CorsPolicy::preflight(const HttpRequestHead &request, QByteArrayView allowedMethods) const
{
    HttpResponse response;
    response.status = 204;
    response.extraHeaders.append({QByteArrayLiteral("Allow"), allowedMethods.toByteArray()});
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty() || !allows(origin) || !request.hasHeader("access-control-request-method"))
        return response; // a plain OPTIONS, or a page this server does not serve: no CORS grant
    response.extraHeaders.append({QByteArrayLiteral("Access-Control-Allow-Methods"), allowedMethods.toByteArray()});
    const QByteArray asked = request.header("access-control-request-headers");
    response.extraHeaders.append({QByteArrayLiteral("Access-Control-Allow-Headers"),
                                  !asked.isEmpty() && isHeaderList(asked)
                                      ? asked
                                      : QByteArrayLiteral("Authorization, Content-Type, Idempotency-Key")});
    response.extraHeaders.append({QByteArrayLiteral("Access-Control-Max-Age"), QByteArrayLiteral("600")});
    return response;
}

} // namespace cdc
