#include "PayloadReading.h"

#include "protocol/PayloadMask.h"

namespace cdc {

PayloadReading readPayload(const LiveEvent &event, const PayloadMask &mask, bool pretty)
{
    PayloadReading reading;
    QByteArray payload = mask.apply(event.event.payload());
    reading.change = readChange(payload);
    reading.tree = JsonTree::build(std::move(payload));
    const QByteArray json = mask.applyToEventJson(event.event.json());
    reading.raw = QString::fromUtf8(pretty ? prettyJson(json) : json);
    return reading;
}

QByteArray prettyJson(QByteArrayView validJson)
{
    QByteArray out;
    out.reserve(validJson.size() + validJson.size() / 2);
    int depth = 0;
    const auto newLine = [&] {
        out += '\n';
        out.append(QByteArray(2 * depth, ' '));
    };
    for (qsizetype i = 0; i < validJson.size(); ++i) {
        const char c = validJson[i];
        switch (c) {
        case '"': { // a string goes across whole, escapes and all
            const qsizetype start = i++;
            while (i < validJson.size() && validJson[i] != '"')
                i += validJson[i] == '\\' ? 2 : 1;
            out.append(validJson.sliced(start, std::min(i, validJson.size() - 1) - start + 1));
            break;
        }
        case '{':
        case '[': {
            // An empty container stays on its line.
            qsizetype next = i + 1;
            while (next < validJson.size() && std::isspace(static_cast<unsigned char>(validJson[next])))
                ++next;
            if (next < validJson.size() && (validJson[next] == '}' || validJson[next] == ']')) {
                out += c;
                out += validJson[next];
                i = next;
                break;
            }
            out += c;
            ++depth;
            newLine();
            break;
        }
        case '}':
        case ']':
            --depth;
            newLine();
            out += c;
            break;
        case ',':
            out += c;
            newLine();
            break;
        case ':':
            out += ": ";
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace cdc
