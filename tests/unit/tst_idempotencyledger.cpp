// The answers kept by Idempotency-Key: found within the window, gone after it, the oldest dropped
// past the key and memory limits, a key answered again keeping its newest answer; and the compact
// receipts they are kept as, which answer exactly what the first attempt was answered.
#include "store/IdempotencyLedger.h"

#include <QTest>

using namespace cdc;

namespace {

// An answer for one event on `channel` at `seq`.
CompactReceipts receiptFor(const QString &channel, qint64 seq)
{
    return CompactReceipts({{channel, seq, 1'733'500'000'000}}, false);
}

} // namespace

class TestIdempotencyLedger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersLiveForTheWindow()
    {
        IdempotencyLedger ledger(1000, 10);
        ledger.remember({"a", "fp", receiptFor(QStringLiteral("orders"), 7), 5000});
        QVERIFY(ledger.find("a", 5999));
        QCOMPARE(ledger.find("a", 5999)->receipts.expand().value(0).seq, 7);
        QVERIFY(ledger.find("a", 6000));
        QVERIFY(!ledger.find("a", 6001));
        ledger.expire(6001);
        QCOMPARE(ledger.size(), 0);
        QCOMPARE(ledger.bytes(), 0);
    }

    void theOldestGoPastTheKeyLimit()
    {
        IdempotencyLedger ledger(1'000'000, 3);
        for (int i = 0; i < 5; ++i)
            ledger.remember({QByteArray::number(i), "fp", receiptFor(QStringLiteral("c"), i), 100 + i});
        QCOMPARE(ledger.size(), 3);
        QCOMPARE(ledger.forgotten(), 2);
        QVERIFY(!ledger.find("0", 200) && !ledger.find("1", 200));
        QVERIFY(ledger.find("2", 200) && ledger.find("4", 200));
    }

    void theOldestGoPastTheMemoryLimit()
    {
        const IdempotentAnswer sample{"k0000", "fingerprint-of-32-bytes-00000000", receiptFor(QStringLiteral("c"), 1), 0};
        IdempotencyLedger ledger(1'000'000, 1'000, sample.bytes() * 10);
        for (int i = 0; i < 25; ++i)
            ledger.remember({"k" + QByteArray::number(i).rightJustified(4, '0'), sample.fingerprint,
                             receiptFor(QStringLiteral("c"), i), 100 + i});
        QCOMPARE(ledger.size(), 10);
        QVERIFY(ledger.bytes() <= sample.bytes() * 10);
        QCOMPARE(ledger.forgotten(), 15);
        QVERIFY(ledger.find("k0024", 200) && !ledger.find("k0014", 200));
    }

    void aKeyAnsweredAgainKeepsItsNewestAnswer()
    {
        IdempotencyLedger ledger(1000, 2);
        ledger.remember({"k", "fp", receiptFor(QStringLiteral("c"), 1), 100});
        ledger.remember({"k", "fp", receiptFor(QStringLiteral("c"), 2), 900});
        ledger.expire(1200); // the first entry's time has left the window; the key's answer has not
        QVERIFY(ledger.find("k", 1200));
        QCOMPARE(ledger.find("k", 1200)->receipts.expand().value(0).seq, 2);
        ledger.remember({"x", "fp", receiptFor(QStringLiteral("c"), 3), 1000});
        ledger.remember({"y", "fp", receiptFor(QStringLiteral("c"), 4), 1001});
        QCOMPARE(ledger.size(), 2);
        QVERIFY(!ledger.find("k", 1100));
    }

    // A batch of 200 000 events to one channel is one run; runs break where channel, time or seq
    // order does, and expand to exactly the receipts they came from.
    void receiptsAreKeptAsRuns()
    {
        QList<AppendReceipt> receipts;
        for (qint64 seq = 1; seq <= 200'000; ++seq)
            receipts.append({QStringLiteral("orders"), seq, 1000});
        const CompactReceipts oneChannel(receipts, true);
        QCOMPARE(oneChannel.runCount(), 1);
        QVERIFY(oneChannel.bytes() < 200);
        QCOMPARE(oneChannel.expand().size(), 200'000);
        QCOMPARE(oneChannel.expand().last().seq, 200'000);

        const QList<AppendReceipt> mixed = {{QStringLiteral("a"), 5, 1000}, {QStringLiteral("a"), 6, 1000},
                                            {QStringLiteral("b"), 1, 1000}, {QStringLiteral("a"), 7, 1001},
                                            {QStringLiteral("a"), 9, 1001}};
        const CompactReceipts runs(mixed, true);
        QCOMPARE(runs.runCount(), 4);
        const QList<AppendReceipt> back = runs.expand();
        QCOMPARE(back.size(), mixed.size());
        for (qsizetype i = 0; i < mixed.size(); ++i)
            QVERIFY(back[i].channel == mixed[i].channel && back[i].seq == mixed[i].seq && back[i].tsMs == mixed[i].tsMs);

        // Through the journal's form, and from the JSON answer older journals kept.
        const auto decoded = CompactReceipts::decode(runs.encode());
        QVERIFY(decoded);
        QCOMPARE(decoded->expand().size(), 5);
        QCOMPARE(decoded->expand()[3].tsMs, 1001);
        QVERIFY(decoded->isBatch());
        const auto legacy = CompactReceipts::decode(R"({"status":"ok","organization_id":"o","seq":4,"ts_ms":77})");
        QVERIFY(legacy && !legacy->isBatch());
        QCOMPARE(legacy->expand().value(0).seq, 4);
        QVERIFY(!CompactReceipts::decode("garbage"));
    }
};

QTEST_GUILESS_MAIN(TestIdempotencyLedger)
#include "tst_idempotencyledger.moc"
