#include "ClientCommands.h"

#include "HistoryCommand.h"
#include "TailCommand.h"
#include "TravelCommand.h"

#include <cstdio>

namespace cdc::client {

int runTail(const ClientOptions &options)
{
    return TailCommand(options).run();
}

int runTravel(const ClientOptions &options)
{
    return TravelCommand(options).run();
}

int runClientCommand(const ClientOptions &options)
{
    switch (options.command) {
    case Command::Tail:
        return runTail(options);
    case Command::Travel:
        return runTravel(options);
    case Command::Publish:
        return runPublish(options);
    case Command::Import:
        return runImport(options);
    case Command::Export:
        return runExport(options);
    case Command::History:
        return HistoryCommand(options).run();
    }
    return ClientExit::failure;
}

int runClientCommandLine(const QStringList &arguments)
{
    const ClientParseOutcome outcome = parseClientCommandLine(arguments, QProcessEnvironment::systemEnvironment());
    if (!outcome.options) {
        std::FILE *stream = outcome.exitCode == ClientExit::ok ? stdout : stderr;
        std::fprintf(stream, "%s\n", qPrintable(outcome.message));
        return outcome.exitCode;
    }
    return runClientCommand(*outcome.options);
}

} // namespace cdc::client
