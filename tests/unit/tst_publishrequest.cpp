// athena's publish body: one event or a batch, and what makes one invalid.
#include "protocol/PublishRequest.h"

#include <QTest>

using namespace cdc;

class TestPublishRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void singleEvent()
    {
        const auto parsed = parsePublishBody(R"({"organization_id":"orders","data":{"id":7,"name":"x y"}})");
        const auto *batch = std::get_if<PublishBatch>(&parsed);
        QVERIFY(batch);
        QCOMPARE(batch->size(), 1);
        QCOMPARE(batch->at(0).channel, QStringLiteral("orders"));
        QCOMPARE(batch->at(0).payload, QByteArray(R"({"id":7,"name":"x y"})"));
    }

    void batchKeepsOrder()
    {
        const auto parsed = parsePublishBody(
            R"([{"organization_id":"a","data":1},{"organization_id":"b","data":"two"},{"organization_id":"a","data":[3]}])");
        const auto &batch = std::get<PublishBatch>(parsed);
        QCOMPARE(batch.size(), 3);
        QCOMPARE(batch[0].payload, QByteArray("1"));
        QCOMPARE(batch[1].payload, QByteArray("\"two\""));
        QCOMPARE(batch[2].payload, QByteArray("[3]"));
        QCOMPARE(batch[1].channel, QStringLiteral("b"));
    }

    void payloadIsCompactedAndLargeIntegersSurvive()
    {
        const auto parsed = parsePublishBody(
            "{ \"organization_id\" : \"a\",\n \"data\" : { \"big\" : 9007199254740993 , \"f\": 1.5, \"n\": null } }");
        QCOMPARE(std::get<PublishBatch>(parsed).at(0).payload,
                 QByteArray(R"({"big":9007199254740993,"f":1.5,"n":null})"));
    }

    void nullPayloadIsAccepted()
    {
        const auto parsed = parsePublishBody(R"({"organization_id":"a","data":null})");
        QCOMPARE(std::get<PublishBatch>(parsed).at(0).payload, QByteArray("null"));
    }

    void emptyBatchStoresNothing()
    {
        const auto parsed = parsePublishBody("[]");
        QVERIFY(std::get<PublishBatch>(parsed).isEmpty());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("messagePart");
        QTest::newRow("not json") << QByteArray("{oops") << 400 << QStringLiteral("not valid JSON");
        QTest::newRow("empty body") << QByteArray() << 400 << QStringLiteral("not valid JSON");
        QTest::newRow("missing organization_id")
            << QByteArray(R"({"data":1})") << 422 << QStringLiteral("organization_id is missing");
        QTest::newRow("null organization_id") << QByteArray(R"({"organization_id":null,"data":1})") << 422
                                              << QStringLiteral("organization_id is missing");
        QTest::newRow("number organization_id")
            << QByteArray(R"({"organization_id":12,"data":1})") << 422 << QStringLiteral("must be a string");
        QTest::newRow("blank organization_id")
            << QByteArray(R"({"organization_id":"   ","data":1})") << 422 << QStringLiteral("must not be blank");
        QTest::newRow("missing data") << QByteArray(R"({"organization_id":"a"})") << 422
                                      << QStringLiteral("data is missing");
        QTest::newRow("batch names the bad event")
            << QByteArray(R"([{"organization_id":"a","data":1},{"organization_id":"a"}])") << 422
            << QStringLiteral("event 1: data is missing");
        QTest::newRow("batch element not object") << QByteArray(R"([{"organization_id":"a","data":1},7])") << 422
                                                  << QStringLiteral("event 1: an event must be a JSON object");
    }

    void errors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, messagePart);
        const auto parsed = parsePublishBody(body);
        const auto *error = std::get_if<PublishError>(&parsed);
        QVERIFY(error);
        QCOMPARE(error->httpStatus, status);
        QVERIFY2(error->error.message.contains(messagePart), qPrintable(error->error.message));
    }
};

QTEST_GUILESS_MAIN(TestPublishRequest)
#include "tst_publishrequest.moc"
