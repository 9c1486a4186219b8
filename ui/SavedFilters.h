#pragma once

#include <QList>
#include <QString>

namespace cdc {

// Field filters the user named and kept (settings `saved_filters`, in the order saved), and which
// one, if any, every new event view starts with (`filters/default`): hiding heartbeats, say.
struct SavedFilter
{
    QString name;
    QString expression;
};

namespace SavedFilters {

QList<SavedFilter> all();
// Saves or replaces the filter of that name.
void save(const SavedFilter &filter);
void remove(const QString &name);
// The default filter's name; empty when views start unfiltered.
QString defaultName();
void setDefaultName(const QString &name);
// The default filter's expression, if one is set and still saved.
QString defaultExpression();

} // namespace SavedFilters

} // namespace cdc
