// `cdcscope diff a.jsonl b.jsonl`: the real binary on capture files, each kind of difference with
// its exit code (0 equal, 1 different, 2 trouble) and the line that says it.
#include "HeadlessProcess.h"
#include "inspect/CaptureDiff.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace cdc;

namespace {

// A capture line as exports write them.
QByteArray line(const QByteArray &channel, qint64 seq, qint64 tsMs, const QByteArray &payload)
{
    return R"({"organization_id":")" + channel + R"(","data":{"seq":)" + QByteArray::number(seq) + R"(,"ts_ms":)" +
           QByteArray::number(tsMs) + R"(,"payload":)" + payload + "}}\n";
}

QByteArray change(const QByteArray &op, int id, const QByteArray &amount, qint64 commitTs)
{
    return R"({"op":")" + op + R"(","table":"orders","commit_ts_ms":)" + QByteArray::number(commitTs) +
           R"(,"new":{"id":)" + QByteArray::number(id) + R"(,"amount":)" + amount + "}}";
}

struct Outcome
{
    int exitCode = -1;
    QString output;
};

} // namespace

class TestCaptureDiff : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(file.fileName()));
        file.write(content);
        return file.fileName();
    }

    Outcome diff(const QByteArray &a, const QByteArray &b, const QStringList &options = {})
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(cdcscopeBinary(), QStringList{QStringLiteral("diff"), write(QStringLiteral("a.jsonl"), a),
                                                    write(QStringLiteral("b.jsonl"), b)} +
                                            options);
        if (!process.waitForFinished(30000))
            return {};
        return {process.exitCode(), QString::fromUtf8(process.readAll())};
    }

    // The golden run: two channels, an insert and an update of order 42, an insert of 43.
    QByteArray golden() const
    {
        return line("acme", 1, 1000, change("insert", 42, "1.50", 900)) +
               line("audit", 1, 1001, R"({"op":"insert","table":"log","new":{"id":1}})") +
               line("acme", 2, 1002, change("update", 42, "2.00", 901)) +
               line("acme", 3, 1003, change("insert", 43, "7", 902));
    }

private Q_SLOTS:
    void theSameTrafficInAnotherRunIsEqual()
    {
        // Other seqs, times, commit times and channel interleaving: still the same traffic.
        const QByteArray rerun = line("audit", 7, 5000, R"({"op":"insert", "table":"log","new":{"id":1}})") +
                                 line("acme", 11, 5001, change("insert", 42, "1.50", 4900)) +
                                 line("acme", 12, 5002, change("update", 42, "2.00", 4901)) +
                                 line("acme", 13, 5003, change("insert", 43, "7", 4902));
        const Outcome outcome = diff(golden(), rerun,
                                     {QStringLiteral("--key"), QStringLiteral("id"), QStringLiteral("--ignore"),
                                      QStringLiteral("commit_ts_ms")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.output));
        QVERIFY(outcome.output.contains(QStringLiteral("4 event(s) in")));
        QVERIFY(outcome.output.contains(QStringLiteral(": equal")));
        // Without --ignore the commit times differ, field by field.
        const Outcome strict = diff(golden(), rerun, {QStringLiteral("--key"), QStringLiteral("id")});
        QCOMPARE(strict.exitCode, 1);
        QVERIFY2(strict.output.contains(QStringLiteral("changed    acme insert id=42")) &&
                     strict.output.contains(QStringLiteral("commit_ts_ms 900 → 4900")),
                 qPrintable(strict.output));
    }

    void aMissingEventIsNamedWithItsLine()
    {
        const QByteArray lost = line("acme", 1, 1000, change("insert", 42, "1.50", 900)) +
                                line("audit", 1, 1001, R"({"op":"insert","table":"log","new":{"id":1}})") +
                                line("acme", 3, 1003, change("insert", 43, "7", 902));
        const Outcome outcome = diff(golden(), lost, {QStringLiteral("--key=id")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.output.contains(QStringLiteral("missing    acme update id=42 (")) &&
                     outcome.output.contains(QStringLiteral("a.jsonl:3)")),
                 qPrintable(outcome.output));
        QVERIFY(outcome.output.contains(QStringLiteral("1 missing, 0 extra, 0 changed, 0 reordered")));
    }

    void anExtraEventIsNamed()
    {
        const Outcome outcome = diff(golden(), golden() + line("acme", 4, 1004, change("delete", 43, "7", 903)),
                                     {QStringLiteral("--key=id")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.output.contains(QStringLiteral("extra      acme delete id=43 (")), qPrintable(outcome.output));
    }

    void aChangedValueKeepsItsDigits()
    {
        // 1.50 and 1.5 are the same number and different evidence: a numeric(10,2) lost its scale.
        QByteArray changed = golden();
        changed.replace(R"("amount":1.50)", R"("amount":1.5)");
        const Outcome outcome = diff(golden(), changed, {QStringLiteral("--key=id")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.output.contains(QStringLiteral("new.amount 1.50 → 1.5")), qPrintable(outcome.output));
    }

    void reorderedEventsOfAChannelAreNamed()
    {
        const QByteArray swapped = line("acme", 1, 1000, change("insert", 43, "7", 902)) +
                                   line("acme", 2, 1001, change("insert", 42, "1.50", 900)) +
                                   line("audit", 1, 1001, R"({"op":"insert","table":"log","new":{"id":1}})") +
                                   line("acme", 3, 1002, change("update", 42, "2.00", 901));
        const Outcome outcome = diff(golden(), swapped, {QStringLiteral("--key=id")});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.output.contains(QStringLiteral("reordered  acme insert id=43")), qPrintable(outcome.output));
        QVERIFY(outcome.output.contains(QStringLiteral("0 missing, 0 extra, 0 changed, 1 reordered")));
    }

    void withoutAKeyEventsPairByTheirOrder()
    {
        QByteArray changed = golden();
        changed.replace(R"("id":43)", R"("id":44)");
        const Outcome outcome = diff(golden(), changed);
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.output.contains(QStringLiteral("changed    acme insert #2")) &&
                     outcome.output.contains(QStringLiteral("new.id 43 → 44")),
                 qPrintable(outcome.output));
    }

    void troubleExitsTwoAndNamesTheLine()
    {
        const Outcome bad = diff(golden(), golden() + "{not json\n");
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.output.contains(QStringLiteral("b.jsonl:5:")), qPrintable(bad.output));
        QProcess process;
        process.start(cdcscopeBinary(), {QStringLiteral("diff"), QStringLiteral("only-one.jsonl")});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 2);
    }

    void flattenedPayloadsKeepTokensAsWritten()
    {
        const QMap<QString, QByteArray> fields =
            flattenPayload(R"({"n":123456789012345678901234567890,"s":"caf\u00e9","a":[1,{}],"d":1,"d":2})");
        QCOMPARE(fields.value(QStringLiteral("n")), QByteArray("123456789012345678901234567890"));
        QCOMPARE(fields.value(QStringLiteral("s")), QByteArray(R"("caf\u00e9")"));
        QCOMPARE(fields.value(QStringLiteral("a[0]")), QByteArray("1"));
        QCOMPARE(fields.value(QStringLiteral("a[1]")), QByteArray("{}"));
        QCOMPARE(fields.value(QStringLiteral("d")), QByteArray("1"));
        QCOMPARE(fields.value(QStringLiteral("d#2")), QByteArray("2"));
    }
};

QTEST_GUILESS_MAIN(TestCaptureDiff)
#include "tst_capturediff.moc"
