// The store: seq and ts_ms assignment, retention, and the travel windows of DESIGN.md.
#include "store/EventStore.h"
#include "store/TravelQuery.h"

#include <QSignalSpy>
#include <QTest>

using namespace cdc;

namespace {

PublishBatch events(const QString &channel, int count, const QByteArray &payload = "{}")
{
    PublishBatch batch;
    for (int i = 0; i < count; ++i)
        batch.append({channel, payload});
    return batch;
}

QList<qint64> seqsOf(const TravelResult &result)
{
    QList<qint64> seqs;
    for (const ChannelEvent &replayed : result.events)
        seqs.append(replayed.event.seq);
    return seqs;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> values;
    for (qint64 v = first; v <= last; ++v)
        values.append(v);
    return values;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

    qint64 m_now = 1'000;

    std::unique_ptr<EventStore> makeStore(RetentionLimits limits = {})
    {
        auto store = std::make_unique<EventStore>(limits);
        store->setClock([this] { return m_now; });
        return store;
    }

private Q_SLOTS:
    void init() { m_now = 1'000; }

    void seqStartsAtOnePerChannelWithoutGaps()
    {
        auto store = makeStore();
        const auto receipts =
            store->append({{QStringLiteral("a"), "1"}, {QStringLiteral("b"), "2"}, {QStringLiteral("a"), "3"}});
        QCOMPARE(receipts.size(), 3);
        QCOMPARE(receipts[0].seq, 1);
        QCOMPARE(receipts[1].seq, 1);
        QCOMPARE(receipts[2].seq, 2);
        store->append(events(QStringLiteral("a"), 5));
        QCOMPARE(store->channel(QStringLiteral("a"))->lastSeq(), 7);
        QCOMPARE(seqsOf(runTravel(*store, {QStringLiteral("a")}, {0, {}, {}}, {})), range(1, 7));
    }

    void tsNeverDecreasesWhenTheClockStepsBack()
    {
        auto store = makeStore();
        m_now = 5'000;
        store->append(events(QStringLiteral("a"), 1));
        m_now = 4'000; // the wall clock stepped back
        const auto receipts = store->append(events(QStringLiteral("a"), 1));
        QCOMPARE(receipts[0].tsMs, 5'000);
        // Another channel is not held back by the first one's clamp.
        QCOMPARE(store->append(events(QStringLiteral("b"), 1))[0].tsMs, 4'000);
        m_now = 6'000;
        QCOMPARE(store->append(events(QStringLiteral("a"), 1))[0].tsMs, 6'000);
    }

    void appendedIsAnnouncedAfterTheWholeBatch()
    {
        auto store = makeStore();
        QList<qint64> seenSizes;
        connect(store.get(), &EventStore::appended, this,
                [&](const ChannelLog &log, const StoredEvent &) { seenSizes.append(log.size()); });
        store->append(events(QStringLiteral("a"), 3));
        QCOMPARE(seenSizes, (QList<qint64>{3, 3, 3}));
    }

    void retentionByCountKeepsTheNewest()
    {
        auto store = makeStore({.maxEventsPerChannel = 3});
        store->append(events(QStringLiteral("a"), 5));
        const ChannelLog *log = store->channel(QStringLiteral("a"));
        QCOMPARE(log->size(), 3);
        QCOMPARE(log->oldestSeq().value(), 3);
        QCOMPARE(log->newestSeq().value(), 5);
        QCOMPARE(store->totalEvents(), 3);
        QCOMPARE(store->evictedEvents(), 2);
        QCOMPARE(store->totalBytes(), log->bytes());
    }

    void aBatchLargerThanRetentionIsStillDeliveredLive()
    {
        auto store = makeStore({.maxEventsPerChannel = 2});
        QSignalSpy spy(store.get(), &EventStore::appended);
        store->append(events(QStringLiteral("a"), 5));
        QCOMPARE(spy.count(), 5);
    }

    void retentionByBytesEvictsTheGloballyOldest()
    {
        auto store = makeStore();
        store->append(events(QStringLiteral("a"), 1));
        const qint64 frameBytes = store->totalBytes();
        auto limited = makeStore({.maxEventsPerChannel = 100, .maxTotalBytes = frameBytes * 3});
        limited->append(events(QStringLiteral("a"), 2)); // a1 a2
        limited->append(events(QStringLiteral("b"), 1)); // b1
        limited->append(events(QStringLiteral("a"), 1)); // a3 pushes a1 out
        QCOMPARE(limited->totalEvents(), 3);
        QCOMPARE(limited->channel(QStringLiteral("a"))->oldestSeq().value(), 2);
        limited->append(events(QStringLiteral("a"), 1)); // a4 pushes a2 out
        QCOMPARE(limited->channel(QStringLiteral("a"))->oldestSeq().value(), 3);
        limited->append(events(QStringLiteral("a"), 1)); // a5 pushes b1 out
        QVERIFY(limited->channel(QStringLiteral("b"))->isEmpty());
        QCOMPARE(limited->channel(QStringLiteral("b"))->lastSeq(), 1); // its seq is never reused
        QVERIFY(limited->totalBytes() <= frameBytes * 3);
    }

    void quietChannelDoesNotLetTheEvictionQueueGrow()
    {
        // A busy channel at its count limit behind one quiet event: the bookkeeping stays bounded.
        auto store = makeStore({.maxEventsPerChannel = 10});
        store->append(events(QStringLiteral("quiet"), 1));
        for (int i = 0; i < 200; ++i)
            store->append(events(QStringLiteral("busy"), 50));
        QCOMPARE(store->totalEvents(), 11);
        QCOMPARE(store->channel(QStringLiteral("busy"))->lastSeq(), 10'000);
    }

    void travelWithoutSinceReturnsTheNewest()
    {
        auto store = makeStore();
        store->append(events(QStringLiteral("a"), 20));
        const TravelResult result = runTravel(*store, {QStringLiteral("a")}, {{}, {}, 5}, {});
        QCOMPARE(seqsOf(result), range(16, 20));
        QVERIFY(result.truncated);
        QCOMPARE(result.matched, 20);
        QVERIFY(!result.anyGap());
    }

    void sinceSeqIsStrictAndPagesForward()
    {
        auto store = makeStore();
        store->append(events(QStringLiteral("a"), 20));
        const TravelResult first = runTravel(*store, {QStringLiteral("a")}, {5, {}, 4}, {});
        QCOMPARE(seqsOf(first), range(6, 9));
        QVERIFY(first.truncated);
        const TravelResult next = runTravel(*store, {QStringLiteral("a")}, {9, {}, 100}, {});
        QCOMPARE(seqsOf(next), range(10, 20));
        QVERIFY(!next.truncated);
        QVERIFY(runTravel(*store, {QStringLiteral("a")}, {20, {}, {}}, {}).events.isEmpty());
    }

    void sinceTsIsInclusive()
    {
        auto store = makeStore();
        for (int i = 0; i < 10; ++i) {
            m_now = 1'000 + i * 10; // seq n has ts 990 + 10n
            store->append(events(QStringLiteral("a"), 1));
        }
        QCOMPARE(seqsOf(runTravel(*store, {QStringLiteral("a")}, {{}, 1'040, {}}, {})), range(5, 10));
        QCOMPARE(seqsOf(runTravel(*store, {QStringLiteral("a")}, {{}, 1'041, {}}, {})), range(6, 10));
    }

    void sinceSeqAndSinceTsMustBothHold()
    {
        auto store = makeStore();
        for (int i = 0; i < 10; ++i) {
            m_now = 1'000 + i * 10;
            store->append(events(QStringLiteral("a"), 1));
        }
        QCOMPARE(seqsOf(runTravel(*store, {QStringLiteral("a")}, {7, 1'020, {}}, {})), range(8, 10));
        QCOMPARE(seqsOf(runTravel(*store, {QStringLiteral("a")}, {2, 1'060, {}}, {})), range(7, 10));
    }

    void defaultAndCappedLimits()
    {
        auto store = makeStore({.maxEventsPerChannel = 200'000});
        store->append(events(QStringLiteral("a"), 60'000, "1"));
        const TravelResult byDefault = runTravel(*store, {QStringLiteral("a")}, {{}, {}, {}}, {});
        QCOMPARE(byDefault.effectiveLimit, 10'000);
        QCOMPARE(byDefault.events.size(), 10'000);
        QCOMPARE(byDefault.events.constFirst().event.seq, 50'001);
        const TravelResult capped = runTravel(*store, {QStringLiteral("a")}, {0, {}, 1'000'000}, {});
        QCOMPARE(capped.effectiveLimit, 50'000);
        QCOMPARE(capped.events.size(), 50'000);
        QCOMPARE(capped.events.constLast().event.seq, 50'000);
        QVERIFY(capped.truncated);
    }

    void channelsMergeByTimeThenChannelThenSeq()
    {
        auto store = makeStore();
        m_now = 100;
        store->append({{QStringLiteral("b"), "1"}, {QStringLiteral("a"), "1"}});
        m_now = 200;
        store->append({{QStringLiteral("a"), "2"}, {QStringLiteral("b"), "2"}, {QStringLiteral("a"), "3"}});
        const TravelResult result = runTravel(*store, {QStringLiteral("a"), QStringLiteral("b")}, {0, {}, {}}, {});
        QStringList order;
        for (const ChannelEvent &replayed : result.events)
            order.append(replayed.channel + QString::number(replayed.event.seq));
        QCOMPARE(order, (QStringList{QStringLiteral("a1"), QStringLiteral("b1"), QStringLiteral("a2"),
                                     QStringLiteral("a3"), QStringLiteral("b2")}));
        // Newest two across both channels, still ascending.
        const TravelResult newest = runTravel(*store, {QStringLiteral("a"), QStringLiteral("b")}, {{}, {}, 2}, {});
        QCOMPARE(newest.events.size(), 2);
        QCOMPARE(newest.events[0].channel + QString::number(newest.events[0].event.seq), QStringLiteral("a3"));
        QCOMPARE(newest.events[1].channel + QString::number(newest.events[1].event.seq), QStringLiteral("b2"));
    }

    void gapWhenRequestedHistoryWasEvicted()
    {
        auto store = makeStore({.maxEventsPerChannel = 5});
        for (int i = 0; i < 10; ++i) {
            m_now = 1'000 + i;
            store->append(events(QStringLiteral("a"), 1)); // seq 6..10 retained, ts 1005..1009
        }
        QVERIFY(runTravel(*store, {QStringLiteral("a")}, {0, {}, {}}, {}).anyGap());
        QVERIFY(runTravel(*store, {QStringLiteral("a")}, {4, {}, {}}, {}).anyGap());
        QVERIFY(!runTravel(*store, {QStringLiteral("a")}, {5, {}, {}}, {}).anyGap());
        QVERIFY(runTravel(*store, {QStringLiteral("a")}, {{}, 1'004, {}}, {}).anyGap());
        QVERIFY(!runTravel(*store, {QStringLiteral("a")}, {{}, 1'005, {}}, {}).anyGap());
        QVERIFY(!runTravel(*store, {QStringLiteral("a")}, {{}, {}, 3}, {}).anyGap()); // newest-N asks for no position
        const TravelResult result = runTravel(*store, {QStringLiteral("a")}, {0, {}, {}}, {});
        QCOMPARE(result.channels[0].oldestSeq.value(), 6);
        QCOMPARE(result.channels[0].newestSeq.value(), 10);
    }

    // Channels whose events all expired and that nobody follows are forgotten, so memory does not
    // grow with every channel name ever used; one that comes back continues its sequence, one with
    // a subscriber stays, and a travel into a forgotten channel's past reports the gap.
    void expiredUnwatchedChannelsAreForgottenAndContinueTheirSeqs()
    {
        auto store = makeStore({.maxAgeMs = 60'000});
        const QString followed = QStringLiteral("followed");
        store->forgetIdleChannels([&followed](const QString &channel) { return channel == followed; });
        for (int i = 0; i < 1000; ++i)
            store->append(events(QStringLiteral("tenant-%1").arg(i), 3));
        store->append(events(followed, 2));
        m_now = 50'000;
        store->append(events(QStringLiteral("fresh"), 1));
        m_now = 62'000; // everything but "fresh" is older than a minute
        store->enforceAge();
        QCOMPARE(store->channelCount(), 2);
        QVERIFY(!store->channel(QStringLiteral("tenant-7")));
        QVERIFY(store->channel(followed) && store->channel(followed)->isEmpty());
        QCOMPARE(store->forgottenChannels(), 1000);

        QVERIFY(runTravel(*store, {QStringLiteral("tenant-7")}, {0, {}, {}}, {}).anyGap());
        QVERIFY(runTravel(*store, {QStringLiteral("tenant-7")}, {2, {}, {}}, {}).anyGap());
        QVERIFY(!runTravel(*store, {QStringLiteral("tenant-7")}, {3, {}, {}}, {}).anyGap());
        QVERIFY(!runTravel(*store, {QStringLiteral("never-seen")}, {0, {}, {}}, {}).anyGap());

        QCOMPARE(store->append(events(QStringLiteral("tenant-7"), 1))[0].seq, 4);
        QCOMPARE(store->channelCount(), 3);
        // The byte budget's queue no longer names the forgotten logs: more appends and evictions
        // walk it safely (the sanitizer run would catch a dangling entry).
        store->setLimits({.maxTotalBytes = 2'000, .maxAgeMs = 60'000});
        for (int i = 0; i < 50; ++i)
            store->append(events(QStringLiteral("tenant-%1").arg(i), 1, "{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxx\"}"));
        QCOMPARE(store->channel(QStringLiteral("tenant-49"))->lastSeq(), 4);
    }

    // Channel names are the publishers' to choose, so the tombstones are bounded too; a channel
    // whose tombstone had to go (and any new one after that) starts above every seq a dropped
    // tombstone held, so no (channel, seq) is handed out twice.
    void tombstonesAreBoundedAndNoSeqIsReused()
    {
        auto store = makeStore({.maxAgeMs = 60'000, .maxTombstones = 10});
        store->forgetIdleChannels([](const QString &) { return false; });
        for (int i = 0; i < 30; ++i) {
            m_now = i * 1'000;
            store->append(events(QStringLiteral("name-%1").arg(i), i + 1));
        }
        for (int i = 0; i < 30; ++i) { // forgotten one by one, oldest first
            m_now = i * 1'000 + 60'001;
            store->enforceAge();
        }
        QCOMPARE(store->channelCount(), 0);
        QCOMPARE(store->forgottenChannels(), 30);
        // name-29 (30 events) is still remembered; name-3 (4 events) is not, nor its number.
        QCOMPARE(store->append(events(QStringLiteral("name-29"), 1))[0].seq, 31);
        QCOMPARE(store->append(events(QStringLiteral("name-3"), 1))[0].seq, 21); // after name-19's 20
        QCOMPARE(store->append(events(QStringLiteral("brand-new"), 1))[0].seq, 21);
    }

    void unknownChannelTravelsToNothing()
    {
        auto store = makeStore();
        const TravelResult result = runTravel(*store, {QStringLiteral("nobody")}, {0, {}, {}}, {});
        QVERIFY(result.events.isEmpty());
        QCOMPARE(result.channels.size(), 1);
        QVERIFY(!result.channels[0].oldestSeq);
        QVERIFY(!result.truncated);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
