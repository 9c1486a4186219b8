#pragma once

#include <QHash>
#include <QString>

#include <optional>
#include <variant>

namespace cdc {

// Each channel's last acknowledged seq, kept beside the journal ("<journal>.marks") and rewritten
// (atomically: a new file renamed over the old) after commits, at most once a second and when the
// journal closes. SQLite keeps the newest commits in its WAL file: a WAL deleted or damaged after
// a crash takes them with it, and the database alone cannot tell. The marks can: at start, a
// channel whose journal ends before its mark has lost acknowledged history.
class JournalMarks
{
public:
    explicit JournalMarks(QString journalPath)
        : m_path(journalPath + QStringLiteral(".marks"))
    {}

    const QString &path() const { return m_path; }
    bool exists() const;
    // The marks as last written; nothing when there is no file; an error naming the file when it
    // cannot be read.
    std::variant<QHash<QString, qint64>, QString> read() const;
    // Replaces the file; false (with `error`) when it could not.
    bool write(const QHash<QString, qint64> &lastSeqs, QString *error) const;

private:
    QString m_path;
};

} // namespace cdc
