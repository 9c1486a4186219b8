#include "InputLines.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace cdc::client {

namespace {

constexpr qsizetype readChunk = 64 * 1024;

} // namespace

InputLines::~InputLines()
{
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
}

bool InputLines::open(const QString &path, qint64 maxLineBytes, QString *error)
{
    m_maxLineBytes = maxLineBytes;
    m_atEnd = false;
    if (path == u"-") {
        m_fd = STDIN_FILENO;
        return true;
    }
    m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_ownsFd = true;
    return true;
}

bool InputLines::fill(bool wait)
{
    if (m_atEnd)
        return false;
    if (!wait) {
        pollfd ready{m_fd, POLLIN, 0};
        if (::poll(&ready, 1, 0) <= 0)
            return true; // nothing there right now
    }
    char chunk[readChunk];
    ssize_t got = 0;
    do {
        got = ::read(m_fd, chunk, sizeof chunk);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        m_atEnd = true;
        return false;
    }
    if (m_consumed > 0 && m_consumed == m_buffer.size()) {
        m_buffer.clear();
        m_consumed = 0;
    }
    m_buffer.append(chunk, got);
    return true;
}

bool InputLines::takeLine(Line *line)
{
    while (true) {
        const qsizetype end = m_buffer.indexOf('\n', m_consumed);
        if (end < 0) {
            if (m_buffer.size() - m_consumed > m_maxLineBytes) {
                // Too long to keep: report it once and drop it up to its line break.
                m_buffer.remove(0, m_buffer.size());
                m_consumed = 0;
                if (!m_skippingLongLine) {
                    m_skippingLongLine = true;
                    *line = Line{++m_lineNumber, {}, true};
                    return true;
                }
                return false;
            }
            if (m_atEnd && m_consumed < m_buffer.size()) { // the last line has no line break
                *line = Line{++m_lineNumber, m_buffer.mid(m_consumed), false};
                m_consumed = m_buffer.size();
                return !std::exchange(m_skippingLongLine, false);
            }
            return false;
        }
        QByteArray text = m_buffer.mid(m_consumed, end - m_consumed);
        m_consumed = end + 1;
        if (std::exchange(m_skippingLongLine, false))
            continue; // the tail of a line already reported as too long
        if (text.endsWith('\r'))
            text.chop(1);
        const bool tooLong = text.size() > m_maxLineBytes;
        *line = Line{++m_lineNumber, tooLong ? QByteArray() : std::move(text), tooLong};
        return true;
    }
}

QList<InputLines::Line> InputLines::next(int maxLines, qint64 maxBytes)
{
    QList<Line> lines;
    qint64 bytes = 0;
    Line line;
    while (lines.size() < maxLines && bytes < maxBytes) {
        if (takeLine(&line)) {
            bytes += line.text.size();
            lines.append(std::move(line));
            continue;
        }
        if (m_atEnd)
            break;
        // Block for more only while nothing is in hand; otherwise take just what is there.
        const bool wait = lines.isEmpty();
        const qsizetype pendingBefore = m_buffer.size() - m_consumed;
        fill(wait);
        if (!wait && !m_atEnd && m_buffer.size() - m_consumed == pendingBefore)
            break;
    }
    if (m_consumed > readChunk && m_consumed * 2 > m_buffer.size()) {
        m_buffer.remove(0, m_consumed);
        m_consumed = 0;
    }
    return lines;
}

QByteArray InputLines::peekFirstNonBlankLine()
{
    while (true) {
        qsizetype start = m_consumed;
        while (true) {
            const qsizetype end = m_buffer.indexOf('\n', start);
            if (end < 0)
                break;
            const QByteArray text = m_buffer.mid(start, end - start).trimmed();
            if (!text.isEmpty())
                return text;
            start = end + 1;
        }
        if (m_buffer.size() - m_consumed > m_maxLineBytes)
            return m_buffer.mid(start, 1024);
        if (!fill(true))
            return m_buffer.mid(start).trimmed();
    }
}

bool InputLines::readAllRemaining(qint64 maxBytes, QByteArray *data)
{
    while (m_buffer.size() - m_consumed <= maxBytes && fill(true)) {
    }
    *data = m_buffer.mid(m_consumed);
    return data->size() <= maxBytes;
}

} // namespace cdc::client
