#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <deque>

namespace cdc {

// Something noteworthy, said once in the Notices dock (Wireshark's Expert information): what the
// status bar shows for a moment and the log buries.
struct Notice
{
    enum class Severity { Note, Warning, Error };
    enum class Kind {
        SlowConsumerCut,   // the server closed a client that read too slowly
        ConnectionRefused, // the server refused a connection (a limit)
        Gap,               // events the window could not show
        HistoryRestart,    // a server began a new history (restarted in memory, a new epoch)
        SchemaChange,      // a table's shape changed
        ServerRefused,     // the server this window watches refused it
        SourceWarning,     // an upstream source (PostgreSQL) needs attention
        Other,
    };
    qint64 atMs = 0;
    Severity severity = Severity::Warning;
    Kind kind = Kind::Other;
    QString where; // channel, client, address or source
    QString text;
};

QString noticeKindName(Notice::Kind kind);

// The window's notices, newest last, keeping the last `capacity` (a flood of refused connections
// must not grow the window without end: what scrolled away is counted).
class NoticesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, SeverityColumn, KindColumn, WhereColumn, TextColumn, ColumnCount };
    static constexpr qsizetype capacity = 5000;

    using QAbstractTableModel::QAbstractTableModel;

    void add(const Notice &notice);
    const Notice &noticeAt(int row) const { return m_notices[size_t(row)]; }
    // Every notice added, including those that scrolled away.
    qint64 total() const { return m_total; }
    void refreshTimes();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void added(const cdc::Notice &notice);

private:
    std::deque<Notice> m_notices;
    qint64 m_total = 0;
};

} // namespace cdc
