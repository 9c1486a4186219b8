#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>

#include <memory>

// The real cdcscope binary (CDCSCOPE_BINARY, set by CTest) as a CI pipeline runs it:
// `cdcscope --headless --port 0 ARGS...`, with its stderr collected.
struct HeadlessProcess
{
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QByteArray log;
    quint16 port = 0; // the port it listens on; 0 if it did not get that far

    // A server a test leaves running is killed at the end of its scope.
    ~HeadlessProcess();

    QByteArray readLog();
    bool waitForLog(const QByteArray &text, int timeoutMs = 10000);
    // QProcess::waitForFinished() is false for a process that already ended while the test's
    // event loop ran; this asks the question the tests mean.
    bool waitForExit(int timeoutMs = 10000);
    // SIGTERM, then wait for the exit.
    bool stop();
};

QString cdcscopeBinary();

// Starts the server and waits until it listens (or exits).
std::unique_ptr<HeadlessProcess>
startHeadless(const QStringList &args = {},
              const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
