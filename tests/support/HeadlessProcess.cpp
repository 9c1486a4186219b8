#include "HeadlessProcess.h"

#include <QRegularExpression>
#include <QTest>

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
    log.append(process->readAllStandardError());
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
