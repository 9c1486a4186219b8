#include "ClientOptions.h"

#include "ValueParsers.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>

#include <functional>

namespace cdc::client {

namespace {

struct CommandInfo
{
    Command command;
    QString name;
    QString synopsis;
    QString description;
};

const QList<CommandInfo> &commands()
{
    static const QList<CommandInfo> list{
        {Command::Tail, QStringLiteral("tail"),
         QStringLiteral(
             "URL --client NAME [--channel C ...] [--since-seq N] [--since-ts T] [--filter EXPR] [--count N] "
             "[--timeout S]"),
         QStringLiteral("Print the events of a running server as they arrive (after the history --since-* asks "
                        "for).\nExit 0 once --count events arrived, 1 if --timeout ran out first, 2 on a connection "
                        "or protocol error.")},
        {Command::Publish, QStringLiteral("publish"), QStringLiteral("URL --channel C [FILE|-]"),
         QStringLiteral("Publish payloads to a channel: NDJSON (one payload per line) or one JSON document, from "
                        "FILE or stdin, in batches of up to 1000.\nPrints the assigned seq of each event. Exit 0 when "
                        "all went through, 4 if some lines were bad (named by number; the rest went through), 2 on a "
                        "connection error or a refusal.")},
        {Command::Travel, QStringLiteral("travel"),
         QStringLiteral("URL --client NAME [--channel C] [--since-seq N] [--since-ts T] [--limit N] [--filter EXPR]"),
         QStringLiteral("One replay: the events, then the travel_complete ack.\nExit 0, or 3 when the ack says "
                        "gap (history asked for was already dropped), 1 on timeout, 2 on an error.")},
        {Command::Export, QStringLiteral("export"),
         QStringLiteral("URL [--channel C] [--since-seq N] [--since-ts T] [--until-seq N] [--until-ts T] [-o FILE]"),
         QStringLiteral("Save a capture (JSONL) of a running server's retained events.\nExit 0, 2 on an error.")},
        {Command::History, QStringLiteral("history"),
         QStringLiteral("URL --channel C --table T --key K [--client NAME] [--format pretty|ndjson]"),
         QStringLiteral("One row's timeline from a channel's retained history: every insert, update and delete of "
                        "the row (table and key, such as --table public.orders --key id=42), with the row as it "
                        "stood after each.\nExit 0, 1 when the history holds no change of the row, 2 on an error.")},
        {Command::Import, QStringLiteral("import"), QStringLiteral("URL FILE|- [--channel C] [--speed X]"),
         QStringLiteral("Replay a capture into a running server through POST /events (new seqs and ts_ms).\nExit 0, "
                        "4 if some lines were bad (named by number), 2 on an error.")},
    };
    return list;
}

using Apply = std::function<std::optional<QString>(const QString &value, ClientOptions &options)>;

// One flag of the client subcommands and the commands it belongs to.
struct Flag
{
    QStringList names;
    QString valueName; // empty for switches
    QString help;
    QList<Command> usedBy;
    Apply apply;
};

// Milliseconds since the epoch, or an ISO 8601 time ("2026-11-22T07:42:05Z").
std::optional<qint64> parseTimestamp(const QString &text)
{
    if (const auto ms = parseCount(text, 0, qint64(1) << 50))
        return ms;
    const QDateTime time = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toMSecsSinceEpoch();
}

Apply sequenceFlag(std::optional<qint64> ClientOptions::*field)
{
    return [field](const QString &value, ClientOptions &options) -> std::optional<QString> {
        const auto seq = parseCount(value, 0, std::numeric_limits<qint64>::max());
        if (!seq)
            return QStringLiteral("'%1' is not a sequence number (0 or more)").arg(value);
        options.*field = *seq;
        return std::nullopt;
    };
}

Apply timestampFlag(std::optional<qint64> ClientOptions::*field)
{
    return [field](const QString &value, ClientOptions &options) -> std::optional<QString> {
        const auto ms = parseTimestamp(value);
        if (!ms)
            return QStringLiteral("'%1' is neither milliseconds since the epoch nor an ISO 8601 time "
                                  "(2026-11-22T07:42:05Z)")
                .arg(value);
        options.*field = *ms;
        return std::nullopt;
    };
}

QList<Flag> flags()
{
    using enum Command;
    return {
        {{QStringLiteral("client")},
         QStringLiteral("name"),
         QStringLiteral("The X-Athena-Client name to connect as (required; history: cdcscope-history unless given)."),
         {Tail, Travel, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty())
                 return QStringLiteral("the client name must not be empty");
             options.clientName = value.trimmed();
             return std::nullopt;
         }},
        {{QStringLiteral("channel")},
         QStringLiteral("channel"),
         QStringLiteral(
             "tail: a channel to follow, repeatable (default: the client name). travel: the channel to "
             "replay (default: the client name). publish: the channel (required). export: one channel "
             "(default: all). import: put every event here instead of its recorded channel. history: the row's channel "
             "(required)."),
         {Tail, Travel, Publish, Export, Import, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty())
                 return QStringLiteral("the channel must not be empty");
             if (options.command != Tail && !options.channels.isEmpty())
                 return QStringLiteral("give one channel only (tail is the one that follows several)");
             options.channels.append(value.trimmed());
             return std::nullopt;
         }},
        {{QStringLiteral("since-seq")},
         QStringLiteral("N"),
         QStringLiteral("Only events with seq greater than N (tail: replays them first, then follows)."),
         {Tail, Travel, Export},
         sequenceFlag(&ClientOptions::sinceSeq)},
        {{QStringLiteral("since-ts")},
         QStringLiteral("T"),
         QStringLiteral("Only events with ts_ms at or after T: milliseconds since the epoch or an ISO 8601 time."),
         {Tail, Travel, Export},
         timestampFlag(&ClientOptions::sinceTsMs)},
        {{QStringLiteral("until-seq")},
         QStringLiteral("N"),
         QStringLiteral("Only events with seq at most N."),
         {Export},
         sequenceFlag(&ClientOptions::untilSeq)},
        {{QStringLiteral("until-ts")},
         QStringLiteral("T"),
         QStringLiteral("Only events with ts_ms before T."),
         {Export},
         timestampFlag(&ClientOptions::untilTsMs)},
        {{QStringLiteral("count")},
         QStringLiteral("N"),
         QStringLiteral("Exit 0 once N events were printed."),
         {Tail},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             const auto count = checkPositiveCount(value);
             if (const auto *error = std::get_if<QString>(&count))
                 return *error;
             options.count = std::get<qint64>(count);
             return std::nullopt;
         }},
        {{QStringLiteral("limit")},
         QStringLiteral("N"),
         QStringLiteral("Events the replay may return (the server's default 10000, at most 50000)."),
         {Travel},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             const auto limit = checkPositiveCount(value);
             if (const auto *error = std::get_if<QString>(&limit))
                 return *error;
             options.limit = std::get<qint64>(limit);
             return std::nullopt;
         }},
        {{QStringLiteral("filter")},
         QStringLiteral("expression"),
         QStringLiteral("Print only the events this field filter matches, e.g. 'table == \"orders\" and "
                        "new.amount > 100' (docs/window.md#field-filters). tail: --count counts printed events."),
         {Tail, Travel},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             auto parsed = FieldFilter::parse(value);
             if (const auto *error = std::get_if<FilterError>(&parsed))
                 return error->describe();
             options.filter = std::get<FieldFilter>(std::move(parsed));
             return std::nullopt;
         }},
        {{QStringLiteral("table")},
         QStringLiteral("table"),
         QStringLiteral("history: the row's table, schema.table (public.orders) or the table alone for any schema."),
         {History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             if (value.trimmed().isEmpty())
                 return QStringLiteral("the table must not be empty");
             options.table = value.trimmed();
             return std::nullopt;
         }},
        {{QStringLiteral("key")},
         QStringLiteral("column=value"),
         QStringLiteral("history: the row's key as the window shows it: id=42 (several columns: a=1,b=2)."),
         {History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             if (!value.contains(u'='))
                 return QStringLiteral("'%1' is not column=value (example: id=42)").arg(value);
             options.rowKey = value.trimmed();
             return std::nullopt;
         }},
        {{QStringLiteral("timeout")},
         QStringLiteral("duration"),
         QStringLiteral("tail, travel: give up after this long (exit 1). publish, export, import: the longest wait "
                        "for one answer of the server (default 30s). Examples: 500ms, 10s, 2m."),
         {Tail, Travel, Publish, Export, Import, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             const auto duration = checkDuration(value);
             if (const auto *error = std::get_if<QString>(&duration))
                 return *error;
             options.timeout = std::get<std::chrono::milliseconds>(duration);
             return std::nullopt;
         }},
        {{QStringLiteral("format")},
         QStringLiteral("ndjson|pretty"),
         QStringLiteral("ndjson: each frame as the server sent it, one per line (default; history: one line per "
                        "change). pretty: for people (history's default)."),
         {Tail, Travel, Publish, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             const QString format = value.trimmed().toLower();
             if (format == u"ndjson")
                 options.format = OutputFormat::Ndjson;
             else if (format == u"pretty")
                 options.format = OutputFormat::Pretty;
             else
                 return QStringLiteral("'%1' is not an output format (ndjson or pretty)").arg(value);
             return std::nullopt;
         }},
        {{QStringLiteral("o"), QStringLiteral("output")},
         QStringLiteral("file"),
         QStringLiteral("Write the capture to this file instead of stdout."),
         {Export},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             options.outputPath = value;
             return std::nullopt;
         }},
        {{QStringLiteral("speed")},
         QStringLiteral("factor"),
         QStringLiteral("0: as fast as possible (default); 1: the recorded pacing; 2: twice as fast."),
         {Import},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             const auto speed = checkSpeedFactor(value);
             if (const auto *error = std::get_if<QString>(&speed))
                 return *error;
             options.speed = std::get<double>(speed);
             return std::nullopt;
         }},
        {{QStringLiteral("token-file")},
         QStringLiteral("file"),
         QStringLiteral("Read the bearer token from this file (or set CDCSCOPE_TOKEN; never on the command line, "
                        "where other users can see it)."),
         {Tail, Travel, Publish, Export, Import, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             QFile file(value);
             if (!file.open(QIODevice::ReadOnly))
                 return QStringLiteral("cannot read %1: %2").arg(value, file.errorString());
             options.token = file.readAll().trimmed();
             if (options.token.isEmpty())
                 return QStringLiteral("%1 is empty").arg(value);
             return std::nullopt;
         }},
        {{QStringLiteral("ca-cert")},
         QStringLiteral("file"),
         QStringLiteral("For wss:// and https://: trust the PEM certificate(s) in this file besides the system's."),
         {Tail, Travel, Publish, Export, Import, History},
         [](const QString &value, ClientOptions &options) -> std::optional<QString> {
             QFile file(value);
             if (!file.open(QIODevice::ReadOnly))
                 return QStringLiteral("cannot read %1: %2").arg(value, file.errorString());
             const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
             if (certificates.isEmpty())
                 return QStringLiteral("%1 holds no PEM certificate").arg(value);
             options.caCertificates += certificates;
             return std::nullopt;
         }},
    };
}

} // namespace

