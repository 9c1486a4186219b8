#include "ClientCommands.h"
#include "inspect/CaptureDiff.h"

#include <QCommandLineParser>

#include <cstdio>

namespace cdc::client {

namespace {

// Exit codes of `cdcscope diff`, as diff(1) has them: what a CI step branches on.
constexpr int equal = 0;
constexpr int different = 1;
constexpr int trouble = 2;

QStringList listValues(const QCommandLineParser &parser, const QString &option)
{
    QStringList values;
    for (const QString &value : parser.values(option))
        for (const QString &item : value.split(u',', Qt::SkipEmptyParts))
            if (!item.trimmed().isEmpty())
                values.append(item.trimmed());
    return values;
}

QString describe(const CaptureDiff::Identity &identity)
{
    return identity.channel + u' ' + (identity.operation.isEmpty() ? QString() : identity.operation + u' ') +
           identity.key;
}

QString shown(const std::optional<QByteArray> &value)
{
    return value ? QString::fromUtf8(*value) : QStringLiteral("(absent)");
}

void print(const QString &line)
{
    std::fprintf(stdout, "%s\n", line.toUtf8().constData());
}

} // namespace

int runDiffCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Compares two captures as CDC traffic: events pair by channel, operation and key; seqs, "
                       "timestamps and the interleaving of channels do not count. Exit 0 when equal, 1 when not, 2 "
                       "on trouble."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("a.jsonl"), QStringLiteral("the expected capture (a golden one)"));
    parser.addPositionalArgument(QStringLiteral("b.jsonl"), QStringLiteral("the capture to check"));
    parser.addOption(
        {QStringLiteral("key"),
         QStringLiteral("Payload field(s) that identify a row (id, new.id, tenant,id); a bare name is also "
                        "looked for under new/old, after/before and record/old_record. Repeatable."),
         QStringLiteral("field")});
    parser.addOption({QStringLiteral("ignore"),
                      QStringLiteral("Payload field(s) left out of the comparison, with all under them "
                                     "(commit_ts_ms, lsn, new.updated_at). Repeatable."),
                      QStringLiteral("field")});
    if (!parser.parse(arguments.mid(1))) {
        std::fprintf(stderr, "cdcscope diff: %s\n", qPrintable(parser.errorText()));
        return trouble;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        help.replace(0, help.indexOf(u'\n'), QStringLiteral("Usage: cdcscope diff a.jsonl b.jsonl [options]"));
        std::fprintf(stdout, "%s", qPrintable(help));
        return equal;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 2) {
        std::fprintf(stderr, "cdcscope diff: give two captures (cdcscope diff a.jsonl b.jsonl)\n");
        return trouble;
    }
    auto a = readCaptureFile(files[0]);
    auto b = readCaptureFile(files[1]);
    for (const auto *read : {&a, &b})
        if (const auto *error = std::get_if<QString>(read)) {
            std::fprintf(stderr, "cdcscope diff: %s\n", qPrintable(*error));
            return trouble;
        }
    const CaptureDiff diff =
        diffCaptures(std::get<QList<CaptureEntry>>(a), std::get<QList<CaptureEntry>>(b),
                     {listValues(parser, QStringLiteral("key")), listValues(parser, QStringLiteral("ignore"))});
    for (const auto &missing : diff.missing)
        print(QStringLiteral("missing    %1 (%2:%3)").arg(describe(missing.identity), files[0]).arg(missing.line));
    for (const auto &extra : diff.extra)
        print(QStringLiteral("extra      %1 (%2:%3)").arg(describe(extra.identity), files[1]).arg(extra.line));
    for (const auto &changed : diff.changed) {
        QStringList fields;
        for (const auto &field : changed.fields)
            fields.append(QStringLiteral("%1 %2 → %3").arg(field.path, shown(field.before), shown(field.after)));
        print(QStringLiteral("changed    %1 (%2:%3, %4:%5): %6")
                  .arg(describe(changed.identity), files[0])
                  .arg(changed.lineA)
                  .arg(files[1])
                  .arg(changed.lineB)
                  .arg(fields.join(QStringLiteral("; "))));
    }
    for (const auto &moved : diff.reordered)
        print(QStringLiteral("reordered  %1 (%2:%3 is %4:%5)")
                  .arg(describe(moved.identity), files[0])
                  .arg(moved.lineA)
                  .arg(files[1])
                  .arg(moved.lineB));
    print(QStringLiteral("%1 event(s) in %2, %3 in %4: %5")
              .arg(diff.eventsA)
              .arg(files[0])
              .arg(diff.eventsB)
              .arg(files[1])
              .arg(diff.isEqual() ? QStringLiteral("equal")
                                  : QStringLiteral("%1 missing, %2 extra, %3 changed, %4 reordered")
                                        .arg(diff.missing.size())
                                        .arg(diff.extra.size())
                                        .arg(diff.changed.size())
                                        .arg(diff.reordered.size())));
    return diff.isEqual() ? equal : different;
}

} // namespace cdc::client
