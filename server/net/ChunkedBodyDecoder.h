#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace cdc {

// Decodes a request body sent with `Transfer-Encoding: chunked` (RFC 9112 §7.1) as its bytes
// arrive: chunk extensions are ignored, trailer fields read and dropped, and the decoded size is
// held to a limit. It reports how many bytes it used, so bytes after the body (a pipelined
// request) stay where they are.
class ChunkedBodyDecoder
{
public:
    enum class State { Reading, Done, Malformed, TooLarge };

    ChunkedBodyDecoder(qint64 maxBodyBytes, qsizetype maxLineBytes)
        : m_maxBodyBytes(maxBodyBytes)
        , m_maxLineBytes(maxLineBytes)
    {}

    // Consumes what it can of `input` and returns how many bytes it took. Call again with the
    // bytes that follow once more arrive, until state() is no longer Reading.
    qsizetype feed(QByteArrayView input);

    State state() const { return m_state; }
    // Why the body is malformed (for the 400).
    const QString &problem() const { return m_problem; }
    // The decoded body so far; whole once state() is Done.
    QByteArray takeBody() { return std::exchange(m_body, {}); }
    qint64 decodedSize() const { return m_decoded; }

private:
    enum class Step { Size, Data, DataEnd, Trailer };

    qsizetype fail(const QString &problem);

    qint64 m_maxBodyBytes;
    qsizetype m_maxLineBytes;
    State m_state = State::Reading;
    Step m_step = Step::Size;
    qint64 m_chunkLeft = 0;
    qint64 m_decoded = 0;
    qsizetype m_trailerBytes = 0;
    QByteArray m_body;
    QString m_problem;
};

} // namespace cdc
