// Masking fields by name: matching names at any depth (wildcards, any case) get "••••"; every
// other byte stays as published; an event's envelope is never masked.
#include "protocol/PayloadMask.h"

#include <QTest>

using namespace cdc;

class TestPayloadMask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchingValuesAreHiddenAtAnyDepthAndTheRestIsUntouched()
    {
        const PayloadMask mask({QStringLiteral("*password*"), QStringLiteral("card_number"), QStringLiteral("EMAIL")});
        const QByteArray masked = mask.apply(
            R"({"id":1.50,"user":{"Email":"a@b.c","db_password":{"v":"x"},"tags":[{"card_number":4111}]},"n":123456789012345678901234567890})");
        QCOMPARE(
            masked,
            QByteArray(
                R"({"id":1.50,"user":{"Email":"••••","db_password":"••••","tags":[{"card_number":"••••"}]},"n":123456789012345678901234567890})"));
    }

    void valuesNamedLikeAPatternAreNotNames()
    {
        const PayloadMask mask({QStringLiteral("secret")});
        QCOMPARE(mask.apply(R"({"note":"secret","list":["secret"]})"),
                 QByteArray(R"({"note":"secret","list":["secret"]})"));
    }

    void anEmptyMaskAndNonJsonPassThrough()
    {
        QCOMPARE(PayloadMask().apply(R"({"password":1})"), QByteArray(R"({"password":1})"));
        QCOMPARE(PayloadMask({QStringLiteral("a")}).apply("not json"), QByteArray("not json"));
        QVERIFY(PayloadMask({QStringLiteral(" "), QString()}).isEmpty());
    }

    void theEnvelopeOfAnEventIsNeverMasked()
    {
        // "*id*" would match organization_id: only the payload is looked at.
        const PayloadMask mask({QStringLiteral("*id*")});
        QCOMPARE(
            mask.applyToEventJson(R"({"organization_id":"acme","data":{"seq":1,"ts_ms":2,"payload":{"id":7,"x":1}}})"),
            QByteArray(R"({"organization_id":"acme","data":{"seq":1,"ts_ms":2,"payload":{"id":"••••","x":1}}})"));
    }
};

QTEST_GUILESS_MAIN(TestPayloadMask)
#include "tst_payloadmask.moc"
