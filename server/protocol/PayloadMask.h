#pragma once

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QStringList>

namespace cdc {

// Hides the values of payload fields whose name matches a pattern (`*password*`, `card_number`,
// `email`; wildcards, case-insensitive), wherever they are nested. The masked value becomes the
// string "••••"; every other byte stays as published, so what is shown is still the evidence,
// less what must not be seen.
class PayloadMask
{
public:
    PayloadMask() = default;
    explicit PayloadMask(const QStringList &patterns);

    bool isEmpty() const { return m_patterns.isEmpty(); }
    const QStringList &patterns() const { return m_text; }
    bool matches(QStringView name) const;

    // The payload with matching members' values replaced; unchanged when nothing matches or it is
    // not JSON.
    QByteArray apply(QByteArrayView payload) const;
    // A capture line or event frame ({"organization_id":…,"data":{…,"payload":P}}) with P masked;
    // the envelope's own names are never masked.
    QByteArray applyToEventJson(QByteArrayView json) const;

    static constexpr const char *maskedValue = "\"\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\"";

private:
    QList<QRegularExpression> m_patterns;
    QStringList m_text;
};

} // namespace cdc
