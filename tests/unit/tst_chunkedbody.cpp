// The chunked transfer coding of request bodies (RFC 9112 §7.1), however the bytes arrive.
#include "net/ChunkedBodyDecoder.h"

#include <QTest>

using namespace cdc;

class TestChunkedBody : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesWhateverTheSplit()
    {
        const QByteArray wire =
            "4;ext=\"a b\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 1\r\n\r\n"
            "GET / HTTP/1.1\r\n";
        for (qsizetype step = 1; step <= wire.size(); ++step) {
            ChunkedBodyDecoder decoder(1 << 20, 4096);
            QByteArray pending;
            qsizetype at = 0;
            for (; at < wire.size() && decoder.state() == ChunkedBodyDecoder::State::Reading; at += step) {
                pending += wire.mid(at, step);
                pending.remove(0, decoder.feed(pending));
            }
            QCOMPARE(decoder.state(), ChunkedBodyDecoder::State::Done);
            QCOMPARE(decoder.takeBody(), QByteArray("Wikipedia in\r\n\r\nchunks."));
            // Bytes after the body are never taken: they are the next request.
            QVERIFY2(QByteArray(pending + wire.mid(at)).startsWith("GET / HTTP/1.1\r\n"),
                     qPrintable(QString::number(step)));
        }
    }

    void bareLineFeedsAndUpperCaseHex()
    {
        ChunkedBodyDecoder decoder(1024, 4096);
        const QByteArray wire = "A\nabcdefghij\n0\n\n";
        QCOMPARE(decoder.feed(wire), wire.size());
        QCOMPARE(decoder.state(), ChunkedBodyDecoder::State::Done);
        QCOMPARE(decoder.takeBody(), QByteArray("abcdefghij"));
    }

    void theCapCountsDecodedBytes()
    {
        ChunkedBodyDecoder decoder(10, 4096);
        decoder.feed("8\r\n12345678\r\n8\r\n");
        QCOMPARE(decoder.state(), ChunkedBodyDecoder::State::TooLarge);
    }

    void malformedInputIsNamed_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("problem");
        QTest::newRow("not hex") << QByteArray("g\r\n") << QStringLiteral("malformed chunk size");
        QTest::newRow("empty size") << QByteArray("\r\n") << QStringLiteral("malformed chunk size");
        QTest::newRow("negative") << QByteArray("-1\r\n") << QStringLiteral("malformed chunk size");
        QTest::newRow("huge") << QByteArray("ffffffffffffffffff\r\n") << QStringLiteral("malformed chunk size");
        QTest::newRow("data too long") << QByteArray("1\r\nab\r\n") << QStringLiteral("longer than its size");
        QTest::newRow("endless size line") << QByteArray(5000, '1') << QStringLiteral("longer than 4096 bytes");
        QTest::newRow("endless trailer line")
            << ("0\r\n" + QByteArray(5000, 'x') + "\r\n") << QStringLiteral("trailer line is longer than 4096 bytes");
        QTest::newRow("endless trailers")
            << ("0\r\n" + QByteArray("X-Pad: 0123456789012345678901234567890123456789\r\n").repeated(100))
            << QStringLiteral("trailer fields are longer");
    }

    void malformedInputIsNamed()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QString, problem);
        ChunkedBodyDecoder decoder(1 << 20, 4096);
        decoder.feed(wire);
        QCOMPARE(decoder.state(), ChunkedBodyDecoder::State::Malformed);
        QVERIFY2(decoder.problem().contains(problem), qPrintable(decoder.problem()));
    }
};

QTEST_GUILESS_MAIN(TestChunkedBody)
#include "tst_chunkedbody.moc"
