#include "LogFormat.h"

#include "protocol/ClientMessage.h"
#include "protocol/JsonWriter.h"

#include <QDateTime>
#include <QMutex>

#include <cstdio>

namespace cdc {

namespace {

LogFormat g_format = LogFormat::Text;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

} // namespace

QString escapedForTextLog(const QString &message)
{
    QString escaped;
    escaped.reserve(message.size());
    for (const QChar ch : message) {
        const char16_t c = ch.unicode();
        if (!isLayoutControl(c))
            escaped.append(ch);
        else if (c == u'\n')
            escaped.append(u"\\n");
        else if (c == u'\r')
            escaped.append(u"\\r");
        else if (c == u'\t')
            escaped.append(u"\\t");
        else
            escaped.append(u"\\u" + QString::number(c, 16).toUpper().rightJustified(4, u'0'));
    }
    return escaped;
}

namespace {

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static QMutex mutex;
    const QString timestamp = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const char *category = context.category ? context.category : "default";
    QByteArray line;
    if (g_format == LogFormat::Json) {
        JsonWriter writer;
        writer.beginObject()
            .field("ts", QStringView(timestamp))
            .field("level", levelName(type))
            .field("category", category)
            .field("message", QStringView(message))
            .endObject();
        line = writer.take();
    } else {
        line = timestamp.toUtf8() + ' ' + QByteArray(levelName(type)).leftJustified(7) + ' ' + category + ": " +
               escapedForTextLog(message).toUtf8();
    }
    line.append('\n');
    const QMutexLocker lock(&mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

void installLogFormat(LogFormat format)
{
    g_format = format;
    qInstallMessageHandler(writeLine);
}

} // namespace cdc
