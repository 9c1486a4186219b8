// Compiled into every test executable (an INTERFACE source of cdcscope_testsupport): a Qt warning
// of this process about an object used from another thread fails the suite at once.
#include "CrossThreadGuard.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cstdio>
#include <cstdlib>

namespace {

const QRegularExpression &crossThreadPattern()
{
    // Qt 6's wording (qobject.cpp, qsocketnotifier.cpp, qbasictimer.cpp, qtimer.cpp).
    static const QRegularExpression pattern(
        QStringLiteral("(from|in) (another|a different) thread|is not the object's thread|"
                       "Cannot move to target thread|can only be used with threads started with QThread|"
                       "Possibly trying to stop from a different thread"),
        QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

QtMessageHandler previousHandler = nullptr;

void failOnCrossThreadWarning(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtWarningMsg || !crossThreadPattern().match(message).hasMatch()) {
        previousHandler(type, context, message);
        return;
    }
    // QtTest records a fatal message as the current test's failure and closes its log; then this
    // process ends, whichever thread warned.
    const QString failure = QStringLiteral("cross-thread Qt warning (a thread-ownership bug): ") + message;
    std::fprintf(stderr, "%s\n", qPrintable(failure));
    previousHandler(QtFatalMsg, context, failure);
    std::abort();
}

// QtTest installs its own message handler when the test run starts (QTest::qExec), after the
// application exists; this one is installed on the first turn of the event loop, which comes after
// that, and passes everything else on to QtTest's.
void installOnFirstTurn()
{
    QMetaObject::invokeMethod(
        QCoreApplication::instance(), [] { previousHandler = qInstallMessageHandler(failOnCrossThreadWarning); },
        Qt::QueuedConnection);
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(installOnFirstTurn)

QByteArrayView crossThreadWarning(QByteArrayView log)
{
    const QString text = QString::fromUtf8(log);
    const QRegularExpressionMatch match = crossThreadPattern().match(text);
    if (!match.hasMatch())
        return {};
    // The whole line, as the server wrote it.
    const qsizetype start = text.lastIndexOf(QLatin1Char('\n'), match.capturedStart()) + 1;
    const qsizetype byteStart = text.left(start).toUtf8().size();
    const qsizetype lineEnd = log.indexOf('\n', byteStart);
    return log.sliced(byteStart, (lineEnd < 0 ? log.size() : lineEnd) - byteStart);
}
