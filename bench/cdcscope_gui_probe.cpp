// cdcscope-gui-probe: the desktop window with its engine, plus a probe of the GUI thread's
// event-loop latency (how late a 10 ms timer fires). Prints the port it listens on, then after
// --seconds the latency percentiles, the live view's rows and the process RSS.
//   cdcscope-gui-probe [--seconds 15] [--rows 100000] [--inspect 1]
// --inspect 1: the inspector open as a user debugging a row would have it — a field filter on the
// live view (each event's payload read for it), the first event selected (the detail pane with its
// Change tab) and a row followed (each event of its channel read as a change for its timeline).
#include "EventFilterProxy.h"
#include "EventRingModel.h"
#include "EventTableView.h"
#include "FilterBar.h"
#include "LiveEventsView.h"
#include "MainWindow.h"
#include "MonitorSource.h"
#include "RowHistoryView.h"
#include "host/EngineHost.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

long residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    return -1;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    int seconds = 15;
    qsizetype rows = 100'000;
    bool inspect = false;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--seconds")
            seconds = args[i + 1].toInt();
        else if (args[i] == u"--rows")
            rows = args[i + 1].toLongLong();
        else if (args[i] == u"--inspect")
            inspect = args[i + 1] == u"1";
    }

    cdc::EngineHost engine(rows);
    cdc::MainWindow window(engine, rows);
    window.show();
    cdc::ServerConfig config;
    config.port = 0;
    QObject::connect(&engine, &cdc::EngineHost::listening, &app, [](const QUrl &url) {
        std::printf("port=%d\n", url.port());
        std::fflush(stdout);
    });
    engine.start(config);

    // The row to follow goes first into the load's channel; once the window shows it, it is
    // followed, selected, and the live view filtered by a field of the load's payloads.
    QTimer inspector;
    if (inspect) {
        QObject::connect(&engine, &cdc::EngineHost::listening, &app, [&window] {
            window.source().publish(
                {{QStringLiteral("steady"), QByteArrayLiteral("{\"op\":\"update\",\"schema\":\"public\",\"table\":"
                                                              "\"orders\",\"new\":{\"id\":42,\"amount\":2.50},"
                                                              "\"old\":{\"id\":42,\"amount\":1.50}}")}});
        });
        QObject::connect(&inspector, &QTimer::timeout, &app, [&] {
            cdc::LiveEventsView *live = window.liveView();
            if (live->model()->rowCount() == 0)
                return;
            inspector.stop();
            window.followRow(live->model()->eventAt(0));
            window.tabs()->setCurrentWidget(live);
            live->table()->selectRow(0);
            live->filterBar()->useFieldFilter(QStringLiteral("t < 50 or exists(op)"));
        });
        inspector.start(20);
    }

    std::vector<double> lateness;
    QElapsedTimer clock;
    clock.start();
    qint64 expected = 10;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.elapsed();
        lateness.push_back(double(std::max<qint64>(0, now - expected)));
        expected = now + 10;
    });
    probe.start(10);

    QTimer::singleShot(seconds * 1000, &app, [&] {
        std::sort(lateness.begin(), lateness.end());
        const auto at = [&](double p) {
            return lateness.empty() ? 0.0 : lateness[size_t(p * double(lateness.size() - 1))];
        };
        // What the inspector had in hand: the rows the filter let through, the followed row's changes.
        const auto *followed = window.tabs()->findChild<cdc::RowHistoryView *>();
        std::printf(
            "scenario=gui inspect=%d loop_samples=%zu loop_p50_ms=%.1f loop_p99_ms=%.1f loop_max_ms=%.1f view_rows=%d "
            "shown_rows=%d followed_changes=%lld rss_mib=%.1f\n",
            int(inspect), lateness.size(), at(0.5), at(0.99), at(1.0), window.liveView()->model()->rowCount(),
            window.liveView()->proxy()->rowCount(),
            static_cast<long long>(followed ? followed->timeline().versions().size() : 0),
            double(residentKiB()) / 1024.0);
        std::fflush(stdout);
        app.quit();
    });
    return QApplication::exec();
}
