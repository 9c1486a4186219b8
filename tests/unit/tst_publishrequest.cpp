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

    // The one-pass reader must answer for the shapes payloads usually have, or it is dead weight.
    void commonShapesAreReadInOnePass_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("compact");
        QTest::newRow("keys in order") << QByteArray(R"({"a":1,"b":"x"})") << QByteArray(R"({"a":1,"b":"x"})");
        QTest::newRow("keys out of order, nested")
            << QByteArray(R"({ "t" : 17, "pad": "x", "row": {"z": [1, {"b": 2, "a": 1}], "id": 3}})")
            << QByteArray(R"({"pad":"x","row":{"id":3,"z":[1,{"a":1,"b":2}]},"t":17})");
        QTest::newRow("the last of equal keys") << QByteArray(R"({"b":1,"a":2,"b":3})") << QByteArray(R"({"a":2,"b":3})");
        QTest::newRow("numbers as Qt prints them")
            << QByteArray(R"([1.5, -2.250, 0.1, 1e2, 12.50, 6.02e23, 1E-7, 1e15, -0, 0.0, 9223372036854775808])")
            << QByteArray(R"([1.5,-2.25,0.1,100,12.5,6.02e+23,1e-07,1000000000000000,0,0,9223372036854776000])");
        QTest::newRow("UTF-8 and the escapes Qt writes")
            << QByteArray("{\"name\":\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\",\"q\":\"a\\\"b\\\\c\\nd\\te\"}")
            << QByteArray("{\"name\":\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\",\"q\":\"a\\\"b\\\\c\\nd\\te\"}");
        QTest::newRow("scalars") << QByteArray("[true,false,null,-12,0,\"\"]") << QByteArray("[true,false,null,-12,0,\"\"]");
    }

    void commonShapesAreReadInOnePass()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, compact);
        const QByteArray body = R"([{"data":)" + data + R"(,"organization_id":"a","extra":[1]}])";
        const std::optional<PublishBatch> batch = readPublishBodyInOnePass(body);
        QVERIFY(batch);
        QCOMPARE(batch->at(0).payload, compact);
        QCOMPARE(std::get<PublishBatch>(parsePublishBodyWithQt(body)).at(0).payload, compact);
    }

    // Wherever the one-pass reader answers, Qt's parser must give the same events; wherever it
    // declines, parsePublishBody gives Qt's answer. Each row is a body.
    void sameAsQt_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("onePass");
        const auto row = [](const char *name, const QByteArray &data, bool onePass) {
            QTest::newRow(name) << (R"({"organization_id":"c","data":)" + data + "}") << onePass;
        };
        row("integer, 18 digits", "123456789012345678", true);
        row("integer, 19 digits", "1234567890123456789", true);
        row("qint64 max", "9223372036854775807", true);
        row("past qint64", "9223372036854775808", true);
        row("qint64 min", "-9223372036854775808", true);
        row("minus zero", "-0", true);
        row("zero decimal", "0.0", true);
        row("minus zero decimal", "-0.0", true);
        row("whole decimal", "5.0", true);
        row("large whole decimal", "1e15", true);
        row("whole decimal past qint64", "1e19", true);
        row("long decimal", "3.14159265358979323846", true);
        row("huge", "1.5e300", true);
        row("overflow", "1e400", false);
        row("underflow", "1e-400", false);
        row("leading zero", "01", false);
        row("bare minus", "-", false);
        row("dot without digits", "1.", false);
        row("exponent without digits", "1e", false);
        row("plus sign", "+1", false);
        row("escaped slash", R"("a\/b")", false);
        row("unicode escape", R"("\u00e9")", false);
        row("surrogate pair escape", R"("\ud83d\ude00")", false);
        row("lone surrogate escape", R"("\ud800")", false);
        row("unknown escape", R"("\x")", false);
        row("raw control character", "\"a\x01" "b\"", false);
        row("raw tab", "\"a\tb\"", false);
        row("DEL", "\"a\x7f\"", true);
        row("overlong UTF-8", "\"\xc0\x80\"", false);
        row("lone continuation byte", "\"\x80\"", false);
        row("truncated UTF-8", "\"\xe6\x97\"", false);
        row("UTF-8 surrogate", "\"\xed\xa0\x80\"", false);
        row("noncharacter", "\"\xef\xbf\xbf\"", false);
        row("past U+10FFFF", "\"\xf4\x90\x80\x80\"", false);
        row("non-ASCII key", "{\"\xc3\xa9\":1,\"a\":2}", false);
        row("escaped key", R"({"b":1,"\u0061":2})", false);
        row("deep nesting", QByteArray(70, '[') + QByteArray(70, ']'), false);
        row("nesting within bounds", QByteArray(60, '[') + QByteArray(60, ']'), true);
        row("whitespace everywhere", " \n{ \"b\" :\t[ 1 ,2 ] ,\r\n\"a\" : { } } ", true);
        row("trailing comma", "[1,]", false);
        row("missing comma", "[1 2]", false);
        row("true prefix", "tru", false);
        row("single quotes", "'a'", false);
        QTest::newRow("garbage after the body") << QByteArray(R"({"organization_id":"c","data":1} x)") << false;
        QTest::newRow("data first, extra keys")
            << QByteArray(R"({"data":{"k":1},"x":[{"z":1}],"organization_id":" c "})") << true;
        QTest::newRow("organization_id twice")
            << QByteArray(R"({"organization_id":"a","data":1,"organization_id":"b"})") << false;
        QTest::newRow("data twice") << QByteArray(R"({"organization_id":"a","data":1,"data":2})") << false;
        QTest::newRow("escaped organization_id key")
            << QByteArray(R"({"organization\u005fid":"a","data":1})") << false;
        QTest::newRow("non-ASCII channel") << QByteArray("{\"organization_id\":\"\xc3\xa9\",\"data\":1}") << false;
        QTest::newRow("blank channel") << QByteArray(R"({"organization_id":" ","data":1})") << false;
        QTest::newRow("channel too long")
            << (R"({"organization_id":")" + QByteArray(300, 'x') + R"(","data":1})") << false;
        QTest::newRow("batch of two") << QByteArray(R"([{"organization_id":"a","data":2},{"organization_id":"b","data":[]}])")
                                      << true;
        QTest::newRow("batch with a bad event")
            << QByteArray(R"([{"organization_id":"a","data":2},{"organization_id":"b"}])") << false;
        QTest::newRow("empty batch") << QByteArray(" [ ] ") << true;
        QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbf{\"organization_id\":\"a\",\"data\":1}") << false;
    }

    void sameAsQt()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, onePass);
        QCOMPARE(readPublishBodyInOnePass(body).has_value(), onePass);
        const auto ours = parsePublishBody(body);
        const auto qts = parsePublishBodyWithQt(body);
        QCOMPARE(ours.index(), qts.index());
        if (const auto *batch = std::get_if<PublishBatch>(&ours)) {
            const auto &expected = std::get<PublishBatch>(qts);
            QCOMPARE(batch->size(), expected.size());
            for (qsizetype i = 0; i < batch->size(); ++i) {
                QCOMPARE(batch->at(i).channel, expected.at(i).channel);
                QCOMPARE(batch->at(i).payload, expected.at(i).payload);
            }
        } else {
            QCOMPARE(std::get<PublishError>(ours).httpStatus, std::get<PublishError>(qts).httpStatus);
            QCOMPARE(std::get<PublishError>(ours).error.message, std::get<PublishError>(qts).error.message);
        }
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
