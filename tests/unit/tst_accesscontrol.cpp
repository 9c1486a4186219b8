// Token files: what a token allows (exact names, prefix*, *), and each unusable file named with
// its problem.
#include "auth/AccessControl.h"

#include <QTest>

using namespace cdc;

namespace {

std::shared_ptr<const AccessControl> parsed(const QByteArray &json)
{
    auto result = AccessControl::parse(json);
    if (const auto *error = std::get_if<QString>(&result))
        qFatal("token set refused: %s", qPrintable(*error));
    return std::get<std::shared_ptr<const AccessControl>>(result);
}

} // namespace

class TestAccessControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rightsFollowThePatterns()
    {
        const auto control = parsed(R"({"tokens":[
            {"name":"reader","token":"0123456789abcdef","clients":["ci_*"],"channels":["orders","billing_*"]},
            {"token":"fedcba9876543210","channels":["*"],"publish":true}]})");
        QCOMPARE(control->size(), 2);
        const Access reader = std::get<Access>(control->authenticate("0123456789abcdef"));
        QCOMPARE(reader.tokenName, QStringLiteral("reader"));
        QVERIFY(reader.mayUseClient(QStringLiteral("ci_nightly")));
        QVERIFY(!reader.mayUseClient(QStringLiteral("cron")));
        QVERIFY(reader.mayRead(QStringLiteral("orders")));
        QVERIFY(!reader.mayRead(QStringLiteral("orders_eu"))); // exact unless it ends in *
        QVERIFY(reader.mayRead(QStringLiteral("billing_eu")));
        QVERIFY(reader.mayRead(QStringLiteral("billing_")));
        QVERIFY(!reader.mayPublishTo(QStringLiteral("orders"))); // publish defaults to false

        const Access writer = std::get<Access>(control->authenticate("fedcba9876543210"));
        QCOMPARE(writer.tokenName, QStringLiteral("token 2"));
        QVERIFY(writer.mayUseClient(QStringLiteral("anything"))); // clients default to *
        QVERIFY(writer.mayPublishTo(QStringLiteral("anything")));

        const Access open; // authentication off
        QVERIFY(open.mayUseClient(QStringLiteral("x")) && open.mayRead(QStringLiteral("x")) &&
                open.mayPublishTo(QStringLiteral("x")));
    }

    void unknownAndMissingTokensAre401()
    {
        const auto control = parsed(R"({"tokens":[{"token":"0123456789abcdef","channels":["a"]}]})");
        const auto missing = std::get<AccessRefusal>(control->authenticate({}));
        QCOMPARE(missing.status, 401);
        QCOMPARE(missing.code, QStringLiteral("unauthorized"));
        const auto wrong = std::get<AccessRefusal>(control->authenticate("0123456789abcdeF"));
        QCOMPARE(wrong.code, QStringLiteral("invalid_token"));
    }

    void thePresentedTokenComesFromTheHeaderOrTheQuery()
    {
        QCOMPARE(presentedToken("Bearer  abc ", {}), QByteArray("abc"));
        QCOMPARE(presentedToken("bearer abc", "token=zzz"), QByteArray("abc"));
        QCOMPARE(presentedToken({}, "client=x&token=a%2Bb"), QByteArray("a+b"));
        QCOMPARE(presentedToken("Basic dXNlcg==", {}), QByteArray());
    }

    void unusableFilesAreNamed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{tokens") << QStringLiteral("not valid JSON");
        QTest::newRow("no array") << QByteArray(R"({"tokens":{}})") << QStringLiteral("a \"tokens\" array");
        QTest::newRow("empty") << QByteArray(R"({"tokens":[]})") << QStringLiteral("nobody could connect");
        QTest::newRow("short secret") << QByteArray(R"({"tokens":[{"name":"s","token":"abc"}]})")
                                      << QStringLiteral("token \"s\": \"token\" must be a string of at least 16");
        QTest::newRow("channels not a list")
            << QByteArray(R"({"tokens":[{"token":"0123456789abcdef","channels":"a"}]})")
            << QStringLiteral("token 1: \"clients\" and \"channels\" must be arrays");
        QTest::newRow("publish not a bool")
            << QByteArray(R"({"tokens":[{"token":"0123456789abcdef","publish":"yes"}]})")
            << QStringLiteral("\"publish\" must be true or false");
        QTest::newRow("same secret twice")
            << QByteArray(
                   R"({"tokens":[{"name":"a","token":"0123456789abcdef"},{"name":"b","token":"0123456789abcdef"}]})")
            << QStringLiteral("token \"b\": the same secret as token \"a\"");
    }

    void unusableFilesAreNamed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto result = AccessControl::parse(json);
        const auto *error = std::get_if<QString>(&result);
        QVERIFY(error);
        QVERIFY2(error->contains(expected), qPrintable(*error));
    }
};

QTEST_GUILESS_MAIN(TestAccessControl)
#include "tst_accesscontrol.moc"
