// permessage-deflate (RFC 7692) on the server side: which offers are accepted and how the answer
// reads (section 7's negotiation cases), compressed frames a client's inflater reads back, the
// frames shared by recipients, and the reader's side — compressed client messages, fragmented
// ones, the RSV1 rules, a compressed bomb refused by its inflated size, and corrupt data.
#include "TestServer.h"
#include "net/DeflatedFrames.h"
#include "protocol/PermessageDeflate.h"

#include <QRandomGenerator>
#include <QTest>

#include <thread>

using namespace cdc;
using namespace cdc::ws;

namespace {

// A Debezium-shaped change event of about 2 KB: what CDC payloads look like.
QByteArray debeziumEvent(int id)
{
    QByteArray row = QByteArrayLiteral("{\"id\":") + QByteArray::number(id);
    for (int column = 0; column < 24; ++column)
        row += ",\"column_" + QByteArray::number(column) + "\":\"value " + QByteArray::number(id * 31 + column) + "\"";
    row += '}';
    return QByteArrayLiteral("{\"before\":") + row + ",\"after\":" + row +
           ",\"source\":{\"version\":\"2.5.0.Final\",\"connector\":\"postgresql\",\"name\":\"inventory\",\"ts_ms\":"
           "1700000000000,\"snapshot\":\"false\",\"db\":\"inventory\",\"schema\":\"public\",\"table\":\"orders\","
           "\"txId\":" +
           QByteArray::number(1000 + id) + ",\"lsn\":" + QByteArray::number(330000 + id) +
           "},\"op\":\"u\",\"ts_ms\":1700000000123}";
}

QList<ReadResult> readAll(FrameReader &reader)
{
    QList<ReadResult> results;
    while (auto result = reader.next())
        results.append(std::move(*result));
    return results;
}

ReadResult readOne(QByteArrayView wire, qint64 maxMessage = 1 << 20, bool agreed = true)
{
    FrameReader reader(maxMessage);
    if (agreed)
        reader.allowCompressedMessages();
    reader.append(wire);
    QList<ReadResult> results = readAll(reader);
    if (results.size() != 1)
        return Violation{0, QStringLiteral("%1 results").arg(results.size())};
    return results.front();
}

} // namespace

class TestPermessageDeflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offers_data()
    {
        QTest::addColumn<QList<QByteArray>>("headers");
        QTest::addColumn<QByteArray>("answer"); // empty: declined

        const QByteArray plain = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        QTest::newRow("bare offer") << QList<QByteArray>{"permessage-deflate"} << plain;
        QTest::newRow("browsers and ws: client_max_window_bits without a value")
            << QList<QByteArray>{"permessage-deflate; client_max_window_bits"} << plain;
        QTest::newRow("client window with a value") << QList<QByteArray>{"permessage-deflate; client_max_window_bits=10"}
                                                    << plain;
        QTest::newRow("both no-context parameters")
            << QList<QByteArray>{"permessage-deflate; server_no_context_takeover; client_no_context_takeover"} << plain;
        QTest::newRow("server window asked") << QList<QByteArray>{"permessage-deflate; server_max_window_bits=10"}
                                             << plain + "; server_max_window_bits=10";
        QTest::newRow("quoted value") << QList<QByteArray>{"permessage-deflate; server_max_window_bits=\"12\""}
                                      << plain + "; server_max_window_bits=12";
        QTest::newRow("case and spacing") << QList<QByteArray>{"PerMessage-Deflate ;  Client_Max_Window_Bits"}
                                          << plain;
        QTest::newRow("another extension first")
            << QList<QByteArray>{"x-webkit-deflate-frame, permessage-deflate; client_max_window_bits"} << plain;
        QTest::newRow("offers in two headers") << QList<QByteArray>{"foo", "permessage-deflate"} << plain;
        // Section 7: a first offer the server cannot take, a fallback it can.
        QTest::newRow("fallback offer")
            << QList<QByteArray>{"permessage-deflate; server_max_window_bits=8, permessage-deflate"} << plain;
        QTest::newRow("8-bit server window declined") << QList<QByteArray>{"permessage-deflate; server_max_window_bits=8"}
                                                      << QByteArray();
        QTest::newRow("server window without a value")
            << QList<QByteArray>{"permessage-deflate; server_max_window_bits"} << QByteArray();
        QTest::newRow("window out of range") << QList<QByteArray>{"permessage-deflate; client_max_window_bits=16"}
                                             << QByteArray();
        QTest::newRow("leading zero") << QList<QByteArray>{"permessage-deflate; server_max_window_bits=010"}
                                      << QByteArray();
        QTest::newRow("value on a flag") << QList<QByteArray>{"permessage-deflate; server_no_context_takeover=1"}
                                         << QByteArray();
        QTest::newRow("parameter twice")
            << QList<QByteArray>{"permessage-deflate; client_max_window_bits; client_max_window_bits"} << QByteArray();
        QTest::newRow("unknown parameter") << QList<QByteArray>{"permessage-deflate; mystery=1"} << QByteArray();
        QTest::newRow("another extension only") << QList<QByteArray>{"x-webkit-deflate-frame"} << QByteArray();
        QTest::newRow("broken grammar") << QList<QByteArray>{"permessage-deflate; =3"} << QByteArray();
        QTest::newRow("unterminated quote") << QList<QByteArray>{"permessage-deflate; server_max_window_bits=\"12"}
                                            << QByteArray();
        QTest::newRow("no header") << QList<QByteArray>{} << QByteArray();
    }
    void offers()
    {
        QFETCH(QList<QByteArray>, headers);
        QFETCH(QByteArray, answer);
        const std::optional<DeflateAgreement> agreement = acceptDeflateOffer(headers);
        QCOMPARE(agreement ? deflateResponse(*agreement) : QByteArray(), answer);
    }

    void aCompressedFrameIsWhatAClientInflates_data()
    {
        QTest::addColumn<int>("windowBits");
        for (int bits = 9; bits <= 15; ++bits)
            QTest::addRow("window %d", bits) << bits;
    }
    void aCompressedFrameIsWhatAClientInflates()
    {
        QFETCH(int, windowBits);
        const QByteArray event = debeziumEvent(7);
        const QByteArray compressed = compressedFrame(Opcode::Text, event, windowBits);
        QVERIFY(!compressed.isEmpty());
        QCOMPARE(quint8(compressed[0]), quint8(0xC1)); // FIN, RSV1, text
        QVERIFY2(compressed.size() * 3 < event.size(), qPrintable(QString::number(compressed.size())));
        // A client whose inflater has exactly the agreed window reads it.
        QCOMPARE(clientInflate(payloadOf(compressed), windowBits), event);
    }

    void smallOrIncompressibleMessagesGoAsTheyAre()
    {
        const QByteArray small = frame(Opcode::Text, "{\"status\":\"ok\"}");
        QVERIFY(compressedFrameOf(small, 15, 256).isEmpty());
        QByteArray noise(4096, Qt::Uninitialized);
        for (qsizetype i = 0; i < noise.size(); ++i)
            noise[i] = char(QRandomGenerator::global()->bounded(256));
        QVERIFY(compressedFrameOf(frame(Opcode::Binary, noise), 15, 0).isEmpty());
        // Control frames never (RFC 7692 section 6.1), however large the threshold allows.
        QVERIFY(compressedFrameOf(frame(Opcode::Ping, QByteArray(100, 'a')), 15, 0).isEmpty());
    }

    void everyRecipientSharesTheSameCompressedBytes()
    {
        // Two delivery threads ask for the same batch's frames at once: each frame is made once.
        std::vector<QByteArray> plain;
        for (int i = 0; i < 200; ++i)
            plain.push_back(frame(Opcode::Text, debeziumEvent(i)));
        DeflatedFrames shared(plain.size());
        std::vector<const char *> seen[2];
        std::thread lanes[2];
        for (int lane = 0; lane < 2; ++lane) {
            lanes[lane] = std::thread([&, lane] {
                for (size_t i = 0; i < plain.size(); ++i)
                    seen[lane].push_back(shared.frameFor(i, plain[i], 15, 256).constData());
            });
        }
        for (std::thread &lane : lanes)
            lane.join();
        for (size_t i = 0; i < plain.size(); ++i) {
            QCOMPARE(seen[0][i], seen[1][i]); // the very same bytes, not an equal copy
            const QByteArray &made = shared.frameFor(i, plain[i], 15, 256);
            QCOMPARE(clientInflate(payloadOf(made)), QByteArray(payloadOf(plain[i]).toByteArray()));
        }
        // Another window is another parameter set, made for it; under the threshold, the plain frame.
        const QByteArray &narrow = shared.frameFor(0, plain[0], 10, 256);
        QVERIFY(narrow.constData() != seen[0][0]);
        QCOMPARE(clientInflate(payloadOf(narrow), 10), QByteArray(payloadOf(plain[0]).toByteArray()));
        QCOMPARE(shared.frameFor(1, plain[1], 15, 1 << 20).constData(), seen[0][1]); // made already: kept
        DeflatedFrames fresh(1);
        QCOMPARE(fresh.frameFor(0, plain[0], 15, 1 << 20).constData(), plain[0].constData());
    }

    void aCompressedClientMessageIsRead()
    {
        const QByteArray text = "{\"type\":\"travel\",\"limit\":10,\"note\":\"" + QByteArray(2000, 'n') + "\"}";
        const ReadResult result = readOne(maskedClientFrame(0xC1, clientDeflate(text)));
        QVERIFY(std::holds_alternative<Message>(result));
        QCOMPARE(std::get<Message>(result).text, QString::fromUtf8(text));
        // Messages without RSV1 stay as they are on a connection that agreed compression.
        const ReadResult plain = readOne(maskedClientFrame(0x81, "{\"type\":\"travel\"}"));
        QCOMPARE(std::get<Message>(plain).text, QStringLiteral("{\"type\":\"travel\"}"));
    }

    void aFragmentedCompressedMessageIsReadWithPingsBetween()
    {
        const QByteArray text = QByteArray(5000, 'a') + QByteArray(5000, 'b');
        const QByteArray deflated = clientDeflate(text);
        const qsizetype third = deflated.size() / 3;
        // RSV1 on the first frame only (section 6.1); a ping between fragments is never compressed.
        const QByteArray wire = maskedClientFrame(0x41, deflated.first(third)) + maskedClientFrame(0x89, "p") +
                                maskedClientFrame(0x00, deflated.sliced(third, third)) +
                                maskedClientFrame(0x80, deflated.sliced(2 * third));
        FrameReader reader(1 << 20);
        reader.allowCompressedMessages();
        reader.append(wire);
        const QList<ReadResult> results = readAll(reader);
        QCOMPARE(results.size(), 2);
        QCOMPARE(std::get<Message>(results[0]).opcode, Opcode::Ping);
        QCOMPARE(std::get<Message>(results[1]).text, QString::fromLatin1(text));
    }

    void binaryMessagesAreInflatedToo()
    {
        const QByteArray bytes = QByteArray(3000, '\x01');
        const ReadResult result = readOne(maskedClientFrame(0xC2, clientDeflate(bytes)));
        QCOMPARE(std::get<Message>(result).payload, bytes);
    }

    void rsv1RulesAndBadData_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("agreed");
        QTest::addColumn<int>("closeCode");
        const QByteArray deflated = clientDeflate("hello hello hello");
        QTest::newRow("RSV1 without the extension") << maskedClientFrame(0xC1, deflated) << false << 1002;
        QTest::newRow("RSV1 on a ping") << maskedClientFrame(0xC9, "x") << true << 1002;
        QTest::newRow("RSV1 on a close") << maskedClientFrame(0xC8, "\x03\xe8") << true << 1002;
        QTest::newRow("RSV1 on a continuation")
            << maskedClientFrame(0x41, deflated.first(4)) + maskedClientFrame(0xC0, deflated.sliced(4)) << true << 1002;
        QTest::newRow("RSV2 with the extension") << maskedClientFrame(0xA1, "x") << true << 1002;
        QTest::newRow("not DEFLATE at all") << maskedClientFrame(0xC1, "\xff\xff\xff\xff\xff") << true << 1007;
        QTest::newRow("cut short") << maskedClientFrame(0xC1, clientDeflate(QByteArray(3000, 'z')).first(3)) << true
                                   << 1007;
        QTest::newRow("inflates to invalid UTF-8") << maskedClientFrame(0xC1, clientDeflate("\xc3\x28")) << true
                                                   << 1007;
    }
    void rsv1RulesAndBadData()
    {
        QFETCH(QByteArray, wire);
        QFETCH(bool, agreed);
        QFETCH(int, closeCode);
        const ReadResult result = readOne(wire, 1 << 20, agreed);
        QVERIFY(std::holds_alternative<Violation>(result));
        QCOMPARE(int(std::get<Violation>(result).closeCode), closeCode);
    }

    void aCompressedBombIsRefusedByItsInflatedSize()
    {
        // 64 MiB of zeros deflate to about 64 KiB; the limit is 1 MiB of message. The inflater
        // stops as soon as the output passes it.
        const QByteArray bomb = clientDeflate(QByteArray(64 << 20, '\0'));
        QVERIFY(bomb.size() < 128 * 1024);
        const ReadResult result = readOne(maskedClientFrame(0xC2, bomb), 1 << 20);
        QVERIFY(std::holds_alternative<Violation>(result));
        QCOMPARE(std::get<Violation>(result).closeCode, CloseCode::tooBig);
        // Exactly at the limit is still a message.
        const ReadResult atLimit = readOne(maskedClientFrame(0xC2, clientDeflate(QByteArray(1 << 20, '\0'))), 1 << 20);
        QCOMPARE(std::get<Message>(atLimit).payload.size(), qsizetype(1 << 20));
    }

    void inflatingKeepsNoStateBetweenMessages()
    {
        // client_no_context_takeover: each message from an empty window, whatever came before,
        // on any connection of the thread.
        FrameReader first(1 << 20);
        FrameReader second(1 << 20);
        first.allowCompressedMessages();
        second.allowCompressedMessages();
        for (int round = 0; round < 3; ++round) {
            const QByteArray text = debeziumEvent(round);
            const QByteArray other = text + ' ';
            first.append(maskedClientFrame(0xC1, clientDeflate(text)));
            second.append(maskedClientFrame(0xC1, clientDeflate(other)));
            QCOMPARE(std::get<Message>(*first.next()).text, QString::fromUtf8(text));
            QCOMPARE(std::get<Message>(*second.next()).text, QString::fromUtf8(other));
        }
    }
};

QTEST_APPLESS_MAIN(TestPermessageDeflate)
#include "tst_permessagedeflate.moc"
