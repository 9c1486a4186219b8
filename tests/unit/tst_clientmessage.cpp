// Parsing of every client message the protocol knows, and every way one can be wrong.
#include "protocol/ClientMessage.h"

#include <QTest>

using namespace cdc;

class TestClientMessage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void travelWithEveryField()
    {
        const auto message = parseClientMessage(QStringLiteral(
            R"({"type":"travel","organization_id":" athena_logging ","since_seq":42,"since_ts_ms":1700000000000,"limit":500})"));
        const auto *travel = std::get_if<TravelCommand>(&message);
        QVERIFY(travel);
        QCOMPARE(travel->channel.value(), QStringLiteral("athena_logging"));
        QCOMPARE(travel->sinceSeq.value(), 42);
        QCOMPARE(travel->sinceTsMs.value(), 1700000000000);
        QCOMPARE(travel->limit.value(), 500);
    }

    void travelWithNoFieldsLeavesThemEmpty()
    {
        const auto message = parseClientMessage(QStringLiteral(R"({"type":"travel"})"));
        const auto *travel = std::get_if<TravelCommand>(&message);
        QVERIFY(travel);
        QVERIFY(!travel->channel);
        QVERIFY(!travel->sinceSeq);
        QVERIFY(!travel->sinceTsMs);
        QVERIFY(!travel->limit);
    }

    void nullFieldsCountAsOmitted()
    {
        const auto message = parseClientMessage(
            QStringLiteral(R"({"type":"travel","organization_id":null,"since_seq":null,"limit":null})"));
        const auto *travel = std::get_if<TravelCommand>(&message);
        QVERIFY(travel);
        QVERIFY(!travel->channel);
        QVERIFY(!travel->sinceSeq);
        QVERIFY(!travel->limit);
    }

    void sinceSeqZeroIsKept()
    {
        const auto message = parseClientMessage(QStringLiteral(R"({"type":"travel","since_seq":0})"));
        QCOMPARE(std::get<TravelCommand>(message).sinceSeq.value(), 0);
    }

    void subscribeAndUnsubscribe()
    {
        const auto sub = parseClientMessage(QStringLiteral(R"({"type":"subscribe","organization_id":"orders"})"));
        QCOMPARE(std::get<SubscriptionCommand>(sub).channel, QStringLiteral("orders"));
        QVERIFY(std::get<SubscriptionCommand>(sub).subscribe);

        const auto unsub = parseClientMessage(QStringLiteral(R"({"type":"unsubscribe","organization_id":"orders"})"));
        QCOMPARE(std::get<SubscriptionCommand>(unsub).channel, QStringLiteral("orders"));
        QVERIFY(!std::get<SubscriptionCommand>(unsub).subscribe);
    }

    void legacyAthenaSubscribe()
    {
        const auto message = parseClientMessage(QStringLiteral(R"({"subscribe_to_organization_id":"tenant_7"})"));
        const auto *command = std::get_if<SubscriptionCommand>(&message);
        QVERIFY(command);
        QCOMPARE(command->channel, QStringLiteral("tenant_7"));
        QVERIFY(command->subscribe);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("messagePart");

        QTest::newRow("not json") << QStringLiteral("{nope") << ErrorCode::invalidJson
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("empty") << QString() << ErrorCode::invalidJson << QStringLiteral("not valid JSON");
        QTest::newRow("array") << QStringLiteral("[1,2]") << ErrorCode::notAnObject << QStringLiteral("JSON object");
        QTest::newRow("no type") << QStringLiteral(R"({"limit":3})") << ErrorCode::missingType
                                 << QStringLiteral("no \"type\"");
        QTest::newRow("type number") << QStringLiteral(R"({"type":7})") << ErrorCode::invalidField
                                     << QStringLiteral("type must be a string");
        QTest::newRow("unknown type") << QStringLiteral(R"({"type":"rewind"})") << ErrorCode::unknownType
                                      << QStringLiteral("\"rewind\"");
        QTest::newRow("since_seq string")
            << QStringLiteral(R"({"type":"travel","since_seq":"4"})") << ErrorCode::invalidField
            << QStringLiteral("since_seq must be a non-negative integer");
        QTest::newRow("since_seq negative") << QStringLiteral(R"({"type":"travel","since_seq":-1})")
                                            << ErrorCode::invalidField << QStringLiteral("since_seq");
        QTest::newRow("since_seq fraction") << QStringLiteral(R"({"type":"travel","since_seq":1.5})")
                                            << ErrorCode::invalidField << QStringLiteral("since_seq");
        QTest::newRow("since_seq huge") << QStringLiteral(R"({"type":"travel","since_seq":1e300})")
                                        << ErrorCode::invalidField << QStringLiteral("since_seq");
        QTest::newRow("since_ts_ms negative") << QStringLiteral(R"({"type":"travel","since_ts_ms":-5})")
                                              << ErrorCode::invalidField << QStringLiteral("since_ts_ms");
        QTest::newRow("since_ts_ms bool") << QStringLiteral(R"({"type":"travel","since_ts_ms":true})")
                                          << ErrorCode::invalidField << QStringLiteral("since_ts_ms");
        QTest::newRow("limit zero") << QStringLiteral(R"({"type":"travel","limit":0})") << ErrorCode::invalidField
                                    << QStringLiteral("limit must be an integer of at least 1");
        QTest::newRow("limit negative") << QStringLiteral(R"({"type":"travel","limit":-10})") << ErrorCode::invalidField
                                        << QStringLiteral("limit");
        QTest::newRow("limit object") << QStringLiteral(R"({"type":"travel","limit":{}})") << ErrorCode::invalidField
                                      << QStringLiteral("limit");
        QTest::newRow("organization_id number")
            << QStringLiteral(R"({"type":"travel","organization_id":5})") << ErrorCode::invalidField
            << QStringLiteral("organization_id must be a string");
        QTest::newRow("organization_id blank") << QStringLiteral(R"({"type":"travel","organization_id":"  "})")
                                               << ErrorCode::invalidField << QStringLiteral("non-blank");
        QTest::newRow("organization_id too long")
            << QStringLiteral(R"({"type":"subscribe","organization_id":"%1"})").arg(QString(300, u'x'))
            << ErrorCode::invalidField << QStringLiteral("at most 256");
        QTest::newRow("subscribe without channel")
            << QStringLiteral(R"({"type":"subscribe"})") << ErrorCode::invalidField
            << QStringLiteral("organization_id is required");
        QTest::newRow("unsubscribe null channel")
            << QStringLiteral(R"({"type":"unsubscribe","organization_id":null})") << ErrorCode::invalidField
            << QStringLiteral("organization_id is required");
        QTest::newRow("legacy subscribe number")
            << QStringLiteral(R"({"subscribe_to_organization_id":3})") << ErrorCode::invalidField
            << QStringLiteral("subscribe_to_organization_id must be a string");
    }

    void errors()
    {
        QFETCH(QString, text);
        QFETCH(QString, code);
        QFETCH(QString, messagePart);
        const auto message = parseClientMessage(text);
        const auto *error = std::get_if<ProtocolError>(&message);
        QVERIFY(error);
        QCOMPARE(error->code, code);
        QVERIFY2(error->message.contains(messagePart), qPrintable(error->message));
    }
};

QTEST_GUILESS_MAIN(TestClientMessage)
#include "tst_clientmessage.moc"
