#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace cdc::client {

// The lines of a file or of stdin, numbered from 1, read as they come: a batch is handed over
// as soon as at least one line is complete, so `producer | cdcscope publish` does not wait for
// the producer to fill a batch.
class InputLines
{
public:
    struct Line
    {
        qint64 number = 0;
        QByteArray text;      // without the line break
        bool tooLong = false; // longer than the limit: its text is dropped
    };

    InputLines() = default;
    ~InputLines();
    InputLines(const InputLines &) = delete;
    InputLines &operator=(const InputLines &) = delete;

    // "-" is stdin. False with `error` set when the file cannot be read.
    bool open(const QString &path, qint64 maxLineBytes, QString *error);

    // Waits for one complete line (or the end), then takes what else is already there, up to
    // `maxLines` lines or about `maxBytes`. Empty only at the end of the input.
    QList<Line> next(int maxLines, qint64 maxBytes);
    // The first line that is not blank, without consuming anything; empty if there is none.
    QByteArray peekFirstNonBlankLine();
    // Everything not yet consumed, up to `maxBytes` (false if there is more); consumes nothing.
    bool readAllRemaining(qint64 maxBytes, QByteArray *data);

private:
    bool fill(bool wait); // reads what is there (blocking for some input if `wait`); false at the end
    bool takeLine(Line *line);

    int m_fd = -1;
    bool m_ownsFd = false;
    bool m_atEnd = true;
    QByteArray m_buffer;
    qsizetype m_consumed = 0; // bytes of m_buffer already handed out
    qint64 m_lineNumber = 0;
    qint64 m_maxLineBytes = 0;
    bool m_skippingLongLine = false;
};

} // namespace cdc::client