bool isClientCommand(const QString &word)
{
    return std::any_of(commands().cbegin(), commands().cend(),
                       [&word](const CommandInfo &info) { return info.name == word; });
}

ClientParseOutcome parseClientCommandLine(const QStringList &arguments, const QProcessEnvironment &environment)
{
    ClientParseOutcome outcome;
    const QString name = arguments.value(1);
    const auto info = std::find_if(commands().cbegin(), commands().cend(),
                                   [&name](const CommandInfo &candidate) { return candidate.name == name; });
    const auto fail = [&outcome, &name](const QString &message) {
        outcome.exitCode = ClientExit::failure;
        outcome.message = QStringLiteral("cdcscope %1: %2\nTry 'cdcscope %1 --help'.").arg(name, message);
        return outcome;
    };
    if (info == commands().cend())
        return fail(QStringLiteral("not a client command"));

    ClientOptions options;
    options.command = info->command;

    QCommandLineParser parser;
    parser.setApplicationDescription(info->description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help and exit."));
    parser.addOption(helpOption);
    QList<Flag> applicable;
    for (Flag &flag : flags()) {
        if (!flag.usedBy.contains(info->command))
            continue;
        parser.addOption(flag.valueName.isEmpty() ? QCommandLineOption(flag.names, flag.help)
                                                  : QCommandLineOption(flag.names, flag.help, flag.valueName));
        applicable.append(std::move(flag));
    }
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("The server: ws://host:port/ws, wss://…, http(s)://host:port or "
                                                "host:port."));

    QStringList commandArguments = arguments.mid(2);
    commandArguments.prepend(arguments.value(0));
    if (!parser.parse(commandArguments))
        return fail(parser.errorText());
    if (parser.isSet(helpOption)) {
        // Qt's first line names argv[0] and "[options]"; the command's own synopsis says more.
        QString help = parser.helpText();
        help.replace(0, help.indexOf(u'\n'), QStringLiteral("Usage: cdcscope ") + info->name + u' ' + info->synopsis);
        outcome.message = help.trimmed();
        return outcome;
    }

    if (environment.contains(QStringLiteral("CDCSCOPE_TOKEN")))
        options.token = environment.value(QStringLiteral("CDCSCOPE_TOKEN")).trimmed().toUtf8();
    for (const Flag &flag : applicable) {
        const QString longName = flag.names.constLast();
        const QStringList values = flag.valueName.isEmpty()
                                       ? QStringList(parser.isSet(longName) ? 1 : 0, QStringLiteral("1"))
                                       : parser.values(longName);
        for (const QString &value : values)
            if (const auto error = flag.apply(value, options))
                return fail(QStringLiteral("--") + longName + QStringLiteral(": ") + *error);
    }

    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return fail(QStringLiteral("give the server's address (example: ws://127.0.0.1:4053/ws)"));
    auto address = ServerAddress::parse(positional.takeFirst());
    if (const auto *error = std::get_if<QString>(&address))
        return fail(*error);
    options.server = std::get<ServerAddress>(address);

    const bool takesInput = info->command == Command::Publish || info->command == Command::Import;
    if (takesInput && !positional.isEmpty())
        options.inputPath = positional.takeFirst();
    else if (info->command == Command::Import)
        return fail(QStringLiteral("give the capture file (or - for stdin)"));
    if (!positional.isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'").arg(positional.constFirst()));

    const bool needsClient = info->command == Command::Tail || info->command == Command::Travel;
    if (needsClient && options.clientName.isEmpty())
        return fail(QStringLiteral("--client NAME is required (the X-Athena-Client to connect as)"));
    if (info->command == Command::History) {
        if (options.channels.isEmpty() || options.table.isEmpty() || options.rowKey.isEmpty())
            return fail(QStringLiteral("--channel, --table and --key are required (example: --channel acme --table "
                                       "public.orders --key id=42)"));
        if (options.clientName.isEmpty())
            options.clientName = QStringLiteral("cdcscope-history");
        if (!parser.isSet(QStringLiteral("format")))
            options.format = OutputFormat::Pretty; // a timeline is read by people first
    }
    if (info->command == Command::Publish && options.channels.isEmpty())
        return fail(QStringLiteral("--channel C is required (the channel to publish to)"));
    outcome.options = options;
    return outcome;
}

} // namespace cdc::client
