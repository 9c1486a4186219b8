// --redis URLs as docs/cluster.md describes them, and the messages for the ones that are wrong.
#include "cluster/RedisEndpoint.h"

#include <QTest>

using cdc::RedisEndpoint;
using namespace Qt::Literals::StringLiterals;

class TestRedisEndpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsEveryDocumentedForm_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("transport");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("database");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("display");
        const int tcp = int(RedisEndpoint::Transport::Tcp);
        const int tls = int(RedisEndpoint::Transport::Tls);
        const int unix = int(RedisEndpoint::Transport::Unix);
        QTest::newRow("host only") << u"redis://cache"_s << tcp << u"cache"_s << 6379 << u""_s << 0 << u""_s << u""_s
                                   << u"redis://cache:6379/0"_s;
        QTest::newRow("port and db") << u"redis://10.0.0.5:6380/3"_s << tcp << u"10.0.0.5"_s << 6380 << u""_s << 3
                                     << u""_s << u""_s << u"redis://10.0.0.5:6380/3"_s;
        QTest::newRow("tls, password only")
            << u"rediss://:pw@redis.example:6390/1"_s << tls << u"redis.example"_s << 6390 << u""_s << 1 << u""_s
            << u"pw"_s << u"rediss://redis.example:6390/1"_s;
        QTest::newRow("default user is no user") << u"redis://default:pw@h/0"_s << tcp << u"h"_s << 6379 << u""_s << 0
                                                 << u""_s << u"pw"_s << u"redis://h:6379/0"_s;
        QTest::newRow("ACL user") << u"redis://cdc:pw@h/2"_s << tcp << u"h"_s << 6379 << u""_s << 2 << u"cdc"_s
                                  << u"pw"_s << u"redis://cdc@h:6379/2"_s;
        QTest::newRow("IPv6") << u"redis://[::1]:7000/0"_s << tcp << u"::1"_s << 7000 << u""_s << 0 << u""_s << u""_s
                              << u"redis://[::1]:7000/0"_s;
        QTest::newRow("unix socket") << u"unix:///run/redis/redis.sock"_s << unix << u""_s << 6379
                                     << u"/run/redis/redis.sock"_s << 0 << u""_s << u""_s
                                     << u"unix:///run/redis/redis.sock"_s;
        QTest::newRow("unix socket, db") << u"unix:///tmp/r.sock?db=4"_s << unix << u""_s << 6379 << u"/tmp/r.sock"_s
                                         << 4 << u""_s << u""_s << u"unix:///tmp/r.sock?db=4"_s;
    }

    void readsEveryDocumentedForm()
    {
        QFETCH(QString, url);
        QFETCH(int, transport);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, path);
        QFETCH(int, database);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(QString, display);
        const auto parsed = cdc::parseRedisUrl(url);
        // QVERIFY2 evaluates its message always: read the error only when there is one.
        const auto *error = std::get_if<QString>(&parsed);
        QVERIFY2(!error, error ? qPrintable(*error) : "");
        const RedisEndpoint &endpoint = std::get<RedisEndpoint>(parsed);
        QCOMPARE(int(endpoint.transport), transport);
        QCOMPARE(endpoint.host, host);
        QCOMPARE(int(endpoint.port), port);
        QCOMPARE(endpoint.socketPath, path);
        QCOMPARE(endpoint.database, database);
        QCOMPARE(endpoint.user, user);
        QCOMPARE(endpoint.password, password);
        // What logs and /health show never carries the password.
        QCOMPARE(endpoint.display(), display);
    }

    void namesWhatIsWrong_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::newRow("another scheme") << u"http://h:6379"_s
                                        << u"is not a Redis URL; use redis://, rediss:// or unix://"_s;
        QTest::newRow("no host") << u"redis:///0"_s << u"names no host"_s;
        QTest::newRow("database not a number") << u"redis://h/zero"_s << u"\"zero\" is not a database number"_s;
        QTest::newRow("unix without path") << u"unix://"_s << u"names no socket"_s;
    }

    void namesWhatIsWrong()
    {
        QFETCH(QString, url);
        QFETCH(QString, message);
        const auto parsed = cdc::parseRedisUrl(url);
        QVERIFY(std::holds_alternative<QString>(parsed));
        QVERIFY2(std::get<QString>(parsed).contains(message), qPrintable(std::get<QString>(parsed)));
    }
};

QTEST_GUILESS_MAIN(TestRedisEndpoint)
#include "tst_redisendpoint.moc"
