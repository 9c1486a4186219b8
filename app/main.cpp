#include "CommandLine.h"
#include "HeadlessFront.h"
#include "LogFormat.h"
#include "Logging.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    const cdc::CommandLineOutcome outcome = cdc::parseCommandLine(arguments, QProcessEnvironment::systemEnvironment());
    if (outcome.action == cdc::CommandLineOutcome::Action::ExitNow) {
        std::FILE *stream = outcome.exitCode == cdc::ExitCode::ok ? stdout : stderr;
        std::fprintf(stream, "%s\n", qPrintable(outcome.message));
        return outcome.exitCode;
    }

    // The desktop window arrives with the GUI front; until then every start runs headless, so the
    // engine never depends on a display.
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cdcscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("CDC Scope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CDCSCOPE_VERSION));
    cdc::installLogFormat(outcome.options.logFormat);

    cdc::HeadlessFront front(outcome.options);
    return front.run();
}
