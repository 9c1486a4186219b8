// The window as the monitor of servers elsewhere (offscreen, real servers on OS-chosen ports): a
// headless CDC Scope with tokens and TLS, restarted mid-stream; bench/baseline's Node server as a
// plain server of the protocol (what athena is); refusals; a recording imported into the embedded
// server. Every event is published by the test over HTTP, as a producer would.
#include "CaptureRecorder.h"
#include "ConnectDialog.h"
#include "EventDetailPane.h"
#include "NoticesView.h"
#include "EventRingModel.h"
#include "EventTableView.h"
#include "GapMarker.h"
#include "HeadlessProcess.h"
#include "MonitorModels.h"
#include "PgCluster.h"
#include "SourcesPanel.h"
#include "LiveEventsView.h"
#include "MainWindow.h"
#include "OfferedView.h"
#include "SharedRefusal.h"
#include "TestCertificate.h"
#include "TestHttp.h"
#include "TravelPanel.h"
#include "WindowManager.h"
#include "host/EngineHost.h"
#include "remote/RemoteSource.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace cdc;
using namespace Qt::StringLiterals;

namespace {

const QByteArray windowSecret = "window-secret-0123456789";
const QByteArray billingSecret = "billing-secret-0123456789";
const QByteArray tokenFile = R"({"tokens":[
  {"name":"window","token":"window-secret-0123456789","channels":["*"],"monitor":true,"publish":true},
  {"name":"billing-only","token":"billing-secret-0123456789","clients":["billing"],"channels":["billing"]}
]})";

// The channel and seq of each row of the live view; "GAP" for a gap marker.
QStringList liveRows(MainWindow &window)
{
    QStringList rows;
    const EventRingModel *model = window.liveView()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const LiveEvent &live = model->eventAt(row);
        rows.append(isGapMarker(live) ? QStringLiteral("GAP") : live.channel + u'#' + QString::number(live.event.seq));
    }
    return rows;
}

QStringList expectedRows(const QString &channel, qint64 first, qint64 last)
{
    QStringList rows;
    for (qint64 seq = first; seq <= last; ++seq)
        rows.append(channel + u'#' + QString::number(seq));
    return rows;
}

// A plain ws:// connection that follows the channel "orders" only.
RemoteProfile followingOrders(const QString &name, quint16 port)
{
    RemoteProfile profile;
    profile.name = name;
    profile.url = QStringLiteral("ws://127.0.0.1:%1").arg(port);
    profile.clientName = QStringLiteral("orders");
    profile.followAllChannels = false;
    return profile;
}

std::unique_ptr<RemoteSource> remoteSource(const RemoteProfile &profile)
{
    auto resolved = resolveProfile(profile);
    if (const auto *error = std::get_if<QString>(&resolved))
        qFatal("profile: %s", qPrintable(*error));
    return std::make_unique<RemoteSource>(std::get<ResolvedProfile>(resolved));
}

// A window following "orders" on the plain server at `port`, opened.
struct OrdersWindow
{
    OrdersWindow(const QString &name, quint16 port)
        : source(remoteSource(followingOrders(name, port)))
        , window(*source, engine, 1000)
    {
        source->open();
    }

    EngineHost engine{1000};
    std::unique_ptr<RemoteSource> source;
    MainWindow window;
};

} // namespace

class TestRemoteWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cert;
    QString m_key;
    QString m_tokens;
    QNetworkAccessManager m_network;

    QProcessEnvironment journalEnvironment() const
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("CDCSCOPE_IN_MEMORY"));
        return environment;
    }

    // Stops `server` and, once `watching` says `reconnectingStatus`, starts it again on its port
    // with `args`: what is published next, the window misses until it is back.
    std::unique_ptr<HeadlessProcess> restartOnSamePort(std::unique_ptr<HeadlessProcess> server,
                                                       const QStringList &args, const QProcessEnvironment &environment,
                                                       const RemoteSource &watching, const QString &reconnectingStatus)
    {
        const quint16 port = server->port;
        if (!server->stop() ||
            !QTest::qWaitFor([&] { return watching.status().text.startsWith(reconnectingStatus); }, 10000))
            return nullptr;
        server = startHeadless(args + QStringList{QStringLiteral("--port"), QString::number(port)}, environment);
        return server && server->port == port ? std::move(server) : nullptr;
    }

    std::unique_ptr<HeadlessProcess> startSecured(quint16 port)
    {
        return startHeadless({QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key,
                              QStringLiteral("--auth-tokens"), m_tokens, QStringLiteral("--data-dir"),
                              m_dir.filePath(QStringLiteral("data")), QStringLiteral("--port"), QString::number(port)},
                             journalEnvironment());
    }

    // POST /events as a producer would (over TLS with the test's CA when `tls`); the answer's body.
    QJsonObject post(const QString &base, const QByteArray &body, const QByteArray &token = {})
    {
        QNetworkRequest request(QUrl(base + QStringLiteral("/events")));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(m_cert);
        request.setSslConfiguration(ssl);
        QNetworkReply *reply = m_network.post(request, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        const QByteArray answer = reply->readAll();
        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
            qWarning() << "publish failed:" << reply->errorString() << answer;
        return QJsonDocument::fromJson(answer).object();
    }

    void publishSeveral(const QString &base, const QString &channel, int count, const QByteArray &token = {})
    {
        for (int i = 0; i < count; ++i)
            post(base,
                 "{\"organization_id\":\"" + channel.toUtf8() + "\",\"data\":{\"n\":" + QByteArray::number(i) + "}}",
                 token);
    }

    RemoteProfile securedProfile(quint16 port) const
    {
        RemoteProfile profile;
        profile.name = QStringLiteral("secured");
        profile.url = QStringLiteral("wss://127.0.0.1:%1").arg(port);
        profile.clientName = QStringLiteral("orders");
        profile.channels = {QStringLiteral("billing")};
        profile.caFile = m_cert;
        profile.token = windowSecret;
        profile.followAllChannels = false;
        return profile;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cert = m_dir.filePath(QStringLiteral("cert.pem"));
        m_key = m_dir.filePath(QStringLiteral("key.pem"));
        const QString error = makeLoopbackCertificate(m_cert, m_key);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_tokens = m_dir.filePath(QStringLiteral("tokens.json"));
        QFile file(m_tokens);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(tokenFile);
    }

    void headlessServerWithTokenAndTls()
    {
        auto server = startSecured(0);
        QVERIFY(server && server->port != 0);
        const quint16 port = server->port;
        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(port);

        EngineHost engine(1000); // the window's own engine, never started here
        auto source = remoteSource(securedProfile(port));
        MainWindow window(*source, engine, 10'000);
        window.show();
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        QVERIFY(window.urlLabel()->text().contains(QStringLiteral("connected")));
        QVERIFY(window.windowTitle().contains(QStringLiteral("secured")));

        // Live events of both subscribed channels, the payload exactly as published.
        const QByteArray evidence = R"({"b":1,"a":1.50,"n":123456789012345678901234567890,"s":"\u00e9"})";
        post(base, R"({"organization_id":"orders","data":)" + evidence + "}", windowSecret);
        publishSeveral(base, QStringLiteral("orders"), 2, windowSecret);
        publishSeveral(base, QStringLiteral("billing"), 2, windowSecret);
        publishSeveral(base, QStringLiteral("elsewhere"), 1, windowSecret); // not subscribed: not shown
        QTRY_COMPARE_WITH_TIMEOUT(window.liveView()->model()->rowCount(), 5, 10000);
        QCOMPARE(window.liveView()->model()->eventAt(0).event.payload().toByteArray(), evidence);

        // What only a CDC Scope server tells: buffer depth, the clients (the window among them).
        // Offered once the server's API has answered (the polls run beside the live events).
        QTRY_VERIFY_WITH_TIMEOUT(window.clientsView()->isOffered() && window.sourcesView()->isOffered(), 5000);
        QVERIFY(window.channelsNotice()->isHidden());
        QVERIFY(window.journalLabel()->isHidden());
        auto channelRow = [&window](const QString &id) -> std::optional<ChannelStats> {
            for (int row = 0; row < window.channelsModel()->rowCount(); ++row)
                if (window.channelsModel()->rowAt(row).id == id)
                    return window.channelsModel()->rowAt(row);
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            channelRow(QStringLiteral("orders")) && channelRow(QStringLiteral("orders"))->events == 3, 5000);
        QCOMPARE(channelRow(QStringLiteral("orders"))->subscribers, 1);
        QVERIFY(channelRow(QStringLiteral("elsewhere")));
        QTRY_VERIFY_WITH_TIMEOUT(window.clientsModel()->rowCount() == 1, 5000);
        QCOMPARE(window.clientsModel()->rowAt(0).clientId, QStringLiteral("orders"));
        QStringList subscriptions = window.clientsModel()->rowAt(0).subscriptions;
        subscriptions.sort();
        QCOMPARE(subscriptions, (QStringList{u"billing"_s, u"orders"_s}));

        // The travel panel's replay goes over the wire; its tab holds what the server sent.
        QSignalSpy replays(source.get(), &MonitorSource::travelFinished);
        Q_EMIT window.travelPanel()->replayRequested({QStringLiteral("orders")}, TravelWindow{1, std::nullopt, 100});
        QTRY_COMPARE_WITH_TIMEOUT(replays.size(), 1, 5000);
        const auto replayed = replays.at(0).at(1).value<TravelResult>();
        QCOMPARE(replayed.events.size(), 2);
        QCOMPARE(replayed.events[0].event.seq, 2);
        QCOMPARE(replayed.events[1].event.seq, 3);
        QCOMPARE(window.tabs()->count(), 3);

        // Publishing from the window: POST /events with the profile's token.
        QSignalSpy published(source.get(), &MonitorSource::published);
        source->publish({{QStringLiteral("orders"), R"({"from":"window","x":[1,2.0]})"}});
        QTRY_COMPARE_WITH_TIMEOUT(published.size(), 1, 5000);
        QCOMPARE(published.at(0).at(1).toString(), QString());
        QCOMPARE(published.at(0).at(0).value<QList<AppendReceipt>>().at(0).seq, 4);
        QTRY_COMPARE_WITH_TIMEOUT(window.liveView()->model()->rowCount(), 6, 5000);
        QCOMPARE(window.liveView()->model()->eventAt(5).event.payload().toByteArray(),
                 QByteArray(R"({"from":"window","x":[1,2.0]})"));

        // Where the time went, as the server measured it: the window's own connection in the Clients
        // view, and the selected event's Timing tab (GET /channels/orders/latency).
        QTRY_VERIFY_WITH_TIMEOUT(
            window.clientsModel()->rowCount() == 1 && window.clientsModel()->rowAt(0).storedToSent.count > 0, 5000);
        window.liveView()->table()->selectRow(5);
        auto *timing = window.liveView()->detail()->findChild<QTreeWidget *>(QStringLiteral("eventTiming"));
        QVERIFY(timing);
        const auto sentToWindow = [timing] {
            for (int i = 0; i < timing->topLevelItemCount(); ++i)
                if (timing->topLevelItem(i)->text(0).startsWith(u"Sent to orders (#"))
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sentToWindow(), 5000);
        QCOMPARE(timing->topLevelItem(1)->text(0), QStringLiteral("Stored (ts_ms)"));

        // The disconnect action, through DELETE /clients/{id}: the window's own connection drops
        // and comes back.
        source->disconnectClient(window.clientsModel()->rowAt(0).sessionId);
        QTRY_VERIFY_WITH_TIMEOUT(source->status().state == ConnectionStatus::State::Reconnecting, 5000);
        // Generous: under the sanitizers the server and the TLS handshakes are several times slower.
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 30000);

        // Restarted mid-stream: events published while the window was away arrive through the
        // catch-up travel, later ones live; no gap, no duplicate.
        QVERIFY(server->stop());
        // Down long enough for the backoff to reach 2 s, so the next 30 are published while the
        // window is away and can only reach it through the catch-up travel.
        QTRY_VERIFY_WITH_TIMEOUT(source->status().text.startsWith(u"reconnecting in 2.0 s"_s), 10000);
        const qint64 catchUpsBefore = source->catchUpTravels();
        server = startSecured(port);
        QVERIFY2(server && server->port == port, "the restarted server did not get its port back");
        publishSeveral(base, QStringLiteral("orders"), 30, windowSecret);
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 15000);
        publishSeveral(base, QStringLiteral("orders"), 10, windowSecret);
        QStringList orders;
        QTRY_VERIFY_WITH_TIMEOUT((orders = liveRows(window).filter(QStringLiteral("orders#"))).size() >= 44, 10000);
        QCOMPARE(orders, expectedRows(QStringLiteral("orders"), 1, 44));
        QVERIFY(!liveRows(window).contains(QStringLiteral("GAP")));
        QVERIFY(source->catchUpTravels() > catchUpsBefore);
        QCOMPARE(source->sequencer().eventsMissed(), 0);
    }

    void recordingReplaysIntoTheEmbeddedServer()
    {
        auto server = startSecured(0);
        QVERIFY(server && server->port != 0);
        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(server->port);
        EngineHost engine(1000);
        auto source = remoteSource(securedProfile(server->port));
        MainWindow window(*source, engine, 1000);
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        const int before = window.liveView()->model()->rowCount();

        const QString capture = m_dir.filePath(QStringLiteral("recorded.jsonl"));
        QCOMPARE(window.recordTo(capture), QString());
        const QList<QByteArray> payloads{R"({"id":1,"amount":"12.30"})", R"({"id":2,"amount":1e400})",
                                         R"({"k":{"z":null,"a":[true,false]},"k":"duplicate"})"};
        for (const QByteArray &payload : payloads)
            post(base, R"({"organization_id":"billing","data":)" + payload + "}", windowSecret);
        QTRY_COMPARE_WITH_TIMEOUT(window.liveView()->model()->rowCount(), before + 3, 10000);
        window.recordTo(QString());
        QCOMPARE(window.recorder()->recorded(), 3);

        // Into this computer's engine, which the window starts for it.
        ServerConfig config;
        config.port = 0;
        engine.start(config);
        QSignalSpy imported(&engine, &EngineHost::imported);
        window.importCaptureFrom(capture, 0);
        QTRY_COMPARE_WITH_TIMEOUT(imported.size(), 1, 10000);
        QCOMPARE(imported.at(0).at(3).toString(), QString());
        QSignalSpy travelled(&engine, &EngineHost::travelFinished);
        engine.travel({QStringLiteral("billing")}, {});
        QTRY_COMPARE_WITH_TIMEOUT(travelled.size(), 1, 5000);
        const auto result = travelled.at(0).at(1).value<TravelResult>();
        QList<QByteArray> replayed;
        for (const ChannelEvent &event : result.events)
            replayed.append(event.event.payload().toByteArray());
        QCOMPARE(replayed.mid(replayed.size() - 3), payloads);
    }

    void plainServerOfTheProtocol()
    {
        // bench/baseline's Node server: /ws and POST /events only, as athena offers.
        const QString directory = QStringLiteral(CDCSCOPE_SOURCE_DIR "/bench/baseline");
        QVERIFY2(QFile::exists(directory + QStringLiteral("/node_modules/ws")),
                 "bench/baseline/node_modules is missing: scripts/test.sh runs npm ci there");
        QProcess node;
        node.setProcessChannelMode(QProcess::SeparateChannels);
        node.start(QStringLiteral("node"),
                   {directory + QStringLiteral("/server.mjs"), QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(node.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += node.readAllStandardError()).contains("listening"), 10000);
        const QRegularExpressionMatch match =
            QRegularExpression(QStringLiteral("ws://127.0.0.1:(\\d+)/ws")).match(QString::fromUtf8(banner));
        QVERIFY(match.hasMatch());
        const quint16 port = quint16(match.captured(1).toUInt());

        RemoteProfile profile;
        profile.name = QStringLiteral("athena-like");
        profile.followAllChannels = true; // nothing to follow: a plain server lists no channels
        profile.url = QStringLiteral("127.0.0.1:%1").arg(port);
        profile.clientName = QStringLiteral("orders");
        EngineHost engine(1000);
        auto source = remoteSource(profile);
        MainWindow window(*source, engine, 1000);
        window.show();
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        // Subscribing to one more from the window.
        window.subscribeTo(QStringLiteral("billing"));

        // The views that need CDC Scope's API say so, in words.
        // Until the server's first answer the views are not offered either ("waiting for the
        // server's answer"): wait for the reason, not for the flag.
        QTRY_VERIFY_WITH_TIMEOUT(
            window.clientsView()->notice()->text().contains(QStringLiteral("offers the protocol only")), 5000);
        QVERIFY(!window.clientsView()->isOffered());
        QVERIFY(!window.sourcesView()->isOffered());
        QVERIFY(!window.channelsNotice()->isHidden());

        // The server has the subscribe before the events are published.
        QTRY_COMPARE_WITH_TIMEOUT(source->subscribesUnanswered(), 0, 5000);
        publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), 1}});
        publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), 2}});
        publish(port, QStringLiteral("billing"), QJsonObject{{QStringLiteral("n"), 3}});
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), (QStringList{u"orders#1"_s, u"orders#2"_s, u"billing#1"_s}), 10000);
        // Channels from what was seen: their last seq. Both are listed from their subscription on,
        // with a seq from the next snapshot after the events (not at once: wait for it).
        QTRY_VERIFY_WITH_TIMEOUT(window.channelsModel()->rowCount() == 2, 5000);
        QCOMPARE(window.channelsModel()->rowAt(1).id, QStringLiteral("orders"));
        QTRY_COMPARE_WITH_TIMEOUT(window.channelsModel()->rowAt(1).lastSeq, 2, 5000);

        QSignalSpy replays(source.get(), &MonitorSource::travelFinished);
        source->travel({QStringLiteral("orders")}, {});
        QTRY_COMPARE_WITH_TIMEOUT(replays.size(), 1, 5000);
        QCOMPARE(replays.at(0).at(1).value<TravelResult>().events.size(), 2);

        QSignalSpy published(source.get(), &MonitorSource::published);
        source->publish({{QStringLiteral("orders"), R"({"n":4})"}});
        QTRY_COMPARE_WITH_TIMEOUT(published.size(), 1, 5000);
        QCOMPARE(published.at(0).at(0).value<QList<AppendReceipt>>().at(0).seq, 3);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window).size(), 4, 5000);
        node.terminate();
        node.waitForFinished();
    }

    // The same refusal reads the same in the window and in the command line (tst_clientcommands).
    void aRefusedPublishReadsAsTheCommandLineSaysIt()
    {
        auto small = startHeadless({QStringLiteral("--max-channels"), QStringLiteral("1")});
        QVERIFY2(small->port != 0, small->log.constData());
        QCOMPARE(publish(small->port, QStringLiteral("first"), QJsonObject{}).status, 200);
        RemoteProfile profile;
        profile.name = QStringLiteral("small");
        profile.url = QStringLiteral("127.0.0.1:%1").arg(small->port);
        profile.clientName = QStringLiteral("first");
        EngineHost engine(1000);
        auto source = remoteSource(profile);
        MainWindow window(*source, engine, 1000);
        window.show();
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        QSignalSpy published(source.get(), &MonitorSource::published);
        source->publish({{QStringLiteral("second"), QByteArrayLiteral("{}")}});
        QTRY_COMPARE_WITH_TIMEOUT(published.size(), 1, 5000);
        QCOMPARE(published.at(0).at(1).toString(), tooManyChannelsRefusal());
        QTRY_COMPARE(window.statusBar()->currentMessage(), QStringLiteral("Not published: ") + tooManyChannelsRefusal());
    }

    void refusalsAreShownWithTheirReason_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QString>("client");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no token") << u"wss"_s << u"orders"_s << QByteArray() << u"wants a token"_s;
        QTest::newRow("wrong token") << u"wss"_s << u"orders"_s << QByteArray("not-a-token-0123456789")
                                     << u"wants a token"_s;
        QTest::newRow("client the token may not be")
            << u"wss"_s << u"orders"_s << billingSecret << u"refused this token for this client"_s;
        QTest::newRow("ws:// to a TLS server") << u"ws"_s << u"orders"_s << windowSecret << QString();
    }

    void refusalsAreShownWithTheirReason()
    {
        QFETCH(QString, scheme);
        QFETCH(QString, client);
        QFETCH(QByteArray, token);
        QFETCH(QString, expected);
        auto server = startSecured(0);
        QVERIFY(server && server->port != 0);
        RemoteProfile profile = securedProfile(server->port);
        profile.url = QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(server->port);
        profile.clientName = client;
        profile.token = token;
        EngineHost engine(1000);
        auto source = remoteSource(profile);
        MainWindow window(*source, engine, 1000);
        source->open();
        if (expected.isEmpty()) {
            // Plain WebSocket to a TLS port: the server never answers in HTTP; retried, never up.
            QTRY_VERIFY_WITH_TIMEOUT(source->status().state == ConnectionStatus::State::Reconnecting ||
                                         source->status().state == ConnectionStatus::State::Refused,
                                     10000);
            QVERIFY(!source->status().isUp());
            return;
        }
        QTRY_VERIFY_WITH_TIMEOUT(source->status().state == ConnectionStatus::State::Refused, 10000);
        QVERIFY2(source->status().text.contains(expected), qPrintable(source->status().text));
        QVERIFY(window.urlLabel()->text().contains(expected));
        // The Clients dock says why it stays empty, not that an answer is coming.
        QTRY_VERIFY2(window.clientsView()->notice()->text().contains(u"the connection was refused"_s),
                     qPrintable(window.clientsView()->notice()->text()));
        QVERIFY(window.clientsView()->notice()->text().contains(expected));
        // And in the Notices dock, once however often it is retried.
        const NoticesModel *notices = window.notices()->model();
        QCOMPARE(notices->rowCount(), 1);
        QCOMPARE(notices->noticeAt(0).kind, Notice::Kind::ServerRefused);
        QCOMPARE(notices->noticeAt(0).severity, Notice::Severity::Error);
        QVERIFY(notices->noticeAt(0).text.contains(expected));
    }

    void historyGoneWhileAwayIsMarkedAsAGap()
    {
        // A server that keeps 10 events per channel, restarted with 30 published while the window
        // was away: 20 of them are gone for good, and the live view says so in a gap row.
        const QString data = m_dir.filePath(QStringLiteral("gap-data"));
        const QStringList args{QStringLiteral("--retain-events"), QStringLiteral("10"), QStringLiteral("--data-dir"),
                               data};
        auto server = startHeadless(args, journalEnvironment());
        QVERIFY(server && server->port != 0);
        const quint16 port = server->port;
        OrdersWindow watching(QStringLiteral("short memory"), port);
        const auto &source = watching.source;
        MainWindow &window = watching.window;
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        for (int i = 0; i < 3; ++i)
            publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), i}});
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), expectedRows(QStringLiteral("orders"), 1, 3), 5000);

        // Down long enough for the backoff to reach 2 s, so the next 30 are published while away.
        server = restartOnSamePort(std::move(server), args, journalEnvironment(), *source, u"reconnecting in 2.0 s"_s);
        QVERIFY2(server, "the restarted server did not get its port back");
        for (int i = 3; i < 33; ++i)
            publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), i}});
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window).size(), 3 + 1 + 10, 10000);
        QCOMPARE(liveRows(window), expectedRows(QStringLiteral("orders"), 1, 3) + QStringList{u"GAP"_s} +
                                       expectedRows(QStringLiteral("orders"), 24, 33));
        const QString notice = gapNotice(window.liveView()->model()->eventAt(3));
        QVERIFY2(notice.contains(u"seq 4 to 23 of orders"_s) && notice.contains(u"no longer has them"_s),
                 qPrintable(notice));
        QCOMPARE(window.notices()->model()->rowCount(), 1);
        QCOMPARE(window.notices()->model()->noticeAt(0).kind, Notice::Kind::Gap);
        QCOMPARE(source->sequencer().eventsMissed(), 20);
    }

    // A window that uses no token has nothing to say about a keychain it could not read; one that
    // the server refuses for want of a token says the stored one could not be read (issue 30, item 7).
    void aKeychainThatCannotBeReadIsSaidOnlyWhenATokenIsWanted()
    {
        EngineHost engine(1000);
        TokenStore tokens;
        tokens.read = [](const QString &, QByteArray *) {
            return QStringLiteral("Failed to execute child process \"dbus-launch\"");
        };
        WindowManager windows(engine, ServerConfig{}, 1000, tokens);
        const auto closeAll = qScopeGuard([&windows] { qDeleteAll(windows.windows()); });

        auto open = startHeadless({});
        QVERIFY(open && open->port != 0);
        MainWindow *plain = windows.openConnection(followingOrders(QStringLiteral("open"), open->port), false);
        QVERIFY(plain);
        // Up (and so subscribed, by the upgrade itself) before the event is published: a first
        // connection shows what comes after it.
        QTRY_VERIFY_WITH_TIMEOUT(plain->urlLabel()->text().endsWith(u": connected"_s), 10000);
        publish(open->port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), 1}});
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(*plain), expectedRows(QStringLiteral("orders"), 1, 1), 10000);
        QVERIFY2(!plain->statusBar()->currentMessage().contains(u"keychain"_s),
                 qPrintable(plain->statusBar()->currentMessage()));

        auto secured = startSecured(0);
        QVERIFY(secured && secured->port != 0);
        RemoteProfile wantsToken = securedProfile(secured->port);
        wantsToken.token.clear();
        MainWindow *refused = windows.openConnection(wantsToken, false);
        QVERIFY(refused);
        QTRY_VERIFY_WITH_TIMEOUT(
            refused->statusBar()->currentMessage().contains(u"could not be read from the keychain"_s), 10000);
        QVERIFY(refused->statusBar()->currentMessage().contains(u"dbus-launch"_s));
    }

    // An in-memory server restarted on the same port begins its seqs again: the window says so in a
    // marker row, keeps what it showed, and shows every event of the new history — also those
    // published while it was away, and more of them than the old history had (issue 30, item 1).
    void aServerRestartedWithANewHistoryIsMarkedAndShownWhole()
    {
        auto server = startHeadless({}); // in memory: the test environment's CDCSCOPE_IN_MEMORY
        QVERIFY(server && server->port != 0);
        const quint16 port = server->port;
        OrdersWindow watching(QStringLiteral("restarting"), port);
        const auto &source = watching.source;
        MainWindow &window = watching.window;
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        for (int i = 0; i < 3; ++i)
            publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("old"), i}});
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), expectedRows(QStringLiteral("orders"), 1, 3), 5000);

        server = restartOnSamePort(std::move(server), {}, QProcessEnvironment::systemEnvironment(), *source,
                                   u"reconnecting"_s);
        QVERIFY2(server, "the restarted server did not get its port back");
        for (int i = 0; i < 5; ++i) // while the window is away: seq 1 to 5 of the new history
            publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("new"), i}});
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window).size(), 3 + 1 + 5, 10000);
        publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("new"), 5}}); // live
        const QStringList expected = expectedRows(QStringLiteral("orders"), 1, 3) + QStringList{u"GAP"_s} +
                                     expectedRows(QStringLiteral("orders"), 1, 6);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), expected, 10000);
        const QString notice = gapNotice(window.liveView()->model()->eventAt(3));
        QVERIFY2(notice.startsWith(u"RESTART: the server began a new history of orders"_s), qPrintable(notice));
        QCOMPARE(source->sequencer().eventsMissed(), 0);
        // Listed among the notices too, with its channel.
        const NoticesModel *notices = window.notices()->model();
        QCOMPARE(notices->rowCount(), 1);
        QCOMPARE(notices->noticeAt(0).kind, Notice::Kind::HistoryRestart);
        QCOMPARE(notices->noticeAt(0).where, u"orders"_s);
        QCOMPARE(notices->noticeAt(0).text, notice);
    }

    // A catch-up of many pages on a server that allows one travel a second: each rate_limited page
    // is asked again once the bucket refills, as the command line does; nothing is shown missing.
    void aRateLimitedCatchUpWaitsAndGoesOn()
    {
        const QString data = m_dir.filePath(QStringLiteral("slow-data"));
        const QStringList args{QStringLiteral("--travel-limit-max"), QStringLiteral("5"),
                               QStringLiteral("--max-travels-per-second"), QStringLiteral("1"),
                               QStringLiteral("--data-dir"), data};
        auto server = startHeadless(args, journalEnvironment());
        QVERIFY(server && server->port != 0);
        const quint16 port = server->port;
        OrdersWindow watching(QStringLiteral("strict"), port);
        const auto &source = watching.source;
        MainWindow &window = watching.window;
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), 0}});
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), expectedRows(QStringLiteral("orders"), 1, 1), 5000);

        server = restartOnSamePort(std::move(server), args, journalEnvironment(), *source, u"reconnecting"_s);
        QVERIFY2(server, "the restarted server did not get its port back");
        for (int i = 1; i <= 20; ++i) // four pages of 5 to catch up
            publish(port, QStringLiteral("orders"), QJsonObject{{QStringLiteral("n"), i}});
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window), expectedRows(QStringLiteral("orders"), 1, 21), 20000);
        QCOMPARE(source->sequencer().eventsMissed(), 0);
    }

    void aRefusedSubscribeIsSaidAndTravelsStillWork()
    {
        // A token that may read billing only, with orders asked for as well: the server refuses
        // that subscribe with an error frame, which must not be taken for a travel's answer.
        auto server = startSecured(0);
        QVERIFY(server && server->port != 0);
        RemoteProfile profile = securedProfile(server->port);
        profile.clientName = QStringLiteral("billing");
        profile.channels = {QStringLiteral("orders")};
        profile.token = billingSecret;
        EngineHost engine(1000);
        auto source = remoteSource(profile);
        MainWindow window(*source, engine, 1000);
        QSignalSpy notices(source.get(), &MonitorSource::noticed);
        QSignalSpy replays(source.get(), &MonitorSource::travelFinished);
        QSignalSpy failures(source.get(), &MonitorSource::travelFailed);
        source->open();
        // Asked at once: the travel waits for the subscribe's answer, then goes.
        source->travel({QStringLiteral("billing")}, {});
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(notices.size(), 1, 5000);
        QVERIFY2(notices.at(0).at(0).toString().contains(u"refused a subscribe: forbidden"_s),
                 qPrintable(notices.at(0).at(0).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(replays.size(), 1, 5000);
        QCOMPARE(failures.size(), 0);

        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(server->port);
        publishSeveral(base, QStringLiteral("billing"), 2, windowSecret);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(window).size(), 2, 5000);
        const qint64 first = window.liveView()->model()->eventAt(0).event.seq; // the journal has billing's past
        QCOMPARE(liveRows(window), expectedRows(QStringLiteral("billing"), first, first + 1));
    }

    void followsEveryChannelTheServerLists()
    {
        // `cdcscope --connect URL` on a headless CDC Scope: all of its traffic, as for this computer.
        auto server = startHeadless();
        QVERIFY(server && server->port != 0);
        EngineHost engine(1000);
        auto source = remoteSource(profileForConnectArgument(*std::make_unique<QSettings>(),
                                                             QStringLiteral("ws://127.0.0.1:%1").arg(server->port)));
        MainWindow window(*source, engine, 1000);
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().isUp(), 10000);
        publish(server->port, QStringLiteral("audit"), QJsonObject{{QStringLiteral("n"), 1}});
        QTRY_VERIFY_WITH_TIMEOUT(source->subscriptions().contains(u"audit"_s), 5000);
        // The server has the subscribe before the next event.
        QTRY_COMPARE_WITH_TIMEOUT(source->subscribesUnanswered(), 0, 5000);
        publish(server->port, QStringLiteral("audit"), QJsonObject{{QStringLiteral("n"), 2}});
        QTRY_VERIFY_WITH_TIMEOUT(liveRows(window).contains(u"audit#2"_s), 5000);
    }

    // A window watching a headless CDC Scope that streams from PostgreSQL marks the schema changes
    // the server noted (GET /channels/{id}/schema), lists its backfills and starts one (issue 31).
    void aRemoteServersSchemaChangesAndBackfillsAreShown()
    {
        PgCluster cluster;
        QVERIFY2(cluster.start(), qPrintable(cluster.error()));
        QVERIFY(cluster.sql(QStringLiteral("CREATE TABLE remote_rows (id integer PRIMARY KEY, organization_id text);"
                                           "INSERT INTO remote_rows VALUES (100, 'orders')")));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CDCSCOPE_PG_PASSWORD"), QLatin1String(PgCluster::password));
        environment.remove(QStringLiteral("DISPLAY"));
        auto server = startHeadless({QStringLiteral("--pg-dsn"), cluster.dsn(), QStringLiteral("--pg-tables"),
                                     QStringLiteral("public.remote_rows")},
                                    environment);
        QVERIFY2(server && server->port != 0, server ? server->log.constData() : "");
        QVERIFY(QTest::qWaitFor([&] { return sourceHealth(server->port).value(u"state"_s).toString() == u"streaming"; },
                                20000));
        OrdersWindow watching(QStringLiteral("pg"), server->port);
        QTRY_VERIFY_WITH_TIMEOUT(watching.source->status().isUp(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(watching.source->subscribesUnanswered(), 0, 5000);

        QVERIFY(cluster.sql(QStringLiteral("INSERT INTO remote_rows VALUES (1, 'orders');"
                                           "ALTER TABLE remote_rows ADD COLUMN note text;"
                                           "INSERT INTO remote_rows VALUES (2, 'orders', 'two')")));
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(watching.window),
                                  (QStringList{u"orders#1"_s, u"GAP"_s, u"orders#2"_s}), 10000);
        const EventRingModel *rows = watching.window.liveView()->model();
        QCOMPARE(rows->index(1, EventRingModel::PayloadColumn).data().toString(),
                 u"schema change: public.remote_rows — column note text added (before seq 2)"_s);

        // Sources ▸ Backfill table… on the remote server: the row that was there before, as a read.
        SourcesPanel *panel = watching.window.sourcesPanel();
        Q_EMIT panel->backfillRequested(u"remote_rows"_s);
        QTRY_COMPARE_WITH_TIMEOUT(panel->backfills()->rowCount(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(panel->backfills()->rowAt(0).state, u"done"_s, 10000);
        QCOMPARE(panel->backfills()->rowAt(0).rowsRead, 3);
        QTRY_COMPARE_WITH_TIMEOUT(liveRows(watching.window).size(), 6, 10000);
        // A refusal reads as the server said it.
        QSignalSpy noticed(watching.source.get(), &MonitorSource::noticed);
        watching.source->orderBackfill(u"remote_rows"_s, MonitorSource::BackfillCommand::Pause);
        QVERIFY(noticed.wait(10000));
        QVERIFY2(noticed.first().first().toString().contains(u"cannot be paused"), qPrintable(noticed.first().first().toString()));
    }

    void theConnectDialogNamesTheWrongField()
    {
        ConnectDialog dialog({});
        dialog.urlField()->setText(QStringLiteral("ftp://example.com"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.problem()->text().startsWith(u"URL:"_s), qPrintable(dialog.problem()->text()));
        dialog.urlField()->setText(QStringLiteral("wss://example.com"));
        dialog.clientField()->clear();
        dialog.accept();
        QVERIFY(dialog.problem()->text().startsWith(u"client name:"_s));
        dialog.clientField()->setText(QStringLiteral("billing"));
        dialog.tokenField()->setText(QStringLiteral("s3cret"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.profile().token, QByteArray("s3cret"));
        QCOMPARE(dialog.profile().name, QStringLiteral("wss://example.com"));
    }

    void wssToAPlainServerSaysUseWs()
    {
        auto server = startHeadless();
        QVERIFY(server && server->port != 0);
        RemoteProfile profile;
        profile.name = QStringLiteral("plain");
        profile.url = QStringLiteral("wss://127.0.0.1:%1/ws").arg(server->port);
        profile.clientName = QStringLiteral("orders");
        EngineHost engine(1000);
        auto source = remoteSource(profile);
        MainWindow window(*source, engine, 1000);
        source->open();
        QTRY_VERIFY_WITH_TIMEOUT(source->status().state == ConnectionStatus::State::Refused, 10000);
        QVERIFY2(source->status().text.contains(QStringLiteral("use ws://")), qPrintable(source->status().text));
    }
};

QTEST_MAIN(TestRemoteWindow)
#include "tst_remotewindow.moc"
