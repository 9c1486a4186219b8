#include "CaptureDiff.h"

#include "ChangeReading.h"

#include "store/Capture.h"
#include "protocol/JsonText.h"

#include <QFile>
#include <QHash>
#include <QSet>

#include <algorithm>

namespace cdc {

namespace {

void flatten(const JsonOutline &outline, qsizetype index, const QString &path, QMap<QString, QByteArray> &out)
{
    const JsonOutline::Node &node = outline.node(index);
    if (!node.isContainer() || node.childCount == 0) {
        // A duplicate key keeps both values apart: "a", then "a#2".
        QString unique = path;
        for (int n = 2; out.contains(unique); ++n)
            unique = path + u'#' + QString::number(n);
        out.insert(unique, node.text.toByteArray());
        return;
    }
    qsizetype position = 0;
    for (qsizetype child = outline.firstChild(index); child >= 0; child = outline.node(child).next, ++position) {
        QString childPath;
        if (node.kind == JsonKind::Array) {
            childPath = path + u'[' + QString::number(position) + u']';
        } else {
            const std::string &key = outline.node(child).key;
            const QString name = QString::fromUtf8(key.data(), qsizetype(key.size()));
            childPath = path.isEmpty() ? name : path + u'.' + name;
        }
        flatten(outline, child, childPath, out);
    }
}

bool isIgnored(const QString &path, const QStringList &ignored)
{
    for (const QString &field : ignored)
        if (path == field || path.startsWith(field + u'.') || path.startsWith(field + u'[') ||
            path.startsWith(field + u'#'))
            return true;
    return false;
}

QString unquoted(const QByteArray &token)
{
    const QString text = QString::fromUtf8(token);
    return text.size() >= 2 && text.startsWith(u'"') && text.endsWith(u'"') ? text.mid(1, text.size() - 2) : text;
}

// The prefixes under which a bare key field is looked for, in order.
const QStringList shapePrefixes{QString(),
                                QStringLiteral("new."),
                                QStringLiteral("old."),
                                QStringLiteral("after."),
                                QStringLiteral("before."),
                                QStringLiteral("record."),
                                QStringLiteral("old_record.")};

struct Prepared
{
    const CaptureEntry *entry;
    QMap<QString, QByteArray> fields;
    CaptureDiff::Identity identity;
};

QList<Prepared> prepare(const QList<CaptureEntry> &entries, const CaptureDiffOptions &options)
{
    QList<Prepared> prepared;
    QHash<QString, int> occurrences; // of each identity, so equal identities pair in order
    for (const CaptureEntry &entry : entries) {
        Prepared event{&entry, flattenPayload(entry.payload), {entry.channel, {}, {}}};
        event.identity.operation = unquoted(event.fields.value(QStringLiteral("op")));
        QStringList parts;
        for (const QString &field : options.keyFields) {
            for (const QString &prefix : shapePrefixes) {
                const auto found = event.fields.constFind(prefix + field);
                if (found != event.fields.cend()) {
                    parts.append(field + u'=' + unquoted(found.value()));
                    break;
                }
            }
        }
        const QString group = entry.channel + u'\n' + event.identity.operation + u'\n' + parts.join(u',');
        const int n = ++occurrences[group];
        // With a key, the n-th change of a row pairs with the n-th; without, the n-th of its channel and operation.
        event.identity.key = parts.isEmpty() ? QStringLiteral("#%1").arg(n)
                                             : parts.join(u',') + (n > 1 ? QStringLiteral(" (#%1)").arg(n) : QString());
        prepared.append(std::move(event));
    }
    return prepared;
}

QString pairingKey(const CaptureDiff::Identity &identity)
{
    return identity.channel + u'\n' + identity.operation + u'\n' + identity.key;
}

QList<CaptureDiff::FieldChange> fieldChanges(const QMap<QString, QByteArray> &a, const QMap<QString, QByteArray> &b,
                                             const QStringList &ignored)
{
    QList<CaptureDiff::FieldChange> changes;
    QStringList paths = a.keys();
    for (auto it = b.cbegin(); it != b.cend(); ++it)
        if (!a.contains(it.key()))
            paths.append(it.key());
    for (const QString &path : std::as_const(paths)) {
        if (isIgnored(path, ignored))
            continue;
        const auto before = a.constFind(path);
        const auto after = b.constFind(path);
        const std::optional<QByteArray> was = before == a.cend() ? std::nullopt : std::optional(before.value());
        const std::optional<QByteArray> is = after == b.cend() ? std::nullopt : std::optional(after.value());
        if (was != is)
            changes.append({path, was, is});
    }
    return changes;
}

// Indices (into `positions`) of one longest increasing subsequence: the events that kept their order.
QSet<int> longestIncreasing(const QList<int> &positions)
{
    QList<int> tailIndex; // tailIndex[k]: index ending the best run of length k+1
    QList<int> previous(positions.size(), -1);
    for (int i = 0; i < positions.size(); ++i) {
        const auto at = std::lower_bound(tailIndex.cbegin(), tailIndex.cend(), positions[i],
                                         [&positions](int index, int value) { return positions[index] < value; });
        const qsizetype k = at - tailIndex.cbegin();
        if (k > 0)
            previous[i] = tailIndex[k - 1];
        if (k == tailIndex.size())
            tailIndex.append(i);
        else
            tailIndex[k] = i;
    }
    QSet<int> kept;
    for (int i = tailIndex.isEmpty() ? -1 : tailIndex.last(); i >= 0; i = previous[i])
        kept.insert(i);
    return kept;
}

} // namespace

std::variant<QList<CaptureEntry>, QString> readCaptureFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("%1: %2").arg(path, file.errorString());
    QList<CaptureEntry> entries;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        auto parsed = parseCaptureLine(line);
        if (const auto *error = std::get_if<QString>(&parsed))
            return QStringLiteral("%1:%2: %3").arg(path).arg(lineNumber).arg(*error);
        const CapturedEvent &event = std::get<CapturedEvent>(parsed);
        entries.append({lineNumber, event.channel, event.payload, event.seq, event.tsMs});
    }
    return entries;
}

