#include "HeadlessProcess.h"

#include "CrossThreadGuard.h"

#include <QRegularExpression>
#include <QTest>

#include <algorithm>

QString cdcscopeBinary()
{
    return qEnvironmentVariable("CDCSCOPE_BINARY");
}

HeadlessProcess::~HeadlessProcess()
{
    if (process->state() != QProcess::NotRunning) {
        process->kill();
        process->waitForFinished(5000);
    }
}

QByteArray HeadlessProcess::readLog()
{
    const qsizetype checkedUpTo = std::max<qsizetype>(0, log.lastIndexOf('\n') + 1);
    log.append(process->readAllStandardError());
    // The server's own threads are held to the same rule as this process's (CrossThreadGuard).
    if (const QByteArrayView warning = crossThreadWarning(QByteArrayView(log).sliced(checkedUpTo)); !warning.isEmpty())
        qFatal("the server logged a cross-thread Qt warning (a thread-ownership bug): %.*s", int(warning.size()),
               warning.data());
    return log;
}

bool HeadlessProcess::waitForLog(const QByteArray &text, int timeoutMs)
{
    return QTest::qWaitFor([&] { return readLog().contains(text); }, timeoutMs);
}

bool HeadlessProcess::waitForExit(int timeoutMs)
{
    // The test's own event loop keeps running meanwhile, so its clients can answer the server's
    // close frames as real clients do.
    return QTest::qWaitFor([&] { return process->state() == QProcess::NotRunning; }, timeoutMs);
}

bool HeadlessProcess::stop()
{
    process->terminate();
    if (waitForExit())
        return true;
    // A server that does not stop on SIGTERM is a defect; say where each of its threads stands.
    readLog();
    QProcess gdb;
    gdb.start(QStringLiteral("gdb"),
              {QStringLiteral("-batch"), QStringLiteral("-p"), QString::number(process->processId()),
               QStringLiteral("-ex"), QStringLiteral("thread apply all bt")});
    gdb.waitForFinished(60000);
    qWarning().noquote() << "the server did not stop on SIGTERM; its log:\n"
                         << QString::fromUtf8(log) << "\nits threads:\n"
                         << QString::fromUtf8(gdb.readAllStandardOutput());
    process->kill();
    process->waitForFinished();
    return false;
}

std::unique_ptr<HeadlessProcess> startHeadless(const QStringList &args, const QProcessEnvironment &environment)
{
    auto headless = std::make_unique<HeadlessProcess>();
    headless->process->setProcessEnvironment(environment);
    headless->process->start(cdcscopeBinary(),
                             QStringList{QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0")} +
                                 args);
    static const QRegularExpression listening(QStringLiteral("listening on wss?://[^ ]+:(\\d+)/ws"));
    QRegularExpressionMatch match;
    (void)QTest::qWaitFor(
        [&] {
            match = listening.match(QString::fromUtf8(headless->readLog()));
            return match.hasMatch() || headless->process->state() == QProcess::NotRunning;
        },
        10000);
    headless->port = match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
    return headless;
}
