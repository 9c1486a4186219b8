#include "HeadlessProcess.h"

#include <QRegularExpression>
#include <QTest>

QString cdcscopeBinary()
{
    return qEnvironmentVariable("CDCSCOPE_BINARY");
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
    return process->state() == QProcess::NotRunning || process->waitForFinished(timeoutMs);
}

bool HeadlessProcess::stop()
{
    process->terminate();
    return waitForExit();
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
