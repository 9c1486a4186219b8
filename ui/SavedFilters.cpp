#include "SavedFilters.h"

#include <QSettings>

namespace cdc::SavedFilters {

namespace {

const QString arrayKey = QStringLiteral("saved_filters");
const QString defaultKey = QStringLiteral("filters/default");

void writeAll(const QList<SavedFilter> &filters)
{
    QSettings settings;
    settings.remove(arrayKey);
    settings.beginWriteArray(arrayKey, int(filters.size()));
    for (int i = 0; i < filters.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), filters[i].name);
        settings.setValue(QStringLiteral("expression"), filters[i].expression);
    }
    settings.endArray();
}

} // namespace

QList<SavedFilter> all()
{
    QSettings settings;
    QList<SavedFilter> filters;
    const int count = settings.beginReadArray(arrayKey);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        filters.append({settings.value(QStringLiteral("name")).toString(),
                        settings.value(QStringLiteral("expression")).toString()});
    }
    settings.endArray();
    return filters;
}

void save(const SavedFilter &filter)
{
    QList<SavedFilter> filters = all();
    const auto same = std::find_if(filters.begin(), filters.end(),
                                   [&filter](const SavedFilter &saved) { return saved.name == filter.name; });
    if (same != filters.end())
        same->expression = filter.expression;
    else
        filters.append(filter);
    writeAll(filters);
}

void remove(const QString &name)
{
    QList<SavedFilter> filters = all();
    filters.removeIf([&name](const SavedFilter &saved) { return saved.name == name; });
    writeAll(filters);
    if (defaultName() == name)
        setDefaultName({});
}

QString defaultName()
{
    return QSettings().value(defaultKey).toString();
}

void setDefaultName(const QString &name)
{
    QSettings settings;
    if (name.isEmpty())
        settings.remove(defaultKey);
    else
        settings.setValue(defaultKey, name);
}

QString defaultExpression()
{
    const QString name = defaultName();
    if (name.isEmpty())
        return {};
    for (const SavedFilter &filter : all())
        if (filter.name == name)
            return filter.expression;
    return {};
}

} // namespace cdc::SavedFilters
