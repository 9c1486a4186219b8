// The connection threads' event loop (net/EpollEventDispatcher): installed as this test's main
// dispatcher, so QTest's own waits run on it too. Timers, socket notifiers on real socket pairs,
// wake-ups and posts from other threads, and the cases where a handler changes what is being
// activated under it.

#include "net/EpollEventDispatcher.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using cdc::EpollEventDispatcher;

namespace {

// A connected pair of stream sockets, closed at the end of the scope.
struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    void send(const char *text) const { QVERIFY(::write(fds[1], text, strlen(text)) > 0); }
};

class Ticker : public QObject
{
public:
    int ticks = 0;
    int lastTimer = 0;
    std::function<void(int)> onTick;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++ticks;
        lastTimer = event->timerId();
        if (onTick)
            onTick(event->timerId());
    }
};

} // namespace

class TestEventDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isTheDispatcherInUse();
    void singleShotTimerFiresOnce();
    void repeatingTimerKeepsFiring();
    void zeroTimerFiresOncePerPass();
    void timerKilledByAnotherTimersHandlerDoesNotFire();
    void remainingTimeCountsDown();
    void readNotifierReportsDataAndStopsWhenDisabled();
    void readAndWriteNotifiersShareOneDescriptor();
    void notifierDeletedByAnotherActivationIsNotActivated();
    void hangUpReachesTheReader();
    void aClosedDescriptorsReadinessDoesNotReachItsSuccessor();
    void manyDescriptorsOnlyReadyOnesActivate();
    void postFromAnotherThreadWakesTheLoop();
    void eachPostWakesTheLoopAgain();
    void threadWithTheDispatcherRunsAndQuits();
};

void TestEventDispatcher::isTheDispatcherInUse()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
}

void TestEventDispatcher::singleShotTimerFiresOnce()
{
    int fired = 0;
    QTimer::singleShot(20, this, [&] { ++fired; });
    QTRY_COMPARE(fired, 1);
    QTest::qWait(60); // a second firing would have come by now
    QCOMPARE(fired, 1);
}

void TestEventDispatcher::repeatingTimerKeepsFiring()
{
    Ticker ticker;
    QElapsedTimer clock;
    clock.start();
    const int id = ticker.startTimer(10);
    QTRY_VERIFY(ticker.ticks >= 5);
    QVERIFY2(clock.elapsed() >= 40, "five ticks of 10 ms cannot come sooner");
    QCOMPARE(ticker.lastTimer, id);
    ticker.killTimer(id);
    const int ticks = ticker.ticks;
    QTest::qWait(40);
    QCOMPARE(ticker.ticks, ticks);
}

void TestEventDispatcher::zeroTimerFiresOncePerPass()
{
    Ticker ticker;
    const int id = ticker.startTimer(0);
    auto *dispatcher = QAbstractEventDispatcher::instance();
    dispatcher->processEvents(QEventLoop::AllEvents);
    QCOMPARE(ticker.ticks, 1);
    dispatcher->processEvents(QEventLoop::AllEvents);
    QCOMPARE(ticker.ticks, 2);
    ticker.killTimer(id);
    dispatcher->processEvents(QEventLoop::AllEvents);
    QCOMPARE(ticker.ticks, 2);
}

void TestEventDispatcher::timerKilledByAnotherTimersHandlerDoesNotFire()
{
    // Both due in the same pass; whichever fires first kills the other.
    auto first = std::make_unique<Ticker>();
    auto second = std::make_unique<Ticker>();
    const int firstId = first->startTimer(5);
    const int secondId = second->startTimer(5);
    bool killed = false;
    first->onTick = [&](int) {
        if (!std::exchange(killed, true))
            second->killTimer(secondId);
    };
    second->onTick = [&](int) {
        if (!std::exchange(killed, true))
            first->killTimer(firstId);
    };
    QTest::qWait(30);
    QCOMPARE(first->ticks + second->ticks >= 1, true);
    QVERIFY2(first->ticks == 0 || second->ticks == 0, "a killed timer fired");
}

void TestEventDispatcher::remainingTimeCountsDown()
{
    QTimer timer;
    timer.start(500);
    const int left = timer.remainingTime();
    QVERIFY2(left > 400 && left <= 500, qPrintable(QString::number(left)));
    timer.stop();
    QCOMPARE(timer.remainingTime(), -1);
}

