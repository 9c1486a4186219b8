#include "ValueParsers.h"

#include <QRegularExpression>

namespace cdc {

std::optional<qint64> parseCount(const QString &text, qint64 minimum, qint64 maximum)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

std::optional<qint64> parseByteSize(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d+)\\s*([kKmMgG]?)(i?[bB])?\\s*$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    qint64 value = match.captured(1).toLongLong(&ok);
    const QChar unit = match.captured(2).isEmpty() ? QChar() : match.captured(2).at(0).toLower();
    const int shift = unit == u'k' ? 10 : unit == u'm' ? 20 : unit == u'g' ? 30 : 0;
    if (!ok || value > (qint64(1) << (62 - shift)))
        return std::nullopt;
    return value << shift;
}

std::optional<std::chrono::milliseconds> parseDuration(const QString &text, double maxMs)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?\\s*$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const double number = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    const double scale = unit == u"ms"  ? 1
                         : unit == u"m" ? 60'000
                         : unit == u"h" ? 3'600'000
                         : unit == u"d" ? 86'400'000
                                        : 1000;
    const double ms = number * scale;
    if (ms < 1 || ms > maxMs)
        return std::nullopt;
    return std::chrono::milliseconds(qint64(ms));
}

bool parseSwitchValue(const QString &text)
{
    const QString v = text.trimmed().toLower();
    return v == u"1" || v == u"true" || v == u"yes" || v == u"on";
}

Checked<qint64> checkPositiveCount(const QString &text)
{
    if (const auto count = parseCount(text, 1, qint64(1) << 40))
        return *count;
    return QStringLiteral("'%1' is not a positive whole number").arg(text);
}

Checked<std::chrono::milliseconds> checkDuration(const QString &text)
{
    if (const auto duration = parseDuration(text))
        return *duration;
    return QStringLiteral("'%1' is not a duration (examples: 500ms, 30s, 2m)").arg(text);
}

Checked<double> checkSpeedFactor(const QString &text)
{
    bool ok = false;
    const double speed = text.trimmed().toDouble(&ok);
    if (ok && speed >= 0 && speed <= 1e6)
        return speed;
    return QStringLiteral("'%1' is not a speed factor (0 for as fast as possible, 1 for the recorded pacing)").arg(text);
}

} // namespace cdc
