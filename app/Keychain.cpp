#include "Keychain.h"

#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace cdc::keychain {

namespace {

Result run(QKeychain::Job *job, std::chrono::milliseconds timeout)
{
    job->setInsecureFallback(false);
    Result result;
    result.status = Result::Status::TimedOut;
    result.message = QStringLiteral("the system keychain did not answer within %1 s (is it locked and waiting for "
                                    "a password prompt?)")
                         .arg(double(timeout.count()) / 1000.0);
    QEventLoop loop;
    bool finishedAlready = false;
    // The job outlives a timed-out wait (it deletes itself when it finishes); connected through
    // `loop`, its late answer goes nowhere.
    QObject::connect(
        job, &QKeychain::Job::finished, &loop, [&result, &loop, &finishedAlready](QKeychain::Job *finished) {
            finishedAlready = true;
            switch (finished->error()) {
            case QKeychain::NoError:
                result.status = Result::Status::Ok;
                result.message.clear();
                if (auto *reading = qobject_cast<QKeychain::ReadPasswordJob *>(finished))
                    result.password = reading->textData();
                break;
            case QKeychain::EntryNotFound:
                result.status = Result::Status::NotFound;
                result.message = QStringLiteral("no password stored in the system keychain for this connection");
                break;
            case QKeychain::AccessDenied:
            case QKeychain::AccessDeniedByUser:
            case QKeychain::CouldNotDeleteEntry:
                result.status = Result::Status::Failed;
                result.message = QStringLiteral("the system keychain refused: %1").arg(finished->errorString());
                break;
            default:
                // No backend, no D-Bus session, no keyring daemon: QtKeychain reports these as
                // NoBackendAvailable or OtherError ("Could not connect", "Cannot autolaunch D-Bus").
                result.status = Result::Status::Unavailable;
                result.message =
                    QStringLiteral("no system keychain (Secret Service) is available: %1").arg(finished->errorString());
                break;
            }
            loop.quit();
        });
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    job->start();
    if (!finishedAlready)
        loop.exec();
    return result;
}

} // namespace

Result read(const QString &key, std::chrono::milliseconds timeout)
{
    auto *job = new QKeychain::ReadPasswordJob(QString::fromLatin1(service));
    job->setKey(key);
    return run(job, timeout);
}

Result write(const QString &key, const QString &password, std::chrono::milliseconds timeout)
{
    auto *job = new QKeychain::WritePasswordJob(QString::fromLatin1(service));
    job->setKey(key);
    job->setTextData(password);
    return run(job, timeout);
}

Result remove(const QString &key, std::chrono::milliseconds timeout)
{
    auto *job = new QKeychain::DeletePasswordJob(QString::fromLatin1(service));
    job->setKey(key);
    return run(job, timeout);
}

} // namespace cdc::keychain