void TestEventDispatcher::readNotifierReportsDataAndStopsWhenDisabled()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy spy(&notifier, &QSocketNotifier::activated);
    QTest::qWait(20);
    QCOMPARE(spy.count(), 0);
    pair.send("x");
    QVERIFY(spy.wait(2000));
    notifier.setEnabled(false);
    spy.clear();
    QTest::qWait(20); // the byte is still unread: level-triggered, it would be reported again
    QCOMPARE(spy.count(), 0);
    notifier.setEnabled(true);
    QVERIFY(spy.wait(2000));
}

void TestEventDispatcher::readAndWriteNotifiersShareOneDescriptor()
{
    SocketPair pair;
    QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
    QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
    QSignalSpy reads(&reader, &QSocketNotifier::activated);
    QSignalSpy writes(&writer, &QSocketNotifier::activated);
    QVERIFY(writes.wait(2000)); // an empty send buffer is writable at once
    writer.setEnabled(false);
    QCOMPARE(reads.count(), 0);
    pair.send("x");
    QVERIFY(reads.wait(2000)); // the reader still watched after the writer left
    writes.clear();
    QTest::qWait(20);
    QCOMPARE(writes.count(), 0);
}

void TestEventDispatcher::notifierDeletedByAnotherActivationIsNotActivated()
{
    SocketPair a;
    SocketPair b;
    a.send("x");
    b.send("y");
    // Both are ready in the same wait; whichever is activated first deletes the other.
    QPointer<QSocketNotifier> first = new QSocketNotifier(a.fds[0], QSocketNotifier::Read, this);
    QPointer<QSocketNotifier> second = new QSocketNotifier(b.fds[0], QSocketNotifier::Read, this);
    int activations = 0;
    connect(first, &QSocketNotifier::activated, this, [&] {
        ++activations;
        delete second;
        first->setEnabled(false);
    });
    connect(second, &QSocketNotifier::activated, this, [&] {
        ++activations;
        delete first;
        second->setEnabled(false);
    });
    QTRY_COMPARE(activations, 1);
    QTest::qWait(20);
    QCOMPARE(activations, 1);
    QVERIFY(first.isNull() != second.isNull());
    delete first;
    delete second;
}

void TestEventDispatcher::hangUpReachesTheReader()
{
    SocketPair pair;
    QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
    QSignalSpy spy(&reader, &QSocketNotifier::activated);
    ::close(pair.fds[1]);
    pair.fds[1] = -1;
    QVERIFY(spy.wait(2000));
    char byte;
    QCOMPARE(::read(pair.fds[0], &byte, 1), 0); // end of stream
}

void TestEventDispatcher::aClosedDescriptorsReadinessDoesNotReachItsSuccessor()
{
    // Both ready in one wait. Whichever is activated first closes the other and opens a socket
    // that gets the closed one's number, with a notifier of its own and nothing to read: the
    // readiness still pending for the old socket must not be reported to the new one.
    auto a = std::make_unique<SocketPair>();
    auto c = std::make_unique<SocketPair>();
    a->send("x");
    c->send("y");
    auto notifierA = std::make_unique<QSocketNotifier>(a->fds[0], QSocketNotifier::Read);
    auto notifierC = std::make_unique<QSocketNotifier>(c->fds[0], QSocketNotifier::Read);
    std::unique_ptr<SocketPair> successor;
    std::unique_ptr<QSocketNotifier> successorNotifier;
    int reused = -1;
    int successorActivations = 0;
    const auto replace = [&](std::unique_ptr<QSocketNotifier> &otherNotifier, std::unique_ptr<SocketPair> &other) {
        if (successor)
            return;
        const int number = other->fds[0];
        otherNotifier.reset(); // as FdStream does: the notifier goes before its descriptor
        other.reset();
        successor = std::make_unique<SocketPair>();
        reused = successor->fds[0] == number ? number : -2;
        successorNotifier = std::make_unique<QSocketNotifier>(successor->fds[0], QSocketNotifier::Read);
        connect(successorNotifier.get(), &QSocketNotifier::activated, this, [&] { ++successorActivations; });
    };
    connect(notifierA.get(), &QSocketNotifier::activated, this, [&] { replace(notifierC, c); });
    connect(notifierC.get(), &QSocketNotifier::activated, this, [&] { replace(notifierA, a); });
    QTRY_VERIFY(successor != nullptr);
    QVERIFY2(reused >= 0, "the new socket did not get the closed one's number: the case is not set up");
    QTest::qWait(20);
    QCOMPARE(successorActivations, 0);
}

