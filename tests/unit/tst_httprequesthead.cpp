// The request-head parser that decides between HTTP and the WebSocket upgrade.
#include "net/HttpRequestHead.h"

#include <QTest>

using namespace cdc;

class TestHttpRequestHead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTheEndOfTheHead()
    {
        QCOMPARE(HttpRequestHead::findEnd("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"), 27);
        QCOMPARE(HttpRequestHead::findEnd("GET / HTTP/1.1\r\nHost: x\r\n"), -1);
    }

    void parsesAnUpgrade()
    {
        const auto parsed =
            HttpRequestHead::parse("GET /ws?x=1 HTTP/1.1\r\nHost: localhost\r\nUpgrade: WebSocket\r\n"
                                   "Connection: keep-alive, Upgrade\r\nx-athena-CLIENT:  logger  \r\n\r\n");
        const auto *head = std::get_if<HttpRequestHead>(&parsed);
        QVERIFY(head);
        QCOMPARE(head->method, QByteArray("GET"));
        QCOMPARE(head->path, QByteArray("/ws"));
        QCOMPARE(head->query, QByteArray("x=1"));
        QCOMPARE(head->header("x-athena-client"), QByteArray("logger"));
        QVERIFY(head->isWebSocketUpgrade());
        QVERIFY(head->headerHasToken("connection", "upgrade"));
        QVERIFY(head->wantsKeepAlive());
    }

    void keepAliveRules()
    {
        const auto http10 = std::get<HttpRequestHead>(HttpRequestHead::parse("GET / HTTP/1.0\r\n\r\n"));
        QVERIFY(!http10.wantsKeepAlive());
        const auto http10ka =
            std::get<HttpRequestHead>(HttpRequestHead::parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        QVERIFY(http10ka.wantsKeepAlive());
        const auto http11close =
            std::get<HttpRequestHead>(HttpRequestHead::parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
        QVERIFY(!http11close.wantsKeepAlive());
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::newRow("garbage") << QByteArray("hello\r\n\r\n");
        QTest::newRow("two parts") << QByteArray("GET /\r\n\r\n");
        QTest::newRow("http2") << QByteArray("GET / HTTP/2.0\r\n\r\n");
        QTest::newRow("relative target") << QByteArray("GET ws HTTP/1.1\r\n\r\n");
        QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n");
        QTest::newRow("space in header name") << QByteArray("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n");
        QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\n\r\n");
        // RFC 9112 §2.2, §5 and RFC 9110 §5.5: what a proxy in front might read differently.
        QTest::newRow("bare LF in a value") << QByteArray("GET / HTTP/1.1\r\nX-A: a\nContent-Length: 5\r\n\r\n");
        QTest::newRow("bare CR in a value") << QByteArray("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n");
        QTest::newRow("NUL in a value") << QByteArray("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 28);
        QTest::newRow("control in a value") << QByteArray("GET / HTTP/1.1\r\nX-A: a\x01b\r\n\r\n");
        QTest::newRow("DEL in a value") << QByteArray("GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n");
        QTest::newRow("bare LF line ends") << QByteArray("GET / HTTP/1.1\nHost: x\n\n");
        QTest::newRow("space before the colon") << QByteArray("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n");
        QTest::newRow("folded line") << QByteArray("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n");
        QTest::newRow("control in the target") << QByteArray("GET /a\x01 HTTP/1.1\r\n\r\n");
        QTest::newRow("raw UTF-8 in the target") << QByteArray("GET /\xc3\xa9 HTTP/1.1\r\n\r\n");
    }

    void malformed()
    {
        QFETCH(QByteArray, head);
        QVERIFY(std::holds_alternative<QByteArray>(HttpRequestHead::parse(head)));
    }
};

QTEST_GUILESS_MAIN(TestHttpRequestHead)
#include "tst_httprequesthead.moc"
