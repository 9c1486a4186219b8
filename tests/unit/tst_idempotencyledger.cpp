// The answers kept by Idempotency-Key: found within the window, gone after it, the oldest dropped
// past the key limit, a key answered again keeping its newest answer.
#include "store/IdempotencyLedger.h"

#include <QTest>

using namespace cdc;

class TestIdempotencyLedger : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersLiveForTheWindow()
    {
        IdempotencyLedger ledger(1000, 10);
        ledger.remember({"a", "fp", "answer", 5000});
        QVERIFY(ledger.find("a", 5999));
        QCOMPARE(ledger.find("a", 5999)->answer, QByteArray("answer"));
        QVERIFY(ledger.find("a", 6000));
        QVERIFY(!ledger.find("a", 6001));
        ledger.expire(6001);
        QCOMPARE(ledger.size(), 0);
    }

    void theOldestGoPastTheKeyLimit()
    {
        IdempotencyLedger ledger(1'000'000, 3);
        for (int i = 0; i < 5; ++i)
            ledger.remember({QByteArray::number(i), "fp", "answer", 100 + i});
        QCOMPARE(ledger.size(), 3);
        QVERIFY(!ledger.find("0", 200) && !ledger.find("1", 200));
        QVERIFY(ledger.find("2", 200) && ledger.find("4", 200));
    }

    void aKeyAnsweredAgainKeepsItsNewestAnswer()
    {
        IdempotencyLedger ledger(1000, 2);
        ledger.remember({"k", "fp", "first", 100});
        ledger.remember({"k", "fp", "second", 900});
        ledger.expire(1200); // the first entry's time has left the window; the key's answer has not
        QVERIFY(ledger.find("k", 1200));
        QCOMPARE(ledger.find("k", 1200)->answer, QByteArray("second"));
        ledger.remember({"x", "fp", "x", 1000});
        ledger.remember({"y", "fp", "y", 1001});
        QCOMPARE(ledger.size(), 2);
        QVERIFY(!ledger.find("k", 1100));
    }
};

QTEST_GUILESS_MAIN(TestIdempotencyLedger)
#include "tst_idempotencyledger.moc"
