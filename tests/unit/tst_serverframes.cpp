// The exact bytes of the frames the server writes: the spec fixes their shape and key order.
#include "protocol/JsonWriter.h"
#include "protocol/ServerFrames.h"
#include "protocol/WsWire.h"
#include "store/ChannelLog.h"
#include "store/TravelQuery.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cdc;

class TestServerFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void subscribedIsTheSpecsGreeting()
    {
        QCOMPARE(
            ServerFrames::subscribed(QStringLiteral("athena_logging")),
            QByteArray(
                R"({"status":"subscribed","client_id":"athena_logging","message":"Subscribed via X-Athena-Client header"})"));
    }

    void eventFrameHasTheSpecsShape()
    {
        ChannelLog log(QStringLiteral("athena_logging"));
        const StoredEvent &event = log.append(1700000000123, R"({"table":"users","op":"insert"})");
        const QByteArray json(
            R"({"organization_id":"athena_logging","data":{"seq":1,"ts_ms":1700000000123,"payload":{"table":"users","op":"insert"}}})");
        QCOMPARE(event.json(), QByteArrayView(json));
        QCOMPARE(event.payload(), QByteArrayView(R"({"table":"users","op":"insert"})"));
        // The stored wire frame is the final, unmasked text frame every subscriber is sent as is.
        QCOMPARE(event.wire, ws::frame(ws::Opcode::Text, json));
    }

    void aChannelWithFewEventsHoldsLittleMemory()
    {
        // Thousands of channels with an event or two each must not cost a 64 KiB block apiece.
        ChannelLog log(QStringLiteral("quiet"));
        const QByteArray wire = log.append(1, "{}").wire;
        QVERIFY2(wire.capacity() <= 1024, qPrintable(QString::number(wire.capacity())));
    }

    void eventsShareStorageButNotBytes()
    {
        ChannelLog log(QStringLiteral("c"));
        QList<QByteArray> wires;
        for (int i = 0; i < 1000; ++i) // several 64 KiB blocks
            wires.append(log.append(i, QByteArray(100, char('a' + i % 26))).wire);
        for (int i = 0; i < 1000; ++i) {
            QCOMPARE(log.at(i).payload(), QByteArrayView(QByteArray(100, char('a' + i % 26))));
            QCOMPARE(wires.at(i), log.at(i).wire);
        }
        // Changing a copy never reaches the stored frame or its neighbours.
        QByteArray copy = wires.at(500);
        copy.append("tail");
        copy[3] = 'X';
        QCOMPARE(log.at(500).payload(), QByteArrayView(QByteArray(100, char('a' + 500 % 26))));
        QCOMPARE(log.at(501).payload(), QByteArrayView(QByteArray(100, char('a' + 501 % 26))));
        // Evicting every event frees the blocks without disturbing frames still held elsewhere.
        while (!log.isEmpty())
            log.evictOldest();
        QVERIFY(ws::payloadOf(wires.at(999)).endsWith(QByteArray(QByteArray(100, char('a' + 999 % 26)) + "}}")));
    }

    void channelNamesAreEscaped()
    {
        ChannelLog log(QStringLiteral("we\"ird\\name\n\u00e9"));
        const StoredEvent &event = log.append(5, "1");
        const QJsonObject parsed = QJsonDocument::fromJson(event.json().toByteArray()).object();
        QCOMPARE(parsed.value(QStringLiteral("organization_id")).toString(), QStringLiteral("we\"ird\\name\n\u00e9"));
    }

    void errorFrame()
    {
        QCOMPARE(ServerFrames::error({QStringLiteral("invalid_json"), QStringLiteral("bad \"quote\"")}),
                 QByteArray("{\"status\":\"error\",\"error\":\"invalid_json\",\"message\":\"bad \\\"quote\\\"\"}"));
    }

    void subscriptionChangeCountsTheSet()
    {
        QCOMPARE(ServerFrames::subscriptionChanged({QStringLiteral("b"), true}, 2),
                 QByteArray(R"({"status":"subscribed","organization_id":"b","subscription_count":2})"));
        QCOMPARE(ServerFrames::subscriptionChanged({QStringLiteral("b"), false}, 1),
                 QByteArray(R"({"status":"unsubscribed","organization_id":"b","subscription_count":1})"));
        // The history epoch, when known, is one more field at the end (additive).
        QCOMPARE(ServerFrames::subscriptionChanged({QStringLiteral("b"), true}, 2, "00c0ffee00c0ffee"),
                 QByteArray(R"({"status":"subscribed","organization_id":"b","subscription_count":2,)"
                            R"("epoch":"00c0ffee00c0ffee"})"));
    }

    void travelAckEchoesWithNullsAndAddsSummary()
    {
        TravelCommand request;
        request.sinceSeq = 3;
        TravelResult result;
        result.effectiveLimit = 10000;
        result.truncated = false;
        result.channels.append({QStringLiteral("a"), 2, 9, true, "00c0ffee00c0ffee"});
        result.channels.append({QStringLiteral("b"), std::nullopt, std::nullopt, false, {}});
        QCOMPARE(
            ServerFrames::travelComplete(request, result),
            QByteArray(
                R"({"status":"travel_complete","organization_id":null,"since_seq":3,"since_ts_ms":null,"limit":10000,"count":0,"truncated":false,"gap":true,"channels":{"a":{"oldest_seq":2,"newest_seq":9,"gap":true,"epoch":"00c0ffee00c0ffee"},"b":{"oldest_seq":null,"newest_seq":null,"gap":false}}})"));
    }

    void controlCharactersAreEscaped()
    {
        QByteArray out;
        JsonWriter::appendQuoted(out, QStringLiteral("a\u0001\tb"));
        QCOMPARE(out, QByteArray("\"a\\u0001\\tb\""));
    }
};

QTEST_GUILESS_MAIN(TestServerFrames)
#include "tst_serverframes.moc"
