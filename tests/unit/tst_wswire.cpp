// The WebSocket wire format on the server side: the frames it sends, and how it reads what
// clients send (masked, fragmented, interleaved with control frames, hostile).
#include "TestServer.h"
#include "protocol/WsWire.h"

#include <QRandomGenerator>
#include <QTest>

using namespace cdc;
using namespace cdc::ws;

namespace {

QList<ReadResult> readAll(FrameReader &reader)
{
    QList<ReadResult> results;
    while (auto result = reader.next())
        results.append(std::move(*result));
    return results;
}

Violation violationOf(QByteArrayView bytes, qint64 maxMessage = 1 << 20)
{
    FrameReader reader(maxMessage);
    reader.append(bytes);
    const QList<ReadResult> results = readAll(reader);
    if (results.size() != 1 || !std::holds_alternative<Violation>(results.front()))
        return {0, QStringLiteral("no violation")};
    return std::get<Violation>(results.front());
}

} // namespace

class TestWsWire : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serverFramesUseTheShortestLengthAndNoMask_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("header");
        QTest::newRow("empty") << 0 << 2;
        QTest::newRow("125") << 125 << 2;
        QTest::newRow("126") << 126 << 4;
        QTest::newRow("65535") << 65535 << 4;
        QTest::newRow("65536") << 65536 << 10;
    }
    void serverFramesUseTheShortestLengthAndNoMask()
    {
        QFETCH(int, size);
        QFETCH(int, header);
        const QByteArray payload(size, 'x');
        const QByteArray encoded = frame(Opcode::Text, payload);
        QCOMPARE(encoded.size(), header + size);
        QCOMPARE(quint8(encoded[0]), quint8(0x81)); // FIN + text
        QCOMPARE(quint8(encoded[1]) & 0x80, 0);     // servers never mask
        QCOMPARE(payloadOf(encoded), QByteArrayView(payload));
    }

    void acceptKeyIsTheRfcExample()
    {
        // RFC 6455, section 1.3.
        QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void closeReasonIsCutAtACharacterBoundary()
    {
        const QString reason = QString(200, QChar(0x00e9)); // two bytes each in UTF-8
        const QByteArray encoded = closeFrame(1008, reason);
        const QByteArrayView body = payloadOf(encoded);
        QVERIFY(body.size() <= 125);
        QCOMPARE(quint8(body[0]) << 8 | quint8(body[1]), 1008);
        QCOMPARE(QString::fromUtf8(body.sliced(2)), QString(61, QChar(0x00e9)));
    }

    void aMessageSplitAnywhereIsReassembled()
    {
        const QByteArray text = R"({"action":"travel","since_seq":5})";
        const QByteArray wire = maskedClientFrame(0x01, text.first(10)) + maskedClientFrame(0x89, "hi") // a ping between fragments
                                + maskedClientFrame(0x00, text.sliced(10, 10)) + maskedClientFrame(0x80, text.sliced(20));
        for (qsizetype step = 1; step <= wire.size(); ++step) {
            FrameReader reader(1 << 20);
            QList<ReadResult> results;
            for (qsizetype at = 0; at < wire.size(); at += step) {
                reader.append(QByteArrayView(wire).sliced(at, std::min(step, wire.size() - at)));
                results.append(readAll(reader));
            }
            QCOMPARE(results.size(), 2);
            const auto &ping = std::get<Message>(results[0]);
            QCOMPARE(ping.opcode, Opcode::Ping);
            QCOMPARE(ping.payload, QByteArray("hi"));
            const auto &message = std::get<Message>(results[1]);
            QCOMPARE(message.opcode, Opcode::Text);
            QCOMPARE(message.text, QString::fromUtf8(text));
        }
    }

    void aCharacterSplitAcrossFragmentsIsValid()
    {
        const QByteArray euro = "\xe2\x82\xac";
        FrameReader reader(1024);
        reader.append(QByteArray(maskedClientFrame(0x01, euro.first(1)) + maskedClientFrame(0x80, euro.sliced(1))));
        const QList<ReadResult> results = readAll(reader);
        QCOMPARE(results.size(), 1);
        QCOMPARE(std::get<Message>(results[0]).text, QString(QChar(0x20ac)));
    }

    void closeFramesAreRead()
    {
        FrameReader reader(1024);
        reader.append(maskedClientFrame(0x88, QByteArray("\x03\xe8" "bye", 5)));
        const QList<ReadResult> results = readAll(reader);
        QCOMPARE(results.size(), 1);
        QCOMPARE(std::get<Message>(results[0]).opcode, Opcode::Close);
        QCOMPARE(std::get<Message>(results[0]).payload, QByteArray("\x03\xe8" "bye", 5));
    }

    void violationsNameTheirCloseCode_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("closeCode");
        QByteArray unmasked("\x81\x02hi", 4);
        QTest::newRow("unmasked") << unmasked << 1002;
        QTest::newRow("rsv bit") << maskedClientFrame(0xC1, "hi") << 1002;
        QTest::newRow("unknown opcode") << maskedClientFrame(0x83, "hi") << 1002;
        QTest::newRow("bare continuation") << maskedClientFrame(0x80, "hi") << 1002;
        QTest::newRow("new message inside a fragmented one")
            << maskedClientFrame(0x01, "a") + maskedClientFrame(0x81, "b") << 1002;
        QTest::newRow("fragmented ping") << maskedClientFrame(0x09, "a") << 1002;
        QTest::newRow("long ping") << maskedClientFrame(0x89, QByteArray(126, 'p')) << 1002;
        QTest::newRow("close with one byte") << maskedClientFrame(0x88, "\x03") << 1002;
        QTest::newRow("close code 1005") << maskedClientFrame(0x88, "\x03\xed") << 1002;
        QTest::newRow("close reason not UTF-8") << maskedClientFrame(0x88, "\x03\xe8\xff") << 1007;
        QTest::newRow("text not UTF-8") << maskedClientFrame(0x81, "\xc3\x28") << 1007;
        QTest::newRow("UTF-16 surrogate") << maskedClientFrame(0x81, "\xed\xa0\x80") << 1007;
        QTest::newRow("declared 2^63") << maskedClientFrame(0x81, "", quint64(1) << 63) << 1009;
        QTest::newRow("fragments past the limit") << maskedClientFrame(0x01, QByteArray(600, 'a')) +
                                                         maskedClientFrame(0x80, QByteArray(600, 'a'))
                                                  << 1009;
    }
    void violationsNameTheirCloseCode()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, closeCode);
        const Violation violation = violationOf(wire, 1024);
        QCOMPARE(int(violation.closeCode), closeCode);
        QVERIFY(!violation.reason.isEmpty());
    }

    void aDeclaredLengthIsNeverBufferedPastTheLimit()
    {
        // A header announcing 1 GiB fails at once, before a byte of it is held.
        FrameReader reader(1 << 20);
        reader.append(maskedClientFrame(0x81, "", quint64(1) << 30).first(14));
        const auto result = reader.next();
        QVERIFY(result);
        QCOMPARE(std::get<Violation>(*result).closeCode, CloseCode::tooBig);
        QCOMPARE(reader.bufferedBytes(), 0);
        reader.append(QByteArray(1000, 'x')); // nothing more is taken in after a violation
        QVERIFY(!reader.next());
        QCOMPARE(reader.bufferedBytes(), 0);
    }

    void randomBytesNeverCrashOrGrow()
    {
        QRandomGenerator random(20261123);
        for (int round = 0; round < 2000; ++round) {
            FrameReader reader(4096);
            QByteArray junk(int(random.bounded(64)), Qt::Uninitialized);
            for (char &c : junk)
                c = char(random.bounded(256));
            reader.append(junk);
            while (reader.next()) {
            }
            QVERIFY(reader.bufferedBytes() <= junk.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestWsWire)
#include "tst_wswire.moc"
