#pragma once

#include "inspect/FieldFilter.h"

#include <QRegularExpression>
#include <QSortFilterProxyModel>

#include <optional>

namespace cdc {

// Hides events of other channels and events whose payload does not match the text (a plain,
// case-insensitive substring, a regular expression, or a field filter: FieldFilter). Payloads are
// matched as shown, masked fields masked, so a filter cannot find what the mask hides.
class EventFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit EventFilterProxy(QObject *parent = nullptr);

    void setChannel(const QString &channel); // empty: every channel
    // Returns false (and leaves the filter as it was) when `isRegex` and the pattern is invalid.
    bool setPattern(const QString &pattern, bool isRegex);
    QString patternError() const { return m_patternError; }
    // A field filter instead of the text; nothing: back to the text.
    void setFieldFilter(std::optional<FieldFilter> filter);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_channel;
    QString m_text;
    QRegularExpression m_regex;
    bool m_useRegex = false;
    std::optional<FieldFilter> m_fieldFilter;
    QString m_patternError;
};

} // namespace cdc