void TestEventDispatcher::manyDescriptorsOnlyReadyOnesActivate()
{
    // More descriptors than one wait takes (512), a few of them ready: exactly those are reported.
    std::vector<std::unique_ptr<SocketPair>> pairs;
    std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
    std::vector<int> activations(600, 0);
    for (int i = 0; i < 600; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        notifiers.push_back(std::make_unique<QSocketNotifier>(pairs.back()->fds[0], QSocketNotifier::Read));
        connect(notifiers.back().get(), &QSocketNotifier::activated, this, [&, i] {
            ++activations[size_t(i)];
            char buffer[16];
            while (::read(pairs[size_t(i)]->fds[0], buffer, sizeof buffer) > 0) {
            }
        });
    }
    const std::vector<int> ready = {0, 7, 511, 512, 599};
    for (int i : ready)
        pairs[size_t(i)]->send("x");
    QTRY_VERIFY([&] {
        for (int i : ready) {
            if (activations[size_t(i)] == 0)
                return false;
        }
        return true;
    }());
    QTest::qWait(20);
    for (int i = 0; i < 600; ++i) {
        const bool wasReady = std::find(ready.begin(), ready.end(), i) != ready.end();
        QVERIFY2(wasReady ? activations[size_t(i)] == 1 : activations[size_t(i)] == 0, qPrintable(QString::number(i)));
    }
}

void TestEventDispatcher::postFromAnotherThreadWakesTheLoop()
{
    std::atomic<int> received{0};
    QObject context;
    std::thread poster([&] {
        for (int i = 0; i < 1000; ++i)
            QMetaObject::invokeMethod(&context, [&] { received.fetch_add(1); }, Qt::QueuedConnection);
    });
    poster.join();
    // No timer and no socket: only the wake-ups can get these delivered.
    QTRY_COMPARE(received.load(), 1000);
}

void TestEventDispatcher::eachPostWakesTheLoopAgain()
{
    // Wake-ups are coalesced (one written until the loop reads it): a thread that waits for each
    // wake-up to be seen before the next finds the loop asleep each time, and each must wake it
    // again. Qt wakes the loop this way for every event posted to it; the test calls wakeUp()
    // itself and hands over only atomics, which ThreadSanitizer sees (an event posted through Qt's
    // queue is ordered by Qt's own locks, which it does not). A real loop, which blocks until woken
    // (QTRY's waits poll instead).
    constexpr int wakeUps = 2000;
    std::atomic<int> wanted{0};
    std::atomic<int> seen{0};
    QEventLoop loop;
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    const QMetaObject::Connection awake = connect(dispatcher, &QAbstractEventDispatcher::awake, &loop, [&] {
        seen.store(wanted.load());
        if (seen.load() == wakeUps)
            loop.quit();
    });
    std::jthread waker([&](std::stop_token stop) {
        for (int i = 1; i <= wakeUps && !stop.stop_requested(); ++i) {
            wanted.store(i);
            dispatcher->wakeUp();
            while (seen.load() < i && !stop.stop_requested())
                std::this_thread::yield();
        }
    });
    QTimer::singleShot(30'000, &loop, &QEventLoop::quit); // a lost wake-up ends here, and fails
    loop.exec();
    disconnect(awake);
    QCOMPARE(seen.load(), wakeUps);
}

void TestEventDispatcher::threadWithTheDispatcherRunsAndQuits()
{
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    QObject worker;
    worker.moveToThread(&thread);
    std::atomic<bool> ranThere{false};
    std::atomic<bool> timerThere{false};
    // Started from the thread itself (QThread::started, on the new thread), not posted to it: a
    // function posted across threads through Qt's own queue is ordered by Qt's locks, which
    // ThreadSanitizer cannot see (the engine's threads hand over through Mailbox instead).
    connect(
        &thread, &QThread::started, &worker,
        [&] {
            ranThere = QThread::currentThread() == worker.thread();
            QTimer::singleShot(5, &worker, [&] { timerThere = true; });
        },
        Qt::DirectConnection);
    thread.start();
    QTRY_VERIFY(ranThere.load());
    QTRY_VERIFY(timerThere.load());
    thread.quit(); // interrupt() from this thread
    QVERIFY(thread.wait(5000));
}

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventdispatcher.moc"
