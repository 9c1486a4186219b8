#pragma once

#include <QRegularExpression>
#include <QSortFilterProxyModel>

namespace cdc {

// Hides events of other channels and events whose payload does not match the text (a plain,
// case-insensitive substring, or a regular expression).
class EventFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit EventFilterProxy(QObject *parent = nullptr);

    void setChannel(const QString &channel); // empty: every channel
    // Returns false (and leaves the filter as it was) when `isRegex` and the pattern is invalid.
    bool setPattern(const QString &pattern, bool isRegex);
    QString patternError() const { return m_patternError; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_channel;
    QString m_text;
    QRegularExpression m_regex;
    bool m_useRegex = false;
    QString m_patternError;
};

} // namespace cdc
