#include "TestCertificate.h"

#include <QProcess>
#include <QSslCertificate>

QString makeLoopbackCertificate(const QString &certPath, const QString &keyPath)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), keyPath,
                   QStringLiteral("-out"), certPath, QStringLiteral("-days"), QStringLiteral("2"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1")});
    if (!openssl.waitForFinished(30000))
        return QStringLiteral("openssl did not finish");
    if (openssl.exitCode() != 0)
        return QString::fromUtf8(openssl.readAllStandardError());
    return {};
}

LoopbackCertificate::LoopbackCertificate()
    : cert(dir.filePath(QStringLiteral("cert.pem")))
    , key(dir.filePath(QStringLiteral("key.pem")))
    , error(makeLoopbackCertificate(cert, key))
{}

QSslConfiguration LoopbackCertificate::trusting() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(cert));
    return configuration;
}