QMap<QString, QByteArray> flattenPayload(QByteArrayView payload)
{
    QMap<QString, QByteArray> fields;
    auto read = JsonOutline::read(payload, maxJsonDepth);
    if (const auto *outline = std::get_if<JsonOutline>(&read))
        flatten(*outline, 0, QString(), fields);
    return fields;
}

CaptureDiff diffCaptures(const QList<CaptureEntry> &a, const QList<CaptureEntry> &b, const CaptureDiffOptions &options)
{
    CaptureDiff diff;
    diff.eventsA = int(a.size());
    diff.eventsB = int(b.size());
    const QList<Prepared> left = prepare(a, options);
    const QList<Prepared> right = prepare(b, options);
    QHash<QString, int> rightByKey;
    for (int i = 0; i < right.size(); ++i)
        rightByKey.insert(pairingKey(right[i].identity), i);

    QSet<int> pairedRight;
    QHash<QString, QList<std::pair<int, int>>> pairsPerChannel; // channel -> (left, right) in left order
    for (int i = 0; i < left.size(); ++i) {
        const auto match = rightByKey.constFind(pairingKey(left[i].identity));
        if (match == rightByKey.cend()) {
            diff.missing.append({left[i].identity, left[i].entry->line});
            continue;
        }
        const Prepared &other = right[match.value()];
        pairedRight.insert(match.value());
        pairsPerChannel[left[i].identity.channel].append({i, match.value()});
        const QList<CaptureDiff::FieldChange> changes =
            fieldChanges(left[i].fields, other.fields, options.ignoredFields);
        if (!changes.isEmpty())
            diff.changed.append({left[i].identity, left[i].entry->line, other.entry->line, changes});
    }
    for (int i = 0; i < right.size(); ++i)
        if (!pairedRight.contains(i))
            diff.extra.append({right[i].identity, right[i].entry->line});
    // Within a channel, the paired events outside one longest run in the same order moved.
    for (auto it = pairsPerChannel.cbegin(); it != pairsPerChannel.cend(); ++it) {
        QList<int> positions;
        for (const auto &[l, r] : it.value())
            positions.append(r);
        const QSet<int> kept = longestIncreasing(positions);
        for (int k = 0; k < it.value().size(); ++k)
            if (!kept.contains(k)) {
                const auto &[l, r] = it.value()[k];
                diff.reordered.append({left[l].identity, left[l].entry->line, right[r].entry->line});
            }
    }
    std::sort(diff.reordered.begin(), diff.reordered.end(),
              [](const CaptureDiff::Moved &x, const CaptureDiff::Moved &y) { return x.lineA < y.lineA; });
    return diff;
}

QStringList keyFieldsFound(const QList<CaptureEntry> &a, const QList<CaptureEntry> &b)
{
    std::optional<QStringList> found;
    for (const QList<CaptureEntry> *entries : {&a, &b}) {
        for (const CaptureEntry &entry : *entries) {
            const auto change = readChange(entry.payload);
            if (!change || change->key.isEmpty())
                return {};
            QStringList names; // "id=42" or "a=1,b=2": the names before each '='
            for (const QString &part : change->key.split(u','))
                if (const qsizetype equals = part.indexOf(u'='); equals > 0)
                    names.append(part.first(equals));
            if (found && *found != names)
                return {};
            found = names;
        }
    }
    return found.value_or(QStringList());
}

} // namespace cdc
