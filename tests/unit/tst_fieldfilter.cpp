// The field filter language of the live view, replays and `cdcscope tail --filter`: every operator
// against real payload shapes, and errors that point at the column.
#include "inspect/FieldFilter.h"

#include <QTest>

using namespace cdc;

namespace {

const QByteArray update =
    "{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\",\"commit_ts_ms\":1700000000000,"
    "\"new\":{\"id\":42,\"amount\":150.50,\"status\":\"paid\",\"note\":\"Refund requested\","
    "\"big\":12345678901234567890123,\"lines\":[{\"sku\":\"A-1\"},{\"sku\":\"B-2\"}],\"first name\":\"Zoë\"},"
    "\"old\":{\"id\":42}}";
const QByteArray deletion = "{\"op\":\"delete\",\"schema\":\"public\",\"table\":\"orders\",\"old\":{\"id\":7}}";
const QByteArray heartbeat = "{\"type\":\"heartbeat\",\"at\":1}";

bool matches(const QString &expression, const QByteArray &payload, const QString &channel = QStringLiteral("orders"))
{
    auto parsed = FieldFilter::parse(expression);
    if (auto *error = std::get_if<FilterError>(&parsed))
        qFatal("%s does not parse: %s", qPrintable(expression), qPrintable(error->describe()));
    return std::get<FieldFilter>(parsed).matches(payload, {channel, 12, 1'700'000'000'123});
}

} // namespace

class TestFieldFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void operators_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("expected");
        const auto row = [](const char *name, const char *expression, const QByteArray &payload, bool expected) {
            QTest::newRow(name) << QString::fromUtf8(expression) << payload << expected;
        };
        row("== string", "table == \"orders\"", update, true);
        row("== other string", "table == \"items\"", update, false);
        row("!= string", "table != \"items\"", update, true);
        row("!= absent field", "type != \"heartbeat\"", update, true);
        row("== number by value", "new.amount == 150.5", update, true);
        row("> number", "new.amount > 100", update, true);
        row(">= number", "new.amount >= 150.50", update, true);
        row("< number", "new.amount < 100", update, false);
        row("<= number", "new.id <= 42", update, true);
        row("big integer by its digits", "new.big == 12345678901234567890123", update, true);
        row("decimals exactly", "new.amount > 150.4999999999999999999", update, true);
        row("negative numbers", "new.id > -43.5 and new.id >= -0", update, true);
        row("exponent", "new.amount < 1.6e2", update, true);
        row("big integer differs", "new.big == 12345678901234567890124", update, false);
        row("< strings", "new.status < \"pending\"", update, true);
        row("number vs string never equal", "new.id == \"42\"", update, false);
        row("absent field is not > anything", "new.missing > 1", update, false);
        row("in", "op in (\"delete\", \"truncate\")", deletion, true);
        row("in misses", "op in (\"delete\", \"truncate\")", update, false);
        row("in numbers", "old.id in (1, 7, 9)", deletion, true);
        row("exists", "exists(old)", deletion, true);
        row("not exists", "not exists(new)", deletion, true);
        row("! exists", "!exists(new)", update, false);
        row("and", "table == \"orders\" and new.amount > 100", update, true);
        row("and fails", "table == \"orders\" and new.amount > 1000", update, false);
        row("or", "op == \"insert\" or op == \"delete\"", deletion, true);
        row("&& and ||", "op == \"x\" || table == \"orders\" && exists(old)", update, true);
        row("and binds tighter than or", "op == \"delete\" or op == \"update\" and new.amount > 1000", update, false);
        row("parentheses", "(op == \"delete\" or op == \"update\") and exists(old)", update, true);
        row("array index", "new.lines[1].sku == \"B-2\"", update, true);
        row("index past the end", "new.lines[5].sku == \"B-2\"", update, false);
        row("quoted segment", "new.\"first name\" == \"Zoë\"", update, true);
        row("escape in literal", "new.\"first name\" == \"Zo\\u00eb\"", update, true);
        row("contains, any case", "contains(new.note, \"refund\")", update, true);
        row("contains misses", "contains(new.note, \"chargeback\")", update, false);
        row("hide heartbeats", "type != \"heartbeat\"", heartbeat, false);
        row("boolean literal", "exists(new) and new.amount != true", update, true);
        row("null", "new.status == null", update, false);
        row("$channel", "$channel == \"orders\"", update, true);
        row("$seq", "$seq > 10 and $seq <= 12", update, true);
        row("$ts_ms", "$ts_ms >= 1700000000000", update, true);
        row("keywords in any case", "op IN (\"update\") AND NOT exists(type)", update, true);
        row("single quotes", "table == 'orders'", update, true);
    }

    void operators()
    {
        QFETCH(QString, expression);
        QFETCH(QByteArray, payload);
        QFETCH(bool, expected);
        QCOMPARE(matches(expression, payload), expected);
    }

    void errorsPointAtTheColumn_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("says");
        const auto row = [](const char *expression, int column, const char *says) {
            QTest::newRow(expression) << QString::fromUtf8(expression) << column << QString::fromUtf8(says);
        };
        row("", 1, "the filter is empty");
        row("table == ", 10, "expected a value after '=='");
        row("table = \"orders\"", 7, "did you mean '=='?");
        row("new.amount >> 3", 13, "expected a value");
        row("table == \"orders", 10, "the string is not closed");
        row("op in (\"a\", ", 13, "expected a value");
        row("op in \"a\"", 7, "expected '(' and a list after 'in'");
        row("amount", 1, "a field alone is not a condition");
        row("table == \"orders\" xyz", 19, "expected 'and', 'or' or the end, found 'xyz'");
        row("(op == 1", 9, "expected ')'");
        row("foo(bar)", 1, "unknown function foo()");
        row("contains(note)", 14, "contains() takes a field and a text");
        row("$nope == 1", 1, "unknown envelope field $nope");
        row("new. == 1", 6, "expected a field name after '.'");
        row("new.lines[x] == 1", 11, "expected an index");
        row("table == other", 10, "comparing two fields is not supported");
        row("a == 1 # b", 8, "unexpected '#'");
    }

    void errorsPointAtTheColumn()
    {
        QFETCH(QString, expression);
        QFETCH(int, column);
        QFETCH(QString, says);
        auto parsed = FieldFilter::parse(expression);
        const auto *error = std::get_if<FilterError>(&parsed);
        QVERIFY2(error, "parsed, but should not have");
        QVERIFY2(error->message.contains(says), qPrintable(error->describe()));
        QCOMPARE(error->column, column);
        QVERIFY(error->describe().startsWith(QStringLiteral("column %1: ").arg(column)));
    }
};

QTEST_GUILESS_MAIN(TestFieldFilter)
#include "tst_fieldfilter.moc"
