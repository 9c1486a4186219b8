// cdcscope-gui-probe: the desktop window with its engine, plus a probe of the GUI thread's
// event-loop latency (how late a 10 ms timer fires; its maximum is the longest GUI-thread stall).
//   cdcscope-gui-probe [--seconds 15] [--rows 100000] [--inspect 1]
//       Prints the port it listens on, then after --seconds the latency percentiles, the live
//       view's rows and the process RSS (load comes from outside: cdcscope-bench steady).
//   --inspect 1: the inspector open as a user debugging a row would have it — a field filter on the
//       live view (each event's payload read for it), the first event selected (the detail pane with its
//       Change tab) and a row followed (each event of its channel read as a change for its timeline).
//   cdcscope-gui-probe --scenario large [--megabytes 15]
//       One Debezium-shaped event of that size is published, shown, then selected: the longest
//       stall from the selection until its JSON tree shows, and how long that took.
//   cdcscope-gui-probe --scenario filter [--rows 100000]
//       The live view is filled with that many rows, then a word is typed into its filter one key
//       every 80 ms while 2 000 events/s keep arriving: the longest stall from the first key until
//       the filter applies, and how long after the last key it applied.
#include "EventDetailPane.h"
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
#include <QLineEdit>
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

// How late a 10 ms timer fires on the GUI thread while measuring: its maximum is the longest
// stretch the window could not answer.
class LoopLateness
{
public:
    LoopLateness()
    {
        m_probe.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_probe, &QTimer::timeout, [this] {
            const qint64 now = m_clock.elapsed();
            m_lateness.push_back(double(std::max<qint64>(0, now - m_expected)));
            m_expected = now + 10;
        });
    }
    void start()
    {
        m_lateness.clear();
        m_clock.start();
        m_expected = 10;
        m_probe.start(10);
    }
    void stop() { m_probe.stop(); }
    double at(double fraction)
    {
        std::sort(m_lateness.begin(), m_lateness.end());
        return m_lateness.empty() ? 0.0 : m_lateness[size_t(fraction * double(m_lateness.size() - 1))];
    }
    size_t samples() const { return m_lateness.size(); }

private:
    QTimer m_probe;
    QElapsedTimer m_clock;
    qint64 m_expected = 10;
    std::vector<double> m_lateness;
};

cdc::PublishBatch rowsBatch(int first, int count)
{
    cdc::PublishBatch batch;
    for (int n = first; n < first + count; ++n)
        batch.append({QStringLiteral("orders"),
                      QByteArrayLiteral("{\"op\":\"update\",\"schema\":\"public\",\"table\":\"orders\",\"new\":{\"id\":")
                          + QByteArray::number(n) + ",\"note\":\"" + (n % 1000 == 7 ? "refund asked" : "shipped")
                          + "\",\"amount\":12.50},\"old\":{\"id\":" + QByteArray::number(n) + ",\"amount\":10.00}}"});
    return batch;
}

