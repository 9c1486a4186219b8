#include "ChunkedBodyDecoder.h"

namespace cdc {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

qsizetype ChunkedBodyDecoder::fail(const QString &problem)
{
    m_state = State::Malformed;
    m_problem = problem;
    return 0;
}

qsizetype ChunkedBodyDecoder::feed(QByteArrayView input)
{
    qsizetype used = 0;
    while (m_state == State::Reading && used < input.size()) {
        const QByteArrayView rest = input.sliced(used);
        if (m_step == Step::Data) {
            const qsizetype take = qsizetype(std::min<qint64>(m_chunkLeft, rest.size()));
            m_body.append(rest.first(take));
            m_chunkLeft -= take;
            used += take;
            if (m_chunkLeft == 0)
                m_step = Step::DataEnd;
            continue;
        }
        // Every other step reads one line (a lone LF is accepted as its end, RFC 9112 §2.2).
        const qsizetype newline = rest.indexOf('\n');
        // The same limit whether the line arrived whole or is still arriving.
        if ((newline < 0 ? rest.size() : newline) > m_maxLineBytes)
            return fail(QStringLiteral("a chunk-size or trailer line is longer than %1 bytes").arg(m_maxLineBytes));
        if (newline < 0)
            break; // the line is not complete yet
        QByteArrayView line = rest.first(newline);
        if (line.endsWith('\r'))
            line.chop(1);
        used += newline + 1;

        switch (m_step) {
        case Step::Size: {
            // chunk-size [; extension...]: the extensions mean nothing to us.
            const qsizetype semicolon = line.indexOf(';');
            const QByteArrayView digits = (semicolon < 0 ? line : line.first(semicolon)).trimmed();
            if (digits.isEmpty() || digits.size() > 15)
                return fail(QStringLiteral("malformed chunk size \"%1\"")
                                .arg(QString::fromLatin1(line.first(std::min<qsizetype>(line.size(), 40)))));
            qint64 size = 0;
            for (const char c : digits) {
                const int value = hexValue(c);
                if (value < 0)
                    return fail(QStringLiteral("malformed chunk size \"%1\"")
                                    .arg(QString::fromLatin1(line.first(std::min<qsizetype>(line.size(), 40)))));
                size = size * 16 + value;
            }
            if (m_decoded + size > m_maxBodyBytes) {
                m_state = State::TooLarge;
                m_decoded += size;
                return used;
            }
            m_decoded += size;
            m_chunkLeft = size;
            m_step = size == 0 ? Step::Trailer : Step::Data;
            break;
        }
        case Step::DataEnd:
            if (!line.isEmpty())
                return fail(QStringLiteral("a chunk's data is longer than its size says"));
            m_step = Step::Size;
            break;
        case Step::Trailer:
            // Trailer fields are read and dropped; an empty line ends the body.
            if (line.isEmpty()) {
                m_state = State::Done;
                break;
            }
            m_trailerBytes += line.size();
            if (m_trailerBytes > m_maxLineBytes)
                return fail(QStringLiteral("the trailer fields are longer than %1 bytes").arg(m_maxLineBytes));
            break;
        case Step::Data:
            break;
        }
    }
    return used;
}

} // namespace cdc
