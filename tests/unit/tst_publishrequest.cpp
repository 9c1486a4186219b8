// athena's publish body: one event or a batch, and what makes one invalid.
#include "protocol/JsonText.h"
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

    // The payload is evidence: what was published is what is stored, less the whitespace
    // between tokens. Each row is a data value and its compact form.
    void payloadIsKeptAsWritten_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("stored");
        const auto same = [](const char *name, const QByteArray &data) { QTest::newRow(name) << data << data; };
        same("key order", R"({"b":1,"a":2,"c":{"z":1,"y":2}})");
        same("Debezium envelope order", R"({"before":null,"after":{"id":1},"source":{"lsn":7},"op":"c"})");
        same("duplicate keys", R"({"a":1,"a":2})");
        same("integer past 2^64", "123456789012345678901234567890");
        same("negative integer past 2^63", "-9223372036854775809");
        same("40-digit decimal", "0.1000000000000000055511151231257827000000");
        same("numeric(38,10)", "1234567890123456789012345678.0123456789");
        same("1.0", "1.0");
        same("minus zero", "-0");
        same("1E+2", "1E+2");
        same("exponent past a double", "1e400");
        same("tiny exponent", "-1e-400");
        same("escaped e-acute", R"("\u00e9")");
        same("escaped slash", R"("a\/b")");
        same("surrogate pair escape", R"("\ud83d\ude00")");
        same("raw UTF-8", "\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\"");
        same("escapes as written", "\"a\\\"b\\\\c\\nd\\te\\u0041\\b\\f\\r\"");
        same("escaped key", R"({"\u0061":1})");
        same("DEL unescaped", "\"a\x7f\"");
        same("scalars", R"([true,false,null,-12,0,""])");
        same("nesting up to the limit (1024 with the batch and the envelope)",
             QByteArray(maxJsonDepth - 2, '[') + QByteArray(maxJsonDepth - 2, ']'));
        QTest::newRow("whitespace between tokens only")
            << QByteArray(" {\n  \"b\" : [ 1 , 2 ],\r\n\t\"a\" : \"x  y\\n\" } ")
            << QByteArray(R"({"b":[1,2],"a":"x  y\n"})");
    }

    void payloadIsKeptAsWritten()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, stored);
        // Members around "data" in any order, and other members, change nothing.
        const QByteArray body = R"([{"extra":[1,{"z":2}],"data":)" + data + R"(,"organization_id":" a "}])";
        const auto parsed = parsePublishBody(body);
        const auto *batch = std::get_if<PublishBatch>(&parsed);
        QVERIFY2(batch, batch ? "" : qPrintable(std::get<PublishError>(parsed).error.message));
        QCOMPARE(batch->at(0).channel, QStringLiteral("a"));
        QCOMPARE(batch->at(0).payload, stored);
    }

    // Whitespace is found wherever it is (the check reads eight bytes at a time), and only it goes.
    void whitespaceAnywhereIsDropped()
    {
        const QByteArray compact = R"([1,22,333,4444,55555,666666,7777777,88888888,"a b\tc",true])";
        for (qsizetype at = 1; at < compact.size(); ++at) {
            if (compact[at - 1] != ',' && compact[at - 1] != '[')
                continue; // between tokens only
            for (const char space : {' ', '\t', '\n', '\r'}) {
                QByteArray spaced = compact;
                spaced.insert(at, space);
                QCOMPARE(JsonOutline::compact(spaced), compact);
            }
        }
        QCOMPARE(JsonOutline::compact(compact), compact);
    }

    // JSON that is not valid is refused with what and where; the row gives the line and column.
    void invalidJsonNamesThePlace_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("where");
        const QByteArray head = R"({"organization_id":"c","data":)"; // 30 bytes
        QTest::newRow("leading zero") << (head + "01}") << QStringLiteral("line 1, column 31");
        QTest::newRow("trailing comma") << (head + "[1,]}") << QStringLiteral("line 1, column 34");
        QTest::newRow("missing comma") << (head + "[1 2]}") << QStringLiteral("line 1, column 34");
        QTest::newRow("unknown escape") << (head + R"("\x"})") << QStringLiteral("line 1, column 31");
        QTest::newRow("lone surrogate escape") << (head + R"("\ud800"})") << QStringLiteral("line 1, column 31");
        QTest::newRow("raw control character") << (head + "\"a\x01\"}") << QStringLiteral("line 1, column 33");
        QTest::newRow("overlong UTF-8") << (head + "\"\xc0\x80\"}") << QStringLiteral("line 1, column 32");
        QTest::newRow("UTF-8 surrogate") << (head + "\"\xed\xa0\x80\"}") << QStringLiteral("line 1, column 32");
        QTest::newRow("past U+10FFFF") << (head + "\"\xf4\x90\x80\x80\"}") << QStringLiteral("line 1, column 32");
        QTest::newRow("truncated UTF-8") << (head + "\"\xe6\x97\"}") << QStringLiteral("line 1, column 32");
        QTest::newRow("unclosed string") << (head + "\"abc}") << QStringLiteral("line 1, column 31");
        QTest::newRow("on the third line")
            << QByteArray("{\n\"organization_id\":\"c\",\n\"data\": tru}") << QStringLiteral("line 3, column 9");
        QTest::newRow("column counts characters") << QByteArray("{\"organization_id\":\"\xc3\xa9\xc3\xa9\",\"data\":-}")
                                                  << QStringLiteral("line 1, column 32");
        QTest::newRow("garbage after the body")
            << (head + "1} x") << QStringLiteral("or something follows it at line 1, column 1");
        QTest::newRow("garbage after a scalar")
            << QByteArray("\"a\" x") << QStringLiteral("after the JSON value at line 1, column 5");
        QTest::newRow("too deep") << (head + QByteArray(maxJsonDepth, '[') + QByteArray(maxJsonDepth, ']') + '}')
                                  << QStringLiteral("nested deeper than 1024 levels");
        QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbf{\"organization_id\":\"a\",\"data\":1}")
                                         << QStringLiteral("line 1, column 1");
    }

    void invalidJsonNamesThePlace()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, where);
        const auto parsed = parsePublishBody(body);
        const auto *error = std::get_if<PublishError>(&parsed);
        QVERIFY(error);
        QCOMPARE(error->httpStatus, 400);
        QCOMPARE(error->error.code, ErrorCode::invalidJson);
        QVERIFY2(error->error.message.startsWith(QStringLiteral("body is not valid JSON: ")),
                 qPrintable(error->error.message));
        QVERIFY2(error->error.message.contains(where), qPrintable(error->error.message));
    }

    // An envelope key given twice is ambiguous: refused, as athena (serde) refuses it.
    void envelopeKeysTwiceAreRefused()
    {
        for (const QByteArray &body : {QByteArray(R"({"organization_id":"a","data":1,"organization_id":"b"})"),
                                       QByteArray(R"({"organization_id":"a","data":1,"data":2})")}) {
            const auto parsed = parsePublishBody(body);
            const auto *error = std::get_if<PublishError>(&parsed);
            QVERIFY(error);
            QCOMPARE(error->httpStatus, 422);
            QVERIFY2(error->error.message.contains(QStringLiteral("given 2 times")), qPrintable(error->error.message));
        }
    }

    void escapedEnvelopeKeysCount()
    {
        const auto parsed = parsePublishBody(R"({"organization\u005fid":"\u0061b","data":1})");
        QCOMPARE(std::get<PublishBatch>(parsed).at(0).channel, QStringLiteral("ab"));
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