// A Debezium envelope of about `bytes`: a long text column and many small nested items.
QByteArray largeEnvelope(qsizetype bytes)
{
    QByteArray items;
    for (int i = 0; items.size() < bytes / 3; ++i)
        items += (i ? "," : "") + QByteArray("{\"sku\":\"A-") + QByteArray::number(i) + "\",\"qty\":" + QByteArray::number(i % 7) + "}";
    const QByteArray text(bytes - items.size() - 200, 'x');
    return "{\"op\":\"u\",\"source\":{\"schema\":\"public\",\"table\":\"documents\"},\"before\":{\"id\":1},"
           "\"after\":{\"id\":1,\"body\":\""
           + text + "\",\"items\":[" + items + "]}}";
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    int seconds = 15;
    qsizetype rows = 100'000;
    bool inspect = false;
    QString scenario = QStringLiteral("steady");
    int megabytes = 15;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--seconds")
            seconds = args[i + 1].toInt();
        else if (args[i] == u"--rows")
            rows = args[i + 1].toLongLong();
        else if (args[i] == u"--inspect")
            inspect = args[i + 1] == u"1";
        else if (args[i] == u"--scenario")
            scenario = args[i + 1];
        else if (args[i] == u"--megabytes")
            megabytes = args[i + 1].toInt();
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
    cdc::LiveEventsView *live = window.liveView();
    LoopLateness lateness;
    QElapsedTimer since;
    QTimer step;

    if (scenario == u"large") {
        // Published, shown, then selected: measured from the selection until the tree is on screen.
        QObject::connect(&engine, &cdc::EngineHost::listening, &app, [&] {
            window.source().publish({{QStringLiteral("documents"), largeEnvelope(qsizetype(megabytes) * 1024 * 1024)}});
        });
        QObject::connect(&step, &QTimer::timeout, &app, [&] {
            if (live->model()->rowCount() == 0)
                return;
            step.stop();
            QTimer::singleShot(500, &app, [&] { // the row drawn and settled
                lateness.start();
                since.start();
                live->table()->selectRow(0);
            });
        });
        QObject::connect(live->detail(), &cdc::EventDetailPane::shown, &app, [&] {
            const qint64 opened = since.elapsed();
            QTimer::singleShot(300, &app, [&, opened] { // the tree's first paint included
                lateness.stop();
                std::printf("scenario=large megabytes=%d opened_ms=%lld loop_samples=%zu loop_p50_ms=%.1f "
                            "loop_max_ms=%.1f rss_mib=%.1f\n",
                            megabytes, static_cast<long long>(opened), lateness.samples(), lateness.at(0.5),
                            lateness.at(1.0), double(residentKiB()) / 1024.0);
                std::fflush(stdout);
                app.quit();
            });
        });
        step.start(20);
        return QApplication::exec();
    }

    if (scenario == u"filter") {
        // Filled to `rows`, then 2 000 events/s while "refund" is typed a key every 80 ms.
        int published = 0;
        int typed = 0;
        const QString word = QStringLiteral("refund");
        QTimer load;
        QObject::connect(&engine, &cdc::EngineHost::listening, &app, [&] {
            for (; published < rows; published += 5000)
                window.source().publish(rowsBatch(published, 5000));
        });
        QObject::connect(&load, &QTimer::timeout, &app, [&] {
            window.source().publish(rowsBatch(published, 40));
            published += 40;
        });
        QObject::connect(&step, &QTimer::timeout, &app, [&] {
            if (typed == 0 && live->model()->rowCount() < rows)
                return;
            if (typed == 0) {
                load.start(20);
                lateness.start();
            }
            if (typed < word.size()) {
                live->textFilter()->insert(word.mid(typed++, 1));
                since.start();
                return;
            }
            if (live->proxy()->isFiltering())
                return;
            step.stop();
            const qint64 applied = since.elapsed();
            QTimer::singleShot(300, &app, [&, applied] {
                lateness.stop();
                load.stop();
                std::printf("scenario=filter rows=%d applied_after_last_key_ms=%lld shown_rows=%d loop_samples=%zu "
                            "loop_p50_ms=%.1f loop_p99_ms=%.1f loop_max_ms=%.1f rss_mib=%.1f\n",
                            live->model()->rowCount(), static_cast<long long>(applied), live->proxy()->rowCount(),
                            lateness.samples(), lateness.at(0.5), lateness.at(0.99), lateness.at(1.0),
                            double(residentKiB()) / 1024.0);
                std::fflush(stdout);
                app.quit();
            });
        });
        step.start(80);
        return QApplication::exec();
    }

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

    lateness.start();
    QTimer::singleShot(seconds * 1000, &app, [&] {
        lateness.stop();
        // What the inspector had in hand: the rows the filter let through, the followed row's changes.
        const auto *followed = window.tabs()->findChild<cdc::RowHistoryView *>();
        std::printf(
            "scenario=gui inspect=%d loop_samples=%zu loop_p50_ms=%.1f loop_p99_ms=%.1f loop_max_ms=%.1f view_rows=%d "
            "shown_rows=%d followed_changes=%lld rss_mib=%.1f\n",
            int(inspect), lateness.samples(), lateness.at(0.5), lateness.at(0.99), lateness.at(1.0),
            live->model()->rowCount(), live->proxy()->rowCount(),
            static_cast<long long>(followed ? followed->timeline().versions().size() : 0),
            double(residentKiB()) / 1024.0);
        std::fflush(stdout);
        app.quit();
    });
    return QApplication::exec();
}
