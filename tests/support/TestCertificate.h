#pragma once

#include <QSslConfiguration>
#include <QString>
#include <QTemporaryDir>

// A fresh self-signed certificate for 127.0.0.1 (RSA 2048, two days, subjectAltName IP:127.0.0.1)
// written as PEM to `certPath` and `keyPath` by the openssl command. Empty on success; what
// openssl said otherwise.
QString makeLoopbackCertificate(const QString &certPath, const QString &keyPath);

// A suite's certificate in a folder of its own, and a client configuration that trusts it.
struct LoopbackCertificate
{
    LoopbackCertificate();

    QTemporaryDir dir;
    QString cert;
    QString key;
    QString error; // what openssl said, if it failed

    QSslConfiguration trusting() const;
};
