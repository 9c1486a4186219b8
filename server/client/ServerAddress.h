#pragma once

#include <QString>
#include <QUrl>

#include <variant>

namespace cdc::client {

// Where a client subcommand finds the server. One address gives both ways in: the WebSocket
// (`/ws`) and the HTTP API on the same port, plain or TLS.
struct ServerAddress
{
    QUrl webSocket; // ws://host:port/ws or wss://host:port/ws
    QUrl http;      // http://host:port or https://host:port, no path

    // "ws://host:port[/ws]", "wss://…", "http://host:port", "https://…" or "host[:port]"
    // (plain, port 4053). The error says what was wrong with the text.
    static std::variant<ServerAddress, QString> parse(const QString &text);

    // `path` percent-encoded where it carries names ("/channels/a%2Fb/export").
    QUrl httpEndpoint(const QString &path) const;
};

// Who reads a connection error, so the remedy names what that reader can change.
enum class Remedy { CommandLine, Window };

// A socket error in words a user can act on: "nothing listens on …", "use ws:// …", "wants a token".
QString describeConnectionError(const QUrl &url, const QString &errorString, Remedy remedy = Remedy::CommandLine);

} // namespace cdc::client
