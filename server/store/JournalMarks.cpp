#include "JournalMarks.h"

#include "protocol/JsonWriter.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace cdc {

bool JournalMarks::exists() const
{
    return QFile::exists(m_path);
}

std::variant<QHash<QString, qint64>, QString> JournalMarks::read() const
{
    QHash<QString, qint64> marks;
    QFile file(m_path);
    if (!file.exists())
        return marks;
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString());
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject channels = document.object().value(QStringLiteral("channels")).toObject();
    if (parseError.error != QJsonParseError::NoError || document.object().value(QStringLiteral("version")).toInt() != 1)
        return QStringLiteral("%1 is not a marks file CDC Scope wrote (%2)").arg(m_path, parseError.errorString());
    for (auto it = channels.constBegin(); it != channels.constEnd(); ++it)
        marks.insert(it.key(), it.value().toInteger());
    return marks;
}

bool JournalMarks::write(const QHash<QString, qint64> &lastSeqs, QString *error) const
{
    JsonWriter writer;
    writer.beginObject().field("version", qint64(1)).key("channels").beginObject();
    for (auto it = lastSeqs.cbegin(); it != lastSeqs.cend(); ++it)
        writer.key(QStringView(it.key())).value(it.value());
    writer.endObject().endObject();
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(writer.take()) < 0 || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

} // namespace cdc
