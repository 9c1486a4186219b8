#pragma once

#include "host/MonitorTypes.h"
#include "sources/SchemaLog.h"
#include "inspect/RowHistory.h"
#include "store/TravelQuery.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace cdc {

class MonitorSource;

// A pinned row's timeline in its own tab: every insert, update and delete of it (channel, table,
// key) from the live view so far and from now on, from the server's buffer (travels from seq 0,
// paged), and from any capture files added — each event once, in the server's order, with the row
// as it stood after each change and where it was seen.
class RowHistoryView : public QWidget
{
    Q_OBJECT

public:
    RowHistoryView(MonitorSource &source, const QString &channel, RowIdentity row, const QList<LiveEvent> &seen,
                   QWidget *parent = nullptr);

    // The schema changes of the row's table in its channel: a line each, before the change it shaped.
    void noteSchemaChanges(const QList<cdc::SchemaNote> &notes);
    // Reads a JSONL capture and adds its changes of the row; an error names the file and line.
    QString addCapture(const QString &path);
    const RowTimeline &timeline() const { return m_timeline; }
    QTableWidget *table() const { return m_table; }
    QString title() const;

private:
    void offerLive(const QList<LiveEvent> &events);
    void requestBufferPage();
    void onTravelFinished(int requestId, const TravelResult &result);
    void refresh();

    MonitorSource &m_source;
    QString m_channel;
    RowIdentity m_row;
    RowTimeline m_timeline;
    QList<SchemaNote> m_schemaNotes; // of this table and channel, by seq
    int m_travelId = -1;
    qint64 m_bufferAfterSeq = 0;
    QLabel *m_summary;
    QTableWidget *m_table;
};

} // namespace cdc
