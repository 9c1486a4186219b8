#pragma once

#include "inspect/FieldFilter.h"
#include "client/ServerAddress.h"

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QSslCertificate>
#include <QStringList>

#include <chrono>
#include <optional>

namespace cdc::client {

// Exit codes of the client subcommands (docs/cli.md): what a CI step branches on.
namespace ClientExit {
inline constexpr int ok = 0;
inline constexpr int timeout = 1;       // --timeout ran out first
inline constexpr int notFound = 1;      // history: the row never changed in what the server retains
inline constexpr int failure = 2;       // bad usage, connection or protocol error, server refusal
inline constexpr int gap = 3;           // travel: history the request asked for was already dropped
inline constexpr int rejectedLines = 4; // publish/import: some input lines were bad (the rest went through)
} // namespace ClientExit

enum class Command { Tail, Publish, Travel, Export, Import, History };
enum class OutputFormat { Ndjson, Pretty };

// Everything one client subcommand was asked to do.
struct ClientOptions
{
    Command command = Command::Tail;
    ServerAddress server;
    QString clientName;   // X-Athena-Client (tail, travel)
    QStringList channels; // tail: channels to follow; travel/export/publish/import: at most one
    std::optional<qint64> sinceSeq;
    std::optional<qint64> sinceTsMs;
    std::optional<qint64> untilSeq;
    std::optional<qint64> untilTsMs;
    std::optional<qint64> count;       // tail: stop after this many events
    std::optional<qint64> limit;       // travel: the request's limit
    std::optional<FieldFilter> filter; // tail, travel: print only the events it matches
    QString table;                     // history: the row's table ("public.orders", or "orders" for any schema)
    QString rowKey;                    // history: the row's key ("id=42")
    std::optional<std::chrono::milliseconds> timeout;
    OutputFormat format = OutputFormat::Ndjson;
    QString inputPath = QStringLiteral("-");  // publish/import: a file or "-" for stdin
    QString outputPath = QStringLiteral("-"); // export: a file or "-" for stdout
    double speed = 0;                         // import: 0 as fast as possible, 1 the recorded pacing
    QByteArray token;                         // Authorization: Bearer, from CDCSCOPE_TOKEN or --token-file
    QList<QSslCertificate> caCertificates;    // --ca-cert: trusted besides the system's

    // The server's answer may take this long before the command gives up (HTTP subcommands).
    std::chrono::milliseconds requestTimeout() const { return timeout.value_or(std::chrono::seconds(30)); }
};

struct ClientParseOutcome
{
    std::optional<ClientOptions> options; // empty: exit now with exitCode after printing message
    int exitCode = ClientExit::ok;
    QString message;
};

// The subcommand names, for main() to tell a client call from the server's flags.
bool isClientCommand(const QString &word);

// Parses `cdcscope <command> ARGS...` (arguments[0] is the program, arguments[1] the command).
ClientParseOutcome parseClientCommandLine(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace cdc::client
