// The hand-overs between the engine thread and the delivery threads: Mailbox (calls run on the
// receiving thread, in the order each sender posted them) and DeliveryBacklog (the engine waits
// while a delivery thread is too far behind, and only then).
#include "net/DeliveryLane.h"
#include "net/Mailbox.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <thread>

using namespace cdc;

class TestHandover : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mailboxRunsEverythingOnItsThreadInPostingOrder()
    {
        QObject owner;
        Mailbox inbox(&owner);
        constexpr int senders = 4;
        constexpr int perSender = 5000;
        std::vector<std::vector<int>> seen(senders);
        std::atomic<int> offThread{0};
        const QThread *receiving = QThread::currentThread();
        std::vector<std::thread> threads;
        for (int s = 0; s < senders; ++s)
            threads.emplace_back([&, s] {
                for (int i = 0; i < perSender; ++i)
                    inbox.post([&, s, i] {
                        if (QThread::currentThread() != receiving)
                            ++offThread;
                        seen[size_t(s)].push_back(i);
                    });
            });
        for (std::thread &thread : threads)
            thread.join();
        QTRY_VERIFY([&] {
            for (const auto &got : seen)
                if (got.size() != perSender)
                    return false;
            return true;
        }());
        QCOMPARE(offThread.load(), 0);
        for (const auto &got : seen)
            for (int i = 0; i < perSender; ++i)
                QCOMPARE(got[size_t(i)], i);
    }

    void backlogWaitsOnlyWhileTheLaneIsTooFarBehind()
    {
        DeliveryBacklog backlog;
        backlog.admit(DeliveryBacklog::limitEvents - 10); // below the limit: no wait
        backlog.admit(10);                                // exactly at it: no wait
        std::atomic<bool> admitted{false};
        std::thread engine([&] {
            backlog.admit(1); // past the limit: waits for the lane
            admitted = true;
        });
        QTest::qWait(100);
        QVERIFY(!admitted);
        backlog.release(DeliveryBacklog::limitEvents);
        engine.join();
        QVERIFY(admitted);
        // A single batch larger than the limit still goes through when nothing else waits.
        backlog.release(1);
        backlog.admit(DeliveryBacklog::limitEvents * 2);
    }
};

QTEST_GUILESS_MAIN(TestHandover)
#include "tst_handover.moc"
