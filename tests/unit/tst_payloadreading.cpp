// What the detail pane shows of a payload, read off the GUI thread: the pretty form keeps every
// token, the tree's paths say how to reach a value, long values are cut at a character, and the
// filter's matcher finds what the view shows (masked values excepted).
#include "EventMatcher.h"
#include "detail/JsonTree.h"
#include "detail/PayloadReading.h"

#include <QTest>

using namespace cdc;

namespace {

LiveEvent eventWith(const QByteArray &payload)
{
    LiveEvent live;
    live.channel = QStringLiteral("orders");
    live.event.seq = 3;
    const QByteArray json = "{\"organization_id\":\"orders\",\"data\":{\"seq\":3,\"ts_ms\":1,\"payload\":" + payload + "}}";
    live.event.wire = json;
    live.event.jsonOffset = 0;
    live.event.payloadOffset = qint32(json.indexOf("\"payload\":") + 10);
    return live;
}

} // namespace

class TestPayloadReading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void prettyKeepsEveryToken()
    {
        // Not a raw string: moc misreads one holding \".
        const QByteArray compact = "{\"a\":1.0000000000000000000001,\"b\":\"x\\\"y,{[\",\"a\":[],\"c\":{},\"d\":[true,null]}";
        QCOMPARE(prettyJson(compact), QByteArray("{\n"
                                                 "  \"a\": 1.0000000000000000000001,\n"
                                                 "  \"b\": \"x\\\"y,{[\",\n"
                                                 "  \"a\": [],\n"
                                                 "  \"c\": {},\n"
                                                 "  \"d\": [\n"
                                                 "    true,\n"
                                                 "    null\n"
                                                 "  ]\n"
                                                 "}"));
        // Nothing but whitespace differs.
        QByteArray squeezed = prettyJson(compact);
        squeezed.replace("\n", "").replace("  ", "").replace(": ", ":");
        QCOMPARE(squeezed, compact);
    }

    void pathsSayHowToReachAValue()
    {
        const auto tree = JsonTree::build(R"({"after":{"items":[{"sku":"A"}],"first name":"Ada","2x":1}})");
        QVERIFY(tree);
        JsonTreeModel model;
        model.setTree(tree);
        const QModelIndex after = model.index(0, 0, model.index(0, 0));
        const QModelIndex sku = model.index(0, 0, model.index(0, 0, model.index(0, 0, after)));
        QCOMPARE(sku.data(JsonTreeModel::PathRole).toString(), QStringLiteral("payload.after.items[0].sku"));
        QCOMPARE(sku.parent().parent().parent(), after);
        QCOMPARE(model.index(1, 0, after).data(JsonTreeModel::PathRole).toString(),
                 QStringLiteral(R"(payload.after["first name"])"));
        QCOMPARE(model.index(2, 0, after).data(JsonTreeModel::PathRole).toString(), QStringLiteral(R"(payload.after["2x"])"));
        QCOMPARE(model.index(1, 1, after).data().toString(), QStringLiteral("\"Ada\""));
        QVERIFY(!JsonTree::build("{\"a\":"));
    }

    void longValuesAreCutAtACharacter()
    {
        const QByteArray text = QByteArray(1999, 'a') + "é" + QByteArray(100, 'b'); // é straddles byte 2000
        const QString shown = elidedValueText(text, 2000);
        QVERIFY(shown.startsWith(QString(1999, u'a') + u'…'));
        QVERIFY(shown.endsWith(QStringLiteral("(102 more bytes)")));
        QCOMPARE(elidedValueText("short", 2000), QStringLiteral("short"));
    }

    void theReadingMasksAndFindsTheChange()
    {
        const LiveEvent live = eventWith(R"({"op":"insert","table":"users","new":{"id":1,"password":"hunter2"}})");
        const PayloadReading reading = readPayload(live, PayloadMask({QStringLiteral("*password*")}), false);
        QVERIFY(reading.change);
        QCOMPARE(reading.change->operation, QStringLiteral("insert"));
        QVERIFY(!reading.raw.contains(QStringLiteral("hunter2")));
        QVERIFY(reading.raw.startsWith(QStringLiteral("{\"organization_id\":\"orders\"")));
        QVERIFY(reading.tree);
    }

    void theMatcherReadsPayloadsAsShown()
    {
        const LiveEvent live = eventWith(R"({"note":"Refund for Zoë","password":"refund-secret"})");
        const auto matches = [&](EventFilterSpec::Mode mode, const QString &text, QStringList mask = {}) {
            return EventMatcher({mode, text, mask}).matches(live);
        };
        QVERIFY(matches(EventFilterSpec::Mode::Text, QStringLiteral("REFUND FOR")));
        QVERIFY(matches(EventFilterSpec::Mode::Text, QStringLiteral("zoË")));
        QVERIFY(!matches(EventFilterSpec::Mode::Text, QStringLiteral("secret"), {QStringLiteral("password")}));
        QVERIFY(matches(EventFilterSpec::Mode::Regex, QStringLiteral("refund\\s+for")));
        QVERIFY(matches(EventFilterSpec::Mode::Fields, QStringLiteral("contains(note, \"Zoë\") and $seq == 3")));
        QVERIFY(!matches(EventFilterSpec::Mode::Fields, QStringLiteral("$channel == \"audit\"")));
    }
};

QTEST_GUILESS_MAIN(TestPayloadReading)
#include "tst_payloadreading.moc"
