#pragma once

#include "HttpRequestHead.h"
#include "HttpResponse.h"

#include <QStringList>

namespace cdc {

// Which web pages may use this server: the origins of --allowed-origins ("*": any). One rule for
// WebSocket upgrades (an Origin outside it is refused) and for HTTP answers (an Origin inside it
// gets the CORS headers that let the page read the answer; any other gets none, and its browser
// keeps the answer from it). Tokens are checked as for any client either way.
class CorsPolicy
{
public:
    explicit CorsPolicy(const QStringList &allowedOrigins)
        : m_allowedOrigins(allowedOrigins)
    {}

    bool allows(QByteArrayView origin) const;
    // Adds Access-Control-Allow-Origin (and Vary: Origin) to an answer to `request`.
    void decorate(const HttpRequestHead &request, HttpResponse &response) const;
    // The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method) or a plain
    // OPTIONS: 204 with the methods `allowedMethods` the resource takes.
    HttpResponse preflight(const HttpRequestHead &request, QByteArrayView allowedMethods) const;

private:
    const QStringList &m_allowedOrigins;
};

} // namespace cdc
