// Which Host names a server answers to (DNS rebinding), and which characters a name may not hold.
#include "net/HostPolicy.h"
#include "protocol/ClientMessage.h"

#include <QHostInfo>
#include <QTest>

using namespace cdc;

class TestHostPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostNamesLoseTheirPortAndCase()
    {
        QCOMPARE(HostPolicy::hostName("LocalHost:4053"), QStringLiteral("localhost"));
        QCOMPARE(HostPolicy::hostName("[::1]:4053"), QStringLiteral("::1"));
        QCOMPARE(HostPolicy::hostName("example.com."), QStringLiteral("example.com"));
        QCOMPARE(HostPolicy::hostName("[::1"), QString());
    }

    void loopbackServesOnlyThisMachinesNames_data()
    {
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<bool>("served");
        QTest::newRow("localhost") << QByteArray("localhost:4053") << true;
        QTest::newRow("a .localhost name") << QByteArray("app.localhost") << true;
        QTest::newRow("IPv4 literal") << QByteArray("127.0.0.1:4053") << true;
        QTest::newRow("IPv6 literal") << QByteArray("[::1]:4053") << true;
        QTest::newRow("another address") << QByteArray("10.1.2.3") << true;
        QTest::newRow("a rebound name") << QByteArray("attacker.example") << false;
        QTest::newRow("localhost as a subdomain") << QByteArray("localhost.attacker.example") << false;
        QTest::newRow("empty") << QByteArray("") << false;
        QTest::newRow("the machine's name") << QHostInfo::localHostName().toUtf8() << true;
        QTest::newRow("allowed by the flag") << QByteArray("cdc.internal:80") << true;
    }

    void loopbackServesOnlyThisMachinesNames()
    {
        QFETCH(QByteArray, host);
        QFETCH(bool, served);
        const HostPolicy policy(QHostAddress(QHostAddress::LocalHost), {QStringLiteral("CDC.internal")});
        QVERIFY(policy.restricts());
        QCOMPARE(policy.allows(host), served);
    }

    void otherAddressesServeEveryNameUnlessNarrowed()
    {
        const HostPolicy open(QHostAddress(QHostAddress::AnyIPv4), {});
        QVERIFY(!open.restricts());
        QVERIFY(open.allows("cdc.example.com"));
        const HostPolicy narrowed(QHostAddress(QHostAddress::AnyIPv4), {QStringLiteral("cdc.example.com")});
        QVERIFY(narrowed.allows("cdc.example.com:4053"));
        QVERIFY(!narrowed.allows("other.example.com"));
        const HostPolicy any(QHostAddress(QHostAddress::LocalHost), {QStringLiteral("*")});
        QVERIFY(any.allows("attacker.example"));
    }

    void namesMayNotHoldLayoutControls_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("problem");
        QTest::newRow("plain") << QStringLiteral("dbz.inventory.orders") << QString();
        QTest::newRow("unicode") << QStringLiteral("Bestellungen-äöü-注文") << QString();
        QTest::newRow("LF") << QStringLiteral("a\nb") << QStringLiteral("the control character U+000A at position 2");
        QTest::newRow("NUL") << QString(QStringLiteral("a") + QChar(0))
                             << QStringLiteral("the control character U+0000 at position 2");
        QTest::newRow("DEL") << QStringLiteral("\x7f") << QStringLiteral("the control character U+007F at position 1");
        QTest::newRow("right-to-left override")
            << QStringLiteral("abc\u202Etxt.exe") << QStringLiteral("the layout control U+202E at position 4");
        QTest::newRow("line separator") << QStringLiteral("a\u2028") << QStringLiteral("the layout control U+2028 at position 2");
    }

    void namesMayNotHoldLayoutControls()
    {
        QFETCH(QString, name);
        QFETCH(QString, problem);
        QCOMPARE(forbiddenNameCharacter(name).value_or(QString()), problem);
    }
};

QTEST_GUILESS_MAIN(TestHostPolicy)
#include "tst_hostpolicy.moc"
