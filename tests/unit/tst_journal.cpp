// The journal: what is committed comes back after a restart with the same seq and ts_ms, seqs go
// on without reuse, retention reaches the disk, and a journal that cannot be used says why.
#include "store/EventStore.h"
#include "store/Journal.h"
#include "store/TravelQuery.h"

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace cdc;

namespace {

PublishBatch events(const QString &channel, int count, int firstValue = 1)
{
    PublishBatch batch;
    for (int i = 0; i < count; ++i)
        batch.append({channel, QByteArray::number(firstValue + i)});
    return batch;
}

QList<QByteArray> frames(const EventStore &store, const QString &channel)
{
    QList<QByteArray> result;
    for (const ChannelEvent &replayed : runTravel(store, {channel}, {0, {}, 50'000}, {}).events)
        result.append(replayed.event.json().toByteArray());
    return result;
}

std::unique_ptr<Journal> openJournal(const QString &path)
{
    auto opened = Journal::open({path, SyncLevel::Normal});
    if (auto *error = std::get_if<QString>(&opened))
        qFatal("journal did not open: %s", qPrintable(*error));
    return std::move(std::get<std::unique_ptr<Journal>>(opened));
}

} // namespace

class TestJournal : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    qint64 m_now = 1'000;

    QString path() const { return m_dir.filePath(QStringLiteral("journal.sqlite")); }

    std::unique_ptr<EventStore> storeOn(Journal &journal, RetentionLimits limits = {})
    {
        auto store = std::make_unique<EventStore>(limits);
        store->setClock([this] { return m_now; });
        if (const auto refusal = store->attachJournal(&journal))
            qFatal("the journal was refused: %s", qPrintable(*refusal));
        return store;
    }

private Q_SLOTS:
    void init()
    {
        m_now = 1'000;
        for (const char *suffix : {"", "-wal", "-shm", ".marks"})
            QFile::remove(path() + QLatin1StringView(suffix));
    }

    void restartBringsBackTheSameEventsAndTheSequenceGoesOn()
    {
        QList<QByteArray> before;
        {
            auto journal = openJournal(path());
            auto store = storeOn(*journal);
            store->append(events(QStringLiteral("a"), 3));
            m_now = 2'000;
            store->append(events(QStringLiteral("b"), 2));
            store->append(events(QStringLiteral("a"), 2, 4));
            store->commitNow();
            before = frames(*store, QStringLiteral("a"));
        }
        QCOMPARE(before.size(), 5);
        auto journal = openJournal(path());
        auto store = storeOn(*journal);
        QCOMPARE(frames(*store, QStringLiteral("a")), before);
        QCOMPARE(store->channel(QStringLiteral("b"))->lastSeq(), 2);
        m_now = 1'500; // the clock stepped back across the restart: ts_ms still never decreases
        const auto receipts = store->append(events(QStringLiteral("a"), 1));
        QCOMPARE(receipts[0].seq, 6);
        QCOMPARE(receipts[0].tsMs, 2'000);
    }

    // The history's epoch is the journal's for its life; a store without one makes its own, and a new
    // journal is a new history.
    void theHistoryEpochLivesWithTheJournal()
    {
        QByteArray first;
        {
            auto journal = openJournal(path());
            first = journal->epoch();
            QCOMPARE(first.size(), 16);
            QCOMPARE(storeOn(*journal)->historyEpoch(), first);
        }
        QCOMPARE(openJournal(path())->epoch(), first);
        QVERIFY(openJournal(m_dir.filePath(QStringLiteral("other.sqlite")))->epoch() != first);
        QVERIFY(EventStore({}).historyEpoch() != EventStore({}).historyEpoch()); // in memory: one per run
    }

    void stagedEventsAreInvisibleUntilCommitted()
    {
        auto journal = openJournal(path());
        auto store = storeOn(*journal);
        QSignalSpy announced(store.get(), &EventStore::appended);
        bool durable = false;
        store->append(events(QStringLiteral("s"), 2));
        store->whenCommitted([&durable](const QString &error) { durable = error.isEmpty(); });
        QVERIFY(runTravel(*store, {QStringLiteral("s")}, {0, {}, {}}, {}).events.isEmpty());
        QCOMPARE(announced.count(), 0);
        QVERIFY(!durable);
        QTRY_VERIFY(durable); // committed at the end of the event-loop turn
        QCOMPARE(announced.count(), 2);
        QCOMPARE(runTravel(*store, {QStringLiteral("s")}, {0, {}, {}}, {}).events.size(), 2);
    }

    void oneEventLoopTurnIsOneTransaction()
    {
        auto journal = openJournal(path());
        auto store = storeOn(*journal);
        // Each waiter sees what was committed when it was told: one transaction means all see 5.
        QList<qint64> committedWhenTold;
        for (int i = 0; i < 5; ++i) {
            store->append(events(QStringLiteral("g"), 1));
            store->whenCommitted([&committedWhenTold, &store](const QString &) {
                committedWhenTold.append(store->channel(QStringLiteral("g"))->committedSeq());
            });
        }
        QTRY_COMPARE(committedWhenTold.size(), 5);
        QCOMPARE(committedWhenTold, (QList<qint64>{5, 5, 5, 5, 5}));
    }

    void retentionReachesTheDiskAndSeqsAreNeverReused()
    {
        {
            auto journal = openJournal(path());
            auto store = storeOn(*journal, {.maxEventsPerChannel = 3});
            store->append(events(QStringLiteral("r"), 10));
            store->commitNow();
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(path());
            QVERIFY(db.open());
            QSqlQuery count(QStringLiteral("SELECT COUNT(*), MIN(seq) FROM events"), db);
            QVERIFY(count.next());
            QCOMPARE(count.value(0).toInt(), 3);
            QCOMPARE(count.value(1).toInt(), 8);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        auto journal = openJournal(path());
        auto store = storeOn(*journal, {.maxEventsPerChannel = 3});
        const TravelResult all = runTravel(*store, {QStringLiteral("r")}, {0, {}, {}}, {});
        QCOMPARE(all.events.size(), 3);
        QCOMPARE(all.events[0].event.seq, 8);
        QVERIFY(all.anyGap());
        QCOMPARE(store->append(events(QStringLiteral("r"), 1))[0].seq, 11);
    }

    void retentionByAgeWithAnInjectedClock()
    {
        auto journal = openJournal(path());
        auto store = storeOn(*journal, {.maxAgeMs = 60'000});
        m_now = 100'000;
        store->append(events(QStringLiteral("old"), 2));
        m_now = 130'000;
        store->append(events(QStringLiteral("old"), 1, 3));
        store->commitNow();
        m_now = 165'000; // the first two are now 65 s old
        store->enforceAge();
        store->commitNow();
        QCOMPARE(store->channel(QStringLiteral("old"))->oldestSeq().value(), 3);
        m_now = 200'000; // everything is old: the channel empties, its seq stays
        store->enforceAge();
        store->commitNow();
        QVERIFY(store->channel(QStringLiteral("old"))->isEmpty());
        store.reset();
        journal.reset();
        journal = openJournal(path());
        store = storeOn(*journal, {.maxAgeMs = 60'000});
        // Nothing retained: it stays in the journal only, and continues from there.
        QVERIFY(!store->channel(QStringLiteral("old")));
        QCOMPARE(store->append(events(QStringLiteral("old"), 1))[0].seq, 4);
    }

    // A forgotten channel's last seq lives in the journal, not in memory: it comes back at the
    // next seq in this run and after a restart.
    void aForgottenChannelContinuesFromTheJournal()
    {
        auto journal = openJournal(path());
        auto store = storeOn(*journal, {.maxAgeMs = 60'000});
        store->forgetIdleChannels([](const QString &) { return false; });
        store->append(events(QStringLiteral("tenant"), 5));
        store->commitNow();
        m_now = 70'000;
        store->enforceAge();
        store->commitNow();
        QVERIFY(!store->channel(QStringLiteral("tenant")));
        QVERIFY(runTravel(*store, {QStringLiteral("tenant")}, {1, {}, {}}, {}).anyGap());
        QCOMPARE(store->append(events(QStringLiteral("tenant"), 1))[0].seq, 6);
        store->commitNow();
        m_now = 140'000;
        store->enforceAge();
        store->commitNow();
        QVERIFY(!store->channel(QStringLiteral("tenant")));
        store.reset();
        journal.reset();
        journal = openJournal(path());
        store = storeOn(*journal, {.maxAgeMs = 60'000});
        QCOMPARE(store->channelCount(), 0);
        QCOMPARE(store->append(events(QStringLiteral("tenant"), 1))[0].seq, 7);
    }

    void anUnreadableFileIsNamedWithTheWayOut()
    {
        QFile garbage(path());
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x'));
        garbage.close();
        auto opened = Journal::open({path(), SyncLevel::Normal});
        const auto *error = std::get_if<QString>(&opened);
        QVERIFY(error);
        QVERIFY2(error->contains(path()), qPrintable(*error));
        QVERIFY2(error->contains(QStringLiteral("--reset-journal")), qPrintable(*error));

        const auto aside = Journal::moveAside(path());
        QCOMPARE(aside.index(), size_t(0));
        QVERIFY(QFile::exists(std::get<0>(aside)));
        QVERIFY(!QFile::exists(path()));
        QVERIFY(openJournal(path()));
    }

    void aNewerSchemaIsRefused()
    {
        openJournal(path()).reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
            db.setDatabaseName(path());
            QVERIFY(db.open());
            QSqlQuery(QStringLiteral("PRAGMA user_version=99"), db);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("bump"));
        auto opened = Journal::open({path(), SyncLevel::Normal});
        const auto *error = std::get_if<QString>(&opened);
        QVERIFY(error);
        QVERIFY2(error->contains(QStringLiteral("schema version 99")), qPrintable(*error));
    }

    void restoredPositionsMatchTheRestoredEvents()
    {
        {
            auto journal = openJournal(path());
            auto store = storeOn(*journal);
            store->append(events(QStringLiteral("pg"), 2));
            store->setSourcePosition(QStringLiteral("src"), 100);
            store->commitNow();
            store->append(events(QStringLiteral("pg"), 1, 3));
            store->setSourcePosition(QStringLiteral("src"), 200);
            store->commitNow();
            store->setSourcePosition(QStringLiteral("other"), 7); // a position alone is committed too
            store->commitNow();
            // What a source keeps beside its position (a backfill's next key) comes back with it.
            store->setSourcePosition(QStringLiteral("backfill"), 3, R"({"last_key":["1042"]})");
            store->commitNow();
        }
        auto journal = openJournal(path());
        auto store = storeOn(*journal);
        QCOMPARE(store->sourcePosition(QStringLiteral("src")), 200);
        QCOMPARE(store->sourcePosition(QStringLiteral("other")), 7);
        QCOMPARE(store->sourcePosition(QStringLiteral("unknown")), 0);
        QCOMPARE(store->sourceDetail(QStringLiteral("backfill")), QByteArray(R"({"last_key":["1042"]})"));
        QCOMPARE(store->sourceDetail(QStringLiteral("src")), QByteArray());
        QCOMPARE(store->channel(QStringLiteral("pg"))->lastSeq(), 3);
        QCOMPARE(store->sourceKeys().size(), 3);
    }

    void aVersionOneJournalIsUpgradedAndKeepsItsEvents()
    {
        {
            // A journal as CDC Scope's first schema wrote it.
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(path());
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL "
                                              "UNIQUE, last_seq INTEGER NOT NULL, last_ts_ms INTEGER NOT NULL)")));
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE events (channel_id INTEGER NOT NULL, seq INTEGER NOT "
                                              "NULL, ts_ms INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY "
                                              "(channel_id, seq)) WITHOUT ROWID")));
            QVERIFY(query.exec(QStringLiteral("INSERT INTO channels VALUES (1, 'old', 2, 500)")));
            QVERIFY(query.exec(QStringLiteral("INSERT INTO events VALUES (1, 1, 400, '1'), (1, 2, 500, '2')")));
            QVERIFY(query.exec(QStringLiteral("PRAGMA user_version=1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        auto journal = openJournal(path());
        auto store = storeOn(*journal);
        QCOMPARE(frames(*store, QStringLiteral("old")).size(), 2);
        QCOMPARE(store->sourcePosition(QStringLiteral("src")), 0);
        store->setSourcePosition(QStringLiteral("src"), 42);
        store->commitNow();
        journal.reset();
        store.reset();
        auto reopened = openJournal(path());
        QCOMPARE(reopened->loadSourcePositions().value(QStringLiteral("src")).position, 42);
    }

    void aJournalInUseIsRefused()
    {
        auto first = openJournal(path());
        auto store = storeOn(*first);
        store->append(events(QStringLiteral("x"), 1));
        store->commitNow();
        auto second = Journal::open({path(), SyncLevel::Normal});
        const auto *error = std::get_if<QString>(&second);
        QVERIFY(error);
        QVERIFY2(error->contains(QStringLiteral("in use by another process")), qPrintable(*error));
    }
};

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
