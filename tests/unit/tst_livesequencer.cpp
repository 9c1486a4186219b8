// The remote window's ordering: each seq once per channel, ascending; a catch-up fills what a
// dropped connection missed before later live events show; what cannot be fetched is marked.
#include "GapMarker.h"
#include "remote/LiveSequencer.h"

#include <QTest>

using namespace cdc;
using namespace Qt::StringLiterals;

namespace {

LiveEvent numbered(const QString &channel, qint64 seq)
{
    LiveEvent live;
    live.channel = channel;
    live.event.seq = seq;
    live.event.tsMs = 1000 + seq;
    live.event.wire = "{}";
    return live;
}

// What the view shows, as "channel#seq" and "GAP" for a marker.
QStringList shown(const QList<LiveEvent> &events)
{
    QStringList out;
    for (const LiveEvent &live : events)
        out.append(isGapMarker(live) ? QStringLiteral("GAP") : live.channel + u'#' + QString::number(live.event.seq));
    return out;
}

} // namespace

class TestLiveSequencer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A server that began a new history: what was shown stays, a marker follows, and seq 1 of the
    // new history shows again instead of passing for a duplicate.
    void aNewHistoryStartsAgainAfterAMarker()
    {
        LiveSequencer sequencer;
        QList<LiveEvent> out;
        for (qint64 seq = 1; seq <= 3; ++seq)
            sequencer.accept(numbered(u"a"_s, seq), out);
        sequencer.beginCatchUp(u"a"_s);
        sequencer.restartHistory(u"a"_s, u"RESTART"_s, out);
        sequencer.accept(numbered(u"a"_s, 2), out); // live, ahead of the new history's catch-up: held
        sequencer.accept(numbered(u"a"_s, 1), out); // the catch-up from the start
        sequencer.endCatchUp(u"a"_s, u"unused"_s, out);
        QCOMPARE(shown(out), (QStringList{u"a#1"_s, u"a#2"_s, u"a#3"_s, u"GAP"_s, u"a#1"_s, u"a#2"_s}));
        QCOMPARE(gapNotice(out[3]), u"RESTART"_s);
        QCOMPARE(sequencer.lastSeq(u"a"_s), 2);
        QCOMPARE(sequencer.eventsMissed(), 0);
    }

    void inOrderEventsShowAndDuplicatesDoNot()
    {
        LiveSequencer sequencer;
        QList<LiveEvent> out;
        for (qint64 seq : {5, 6, 6, 7, 5})
            sequencer.accept(numbered(QStringLiteral("a"), seq), out);
        QCOMPARE(shown(out), (QStringList{u"a#5"_s, u"a#6"_s, u"a#7"_s}));
        QCOMPARE(sequencer.duplicatesDropped(), 2);
        QCOMPARE(sequencer.lastSeq(QStringLiteral("a")), 7);
    }

    void liveJumpWithoutCatchUpIsMarked()
    {
        LiveSequencer sequencer;
        QList<LiveEvent> out;
        sequencer.accept(numbered(QStringLiteral("a"), 1), out);
        sequencer.accept(numbered(QStringLiteral("a"), 4), out);
        QCOMPARE(shown(out), (QStringList{u"a#1"_s, u"GAP"_s, u"a#4"_s}));
        QVERIFY(gapNotice(out[1]).contains(QStringLiteral("seq 2 to 3 of a")));
        QCOMPARE(sequencer.eventsMissed(), 2);
    }

    void catchUpFillsTheHoleBeforeHeldLiveEvents()
    {
        // Seen up to 3; reconnected; live 7 and 8 arrive before the catch-up's 4..8.
        LiveSequencer sequencer;
        QList<LiveEvent> out;
        for (qint64 seq : {1, 2, 3})
            sequencer.accept(numbered(QStringLiteral("a"), seq), out);
        out.clear();
        sequencer.beginCatchUp(QStringLiteral("a"));
        QVERIFY(sequencer.isCatchingUp(QStringLiteral("a")));
        sequencer.accept(numbered(QStringLiteral("a"), 7), out);
        sequencer.accept(numbered(QStringLiteral("a"), 8), out);
        QVERIFY(out.isEmpty());
        for (qint64 seq : {4, 5, 6, 7, 8})
            sequencer.accept(numbered(QStringLiteral("a"), seq), out);
        sequencer.accept(numbered(QStringLiteral("b"), 1), out); // other channels are not held
        sequencer.endCatchUp(QStringLiteral("a"), QStringLiteral("unused"), out);
        sequencer.accept(numbered(QStringLiteral("a"), 9), out);
        QCOMPARE(shown(out), (QStringList{u"a#4"_s, u"a#5"_s, u"a#6"_s, u"a#7"_s, u"a#8"_s, u"b#1"_s, u"a#9"_s}));
        QCOMPARE(sequencer.eventsMissed(), 0);
    }

    void historyTheServerNoLongerHasIsMarkedWithTheReason()
    {
        // Seen up to 2; the server kept only 6 onwards: 3..5 are gone.
        LiveSequencer sequencer;
        QList<LiveEvent> out;
        sequencer.accept(numbered(QStringLiteral("a"), 2), out);
        out.clear();
        sequencer.beginCatchUp(QStringLiteral("a"));
        for (qint64 seq : {6, 7})
            sequencer.accept(numbered(QStringLiteral("a"), seq), out);
        sequencer.endCatchUp(QStringLiteral("a"), QStringLiteral("the server no longer has them"), out);
        QCOMPARE(shown(out), (QStringList{u"GAP"_s, u"a#6"_s, u"a#7"_s}));
        QVERIFY(gapNotice(out[0]).contains(QStringLiteral("seq 3 to 5 of a not shown: the server no longer has them")));
        QCOMPARE(sequencer.eventsMissed(), 3);
    }
};

QTEST_GUILESS_MAIN(TestLiveSequencer)
#include "tst_livesequencer.moc"
