#include "MainWindow.h"

#include "CaptureCompareView.h"
#include "CaptureRecorder.h"
#include "ConfigFile.h"
#include "ConnectDialog.h"
#include "EmbeddedSource.h"
#include "EventDetailPane.h"
#include "EventTableView.h"
#include "EventRingModel.h"
#include "EventTimingView.h"
#include "ListenBanner.h"
#include "LiveEventsView.h"
#include "MaskSettings.h"
#include "OfferedView.h"
#include "NoticesView.h"
#include "PinnedEventsView.h"
#include "PublishDialog.h"
#include "RowHistoryView.h"
#include "SettingsDialog.h"
#include "SourcesPanel.h"
#include "Theme.h"
#include "ThroughputChart.h"
#include "TimeDisplay.h"
#include "TravelPanel.h"
#include "TravelResultView.h"
#include "WelcomePage.h"
#include "host/EngineHost.h"
#include "inspect/ChangeReading.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDialog>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace cdc {

MainWindow::MainWindow(EngineHost &engine, qsizetype liveViewRows, QWidget *parent)
    : MainWindow(*new EmbeddedSource(engine), engine, liveViewRows, parent)
{
    m_source.setParent(this);
}

MainWindow::MainWindow(MonitorSource &source, EngineHost &engine, qsizetype liveViewRows, QWidget *parent)
    : QMainWindow(parent)
    , m_source(source)
    , m_engine(engine)
    , m_liveViewRows(liveViewRows)
    , m_live(new LiveEventsView(liveViewRows, this))
    , m_notices(new NoticesView(this))
    , m_chart(new ThroughputChart(this))
    , m_tabs(new QTabWidget(this))
    , m_banner(new ListenBanner(this))
    , m_travel(new TravelPanel(this))
    , m_sources(new SourcesPanel(this))
    , m_channels(makeChannelsModel(this))
    , m_clients(makeClientsModel(this))
    , m_cluster(makeClusterModel(this))
    , m_url(new QLabel(this))
    , m_clientCount(new QLabel(this))
    , m_channelCount(new QLabel(this))
    , m_rate(new QLabel(this))
    , m_journal(new QLabel(this))
    , m_recording(new QLabel(this))
    , m_channelsNotice(new QLabel(this))
    , m_recorder(new CaptureRecorder(this))
{
    setWindowTitle(tr("CDC Scope"));
    setObjectName(QStringLiteral("mainWindow"));
    m_tabs->addTab(m_live, tr("Live events"));
    m_tabs->addTab(m_chart, tr("Throughput"));
    m_tabs->setTabsClosable(true);
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(1, QTabBar::RightSide, nullptr);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (index > 1)
            delete m_tabs->widget(index);
    });
    // The keys every tabbed program has: Ctrl+Tab / Ctrl+Shift+Tab go round, Ctrl+W closes a
    // result tab (the live view and the chart stay).
    const auto stepTabs = [this](int step) {
        m_tabs->setCurrentIndex((m_tabs->currentIndex() + step + m_tabs->count()) % m_tabs->count());
    };
    const auto tabKey = [this](const QKeySequence &keys, const QString &what, auto run) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setWhatsThis(what); // Help > Keyboard shortcuts lists it
        connect(shortcut, &QShortcut::activated, this, run);
    };
    tabKey(QKeySequence(Qt::CTRL | Qt::Key_Tab), tr("Next tab"), [stepTabs] { stepTabs(1); });
    tabKey(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab), tr("Previous tab"), [stepTabs] { stepTabs(-1); });
    tabKey(QKeySequence(Qt::CTRL | Qt::Key_W), tr("Close the result tab"),
           [this] { Q_EMIT m_tabs->tabCloseRequested(m_tabs->currentIndex()); });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs);
    setCentralWidget(central);

    buildDocks();
    buildActions();
    buildStatusBar();

    connect(&m_source, &MonitorSource::eventsArrived, m_live, &LiveEventsView::append);
    // The live view's detail pane says where each event's time went (docs/latency.md).
    m_live->detail()->enableTiming();
    connect(m_live->detail()->timing(), &EventTimingView::timesWanted, &m_source, &MonitorSource::requestEventTimes);
    connect(&m_source, &MonitorSource::eventTimesArrived, m_live->detail()->timing(), &EventTimingView::answer);
    connect(&m_source, &MonitorSource::eventsArrived, m_recorder, &CaptureRecorder::record);
    connect(&m_source, &MonitorSource::snapshotTaken, this, &MainWindow::onSnapshot);
    connect(&m_source, &MonitorSource::snapshotTaken, m_notices, &NoticesView::takeSnapshot);
    connect(&m_source, &MonitorSource::eventsArrived, m_notices, &NoticesView::takeEvents);
    connect(&m_source, &MonitorSource::statusChanged, m_notices, &NoticesView::takeStatus);
    connect(m_sources, &SourcesPanel::backfillRequested, this,
            [this](const QString &table) { m_source.orderBackfill(table, MonitorSource::BackfillCommand::Start); });
    connect(m_sources, &SourcesPanel::backfillActionRequested, this,
            [this](const QString &table, SourcesPanel::BackfillAction action) {
                m_source.orderBackfill(table, action == SourcesPanel::BackfillAction::Pause    ? MonitorSource::BackfillCommand::Pause
                                              : action == SourcesPanel::BackfillAction::Resume ? MonitorSource::BackfillCommand::Resume
                                                                                               : MonitorSource::BackfillCommand::Cancel);
            });
    connect(&m_source, &MonitorSource::statusChanged, this, &MainWindow::onStatus);
    connect(&m_source, &MonitorSource::offersChanged, this, &MainWindow::onOffers);
    connect(&m_source, &MonitorSource::travelFinished, this, &MainWindow::onTravelFinished);
    connect(&m_source, &MonitorSource::travelFailed, this, [this](int requestId, const QString &error) {
        if (m_pendingTravels.remove(requestId))
            statusBar()->showMessage(tr("Replay failed: %1").arg(error), 10000);
    });
    connect(&m_source, &MonitorSource::noticed, this,
            [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    connect(m_recorder, &CaptureRecorder::failed, this, [this](const QString &error) {
        m_recordAction->setChecked(false);
        m_recording->clear();
        statusBar()->showMessage(error, 10000);
    });
    connect(&m_source, &MonitorSource::published, this,
            [this](const QList<AppendReceipt> &receipts, const QString &error) {
                if (!error.isEmpty())
                    statusBar()->showMessage(tr("Not published: %1").arg(error), 10000);
                else if (receipts.size() == 1)
                    statusBar()->showMessage(
                        tr("Published to %1 as seq %2").arg(receipts.front().channel).arg(receipts.front().seq), 5000);
            });
    connect(m_travel, &TravelPanel::replayRequested, this, &MainWindow::replay);
    connect(m_travel, &TravelPanel::refused, this, [this](const QString &why) { statusBar()->showMessage(why, 10000); });
    m_travel->showTimesInUtc(TimeDisplay::isUtc());
    connect(m_live, &LiveEventsView::republishRequested, this, [this](const LiveEvent &event) {
        openPublishDialog()->prefill(event.channel, event.event.payload().toByteArray());
    });
    connect(m_live, &LiveEventsView::followRowRequested, this, &MainWindow::followRow);
    connect(m_live, &LiveEventsView::pinRequested, this, &MainWindow::pinRow);
    connect(m_live, &LiveEventsView::unpinRequested, this, &MainWindow::unpinRow);
    connect(&m_engine, &EngineHost::exported, this, [this](const QString &path, qint64 events, const QString &error) {
        statusBar()->showMessage(
            error.isEmpty() ? tr("Exported %n event(s) to %1", nullptr, int(events)).arg(path) : error, 8000);
    });
    connect(&m_engine, &EngineHost::imported, this,
            [this](const QString &path, qint64 events, qint64 skipped, const QString &error) {
                statusBar()->showMessage(
                    error.isEmpty()
                        ? tr("Imported %1 event(s) from %2; %3 line(s) skipped").arg(events).arg(path).arg(skipped)
                        : error,
                    8000);
            });
    connect(m_banner, &ListenBanner::listenRequested, this, [this](quint16 port) {
        ServerConfig config = m_engine.config();
        config.port = port;
        m_engine.start(config);
    });
    m_travel->setMaxLimit(m_source.maxTravelLimit());
    onOffers(m_source.offers());
    onStatus(m_source.status());

    // 1200×800, or less on a smaller screen: the status bar must be on screen before maximising.
    const QRect screen = this->screen()->availableGeometry();
    resize(std::min(1200, screen.width() * 95 / 100), std::min(800, screen.height() * 88 / 100));
    connect(&Theme::instance(), &Theme::changed, this, [this] { onStatus(m_source.status()); });
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::buildDocks()
{
    m_channelsTable = makeSnapshotTable(m_channels, this);
    m_channelsTable->horizontalHeader()->resizeSection(0, m_channelsTable->fontMetrics().horizontalAdvance(QStringLiteral("dbz.inventory.customers")) + 16);
    m_channelsTable->setObjectName(QStringLiteral("channelsTable"));
    // A plain server of the protocol tells nothing about its channels: the table shows what was seen.
    auto *channelsPane = new QWidget(this);
    auto *channelsLayout = new QVBoxLayout(channelsPane);
    channelsLayout->setContentsMargins(0, 0, 0, 0);
    m_channelsNotice->setObjectName(QStringLiteral("channelsNotice"));
    m_channelsNotice->setWordWrap(true);
    m_channelsNotice->setMargin(4);
    channelsLayout->addWidget(m_channelsNotice);
    channelsLayout->addWidget(m_channelsTable);
    auto *channelsDock = new QDockWidget(tr("Channels"), this);
    channelsDock->setObjectName(QStringLiteral("channelsDock"));
    channelsDock->setWidget(channelsPane);
    addDockWidget(Qt::LeftDockWidgetArea, channelsDock);

    m_clientsTable = makeSnapshotTable(m_clients, this);
    m_clientsTable->setObjectName(QStringLiteral("clientsTable"));
    m_clientsTable->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *disconnect = new QAction(tr("Disconnect client"), m_clientsTable);
    disconnect->setObjectName(QStringLiteral("disconnectClientAction"));
    connect(disconnect, &QAction::triggered, this, &MainWindow::disconnectSelectedClient);
    m_clientsTable->addAction(disconnect);
    auto *clientsDock = new QDockWidget(tr("Clients"), this);
    clientsDock->setObjectName(QStringLiteral("clientsDock"));
    m_clientsView = new OfferedView(m_clientsTable, QStringLiteral("clientsView"), this);
    clientsDock->setWidget(m_clientsView);
    addDockWidget(Qt::LeftDockWidgetArea, clientsDock);

    auto *travelDock = new QDockWidget(tr("Travel"), this);
    travelDock->setObjectName(QStringLiteral("travelDock"));
    travelDock->setWidget(m_travel);
    addDockWidget(Qt::LeftDockWidgetArea, travelDock);
    auto *sourcesDock = new QDockWidget(tr("Sources"), this);
    sourcesDock->setObjectName(QStringLiteral("sourcesDock"));
    m_sourcesView = new OfferedView(m_sources, QStringLiteral("sourcesView"), this);
    sourcesDock->setWidget(m_sourcesView);
    addDockWidget(Qt::LeftDockWidgetArea, sourcesDock);
    tabifyDockWidget(clientsDock, sourcesDock);
    // Cluster mode (--redis): the instances sharing the channels, as they announce themselves.
    auto *clusterTable = makeSnapshotTable(m_cluster, this);
    clusterTable->setObjectName(QStringLiteral("clusterTable"));
    m_clusterDock = new QDockWidget(tr("Cluster"), this);
    m_clusterDock->setObjectName(QStringLiteral("clusterDock"));
    m_clusterDock->setWidget(clusterTable);
    addDockWidget(Qt::LeftDockWidgetArea, m_clusterDock);
    tabifyDockWidget(clientsDock, m_clusterDock);
    m_clusterDock->hide();
    m_noticesDock = new QDockWidget(tr("Notices"), this);
    m_noticesDock->setObjectName(QStringLiteral("noticesDock"));
    m_noticesDock->setWidget(m_notices);
    addDockWidget(Qt::LeftDockWidgetArea, m_noticesDock);
    tabifyDockWidget(clientsDock, m_noticesDock);
    clientsDock->raise();
    resizeDocks({channelsDock}, {460}, Qt::Horizontal);
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newWindow = file->addAction(tr("&New window"), this, &MainWindow::newWindowRequested);
    newWindow->setShortcut(QKeySequence::New);
    QAction *connectAction = file->addAction(tr("&Connect…"), this, &MainWindow::openConnectDialog);
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recent = file->addMenu(tr("&Recent connections"));
    m_recent->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recent, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    QAction *publish = file->addAction(tr("&Publish event…"), this, &MainWindow::openPublishDialog);
    publish->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_recordAction = file->addAction(tr("&Record to capture…"));
    m_recordAction->setObjectName(QStringLiteral("recordAction"));
    m_recordAction->setCheckable(true);
    connect(m_recordAction, &QAction::triggered, this, [this](bool on) {
        QString path;
        if (on)
            path = QFileDialog::getSaveFileName(this, tr("Record what this window receives"),
                                                QStringLiteral("recording.jsonl"), tr("JSON Lines (*.jsonl)"));
        const QString error = recordTo(path);
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("Cannot record"), error);
    });
    QAction *exportAction = file->addAction(tr("&Export capture…"), this, [this] {
        const QString channel = selectedChannel();
        const QString path = QFileDialog::getSaveFileName(
            this, channel.isEmpty() ? tr("Export every channel") : tr("Export channel %1").arg(channel),
            (channel.isEmpty() ? QStringLiteral("capture") : channel) + QStringLiteral(".jsonl"),
            tr("JSON Lines (*.jsonl)"));
        if (!path.isEmpty())
            exportCaptureTo(path);
    });
    m_engineActions.append(exportAction);
    file->addAction(tr("&Import capture into this computer…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import a capture"), QString(),
                                                          tr("JSON Lines (*.jsonl *.ndjson);;All files (*)"));
        if (path.isEmpty())
            return;
        bool ok = false;
        const double speed = QInputDialog::getDouble(
            this, tr("Import a capture"), tr("Speed (0: as fast as possible, 1: as recorded, 2: twice as fast)"), 0, 0,
            1000, 2, &ok);
        if (ok)
            importCaptureFrom(path, speed);
    });
    file->addAction(tr("Co&mpare two captures…"), this, [this] {
        const QString filter = tr("JSON Lines (*.jsonl *.ndjson);;All files (*)");
        const QString a = QFileDialog::getOpenFileName(this, tr("Compare: capture A (expected)"), QString(), filter);
        if (a.isEmpty())
            return;
        const QString b = QFileDialog::getOpenFileName(this, tr("Compare: capture B (actual)"), QString(), filter);
        if (!b.isEmpty())
            compareCaptures(a, b);
    });
    file->addSeparator();
    m_engineActions.append(file->addAction(tr("&Settings…"), this, &MainWindow::openSettingsDialog));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *filter = view->addAction(tr("&Filter events"), m_live, &LiveEventsView::focusFilter);
    filter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    QAction *pause = view->addAction(tr("&Pause / resume"), m_live, &LiveEventsView::togglePause);
    pause->setShortcut(QKeySequence(Qt::Key_Space));
    pause->setObjectName(QStringLiteral("pauseAction"));
    QAction *clear = view->addAction(tr("&Clear events"), m_live, &LiveEventsView::clear);
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    QAction *replay = view->addAction(tr("&Replay"), m_travel, &TravelPanel::requestReplay);
    replay->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction *utc = view->addAction(tr("Times in &UTC"));
    utc->setObjectName(QStringLiteral("utcAction"));
    utc->setCheckable(true);
    utc->setChecked(TimeDisplay::isUtc());
    utc->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U));
    connect(utc, &QAction::toggled, this, &MainWindow::showTimesInUtc);
    QAction *mask = view->addAction(tr("&Mask fields…"), this, [this] {
        bool ok = false;
        const QString patterns = QInputDialog::getText(
            this, tr("Mask fields"),
            tr("Field names whose values are hidden in the view, copies, recordings and exports\n(wildcards, "
               "comma-separated; empty: none), e.g. *password*, card_number, email"),
            QLineEdit::Normal, MaskSettings::current().patterns().join(QStringLiteral(", ")), &ok);
        if (ok)
            maskFields(patterns.split(u',', Qt::SkipEmptyParts));
    });
    mask->setObjectName(QStringLiteral("maskAction"));
    QMenu *themeMenu = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(themeMenu);
    const std::pair<Theme::Choice, QString> choices[] = {{Theme::Choice::System, tr("Follow the &system")},
                                                         {Theme::Choice::Light, tr("&Light")},
                                                         {Theme::Choice::Dark, tr("&Dark")}};
    for (const auto &entry : choices) {
        const Theme::Choice choice = entry.first;
        QAction *action = themeMenu->addAction(entry.second);
        action->setObjectName(QStringLiteral("theme_%1").arg(themeChoiceName(choice)));
        action->setCheckable(true);
        action->setChecked(Theme::instance().choice() == choice);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [choice] { Theme::instance().setChoice(choice); });
    }
    m_subscribeAction = view->addAction(tr("&Subscribe to channel…"), this, [this] {
        bool ok = false;
        const QString channel =
            QInputDialog::getText(this, tr("Subscribe"), tr("Channel (organization_id):"), QLineEdit::Normal, {}, &ok);
        if (ok)
            subscribeTo(channel);
    });
    view->addSeparator();
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    keys->setObjectName(QStringLiteral("shortcutsAction"));
    help->addAction(tr("&About CDC Scope"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    m_url->setObjectName(QStringLiteral("urlLabel"));
    m_url->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
    m_url->setToolTip(tr("Click to copy the WebSocket URL"));
    m_url->setText(tr("starting…"));
    connect(m_url, &QLabel::linkActivated, this, [this](const QString &link) {
        QApplication::clipboard()->setText(link);
        statusBar()->showMessage(tr("Copied %1").arg(link), 3000);
    });
    statusBar()->addPermanentWidget(m_url);
    statusBar()->addPermanentWidget(m_clientCount);
    statusBar()->addPermanentWidget(m_channelCount);
    statusBar()->addPermanentWidget(m_rate);
    m_journal->setObjectName(QStringLiteral("journalLabel"));
    statusBar()->addPermanentWidget(m_journal);
    m_recording->setObjectName(QStringLiteral("recordingLabel"));
    statusBar()->addPermanentWidget(m_recording);
    statusBar()->addPermanentWidget(m_notices->badge());
    connect(m_notices->badge(), &QToolButton::clicked, this, [this] {
        m_noticesDock->show();
        m_noticesDock->raise();
    });
}

void MainWindow::onSnapshot(const EngineSnapshot &snapshot)
{
    if (!snapshot.schemaChanges.isEmpty())
        for (RowHistoryView *history : m_tabs->findChildren<RowHistoryView *>())
            history->noteSchemaChanges(snapshot.schemaChanges);
    for (const SchemaNote &note : snapshot.schemaChanges) {
        m_live->noteSchemaChange(note);
        m_schemaNotes.append(note); // for replays
        if (m_schemaNotes.size() > SchemaLog::perChannel)
            m_schemaNotes.removeFirst();
    }
    m_channels->setRows(snapshot.channels);
    m_clients->setRows(snapshot.clients);
    m_sources->setSources(snapshot.sources);
    m_cluster->setRows(snapshot.cluster);
    if (!snapshot.cluster.isEmpty() && !m_clusterDockShown) {
        // Shown once when the engine joins a cluster; the user may close it again.
        m_clusterDockShown = true;
        m_clusterDock->show();
    }
    m_chart->addSnapshot(snapshot);
    const QStringList channels = knownChannels();
    m_live->setKnownChannels(channels);
    m_travel->setKnownChannels(channels);
    m_clientCount->setText(tr("%n client(s)", nullptr, int(snapshot.clients.size())));
    m_channelCount->setText(tr("%n channel(s)", nullptr, int(snapshot.channels.size())));
    m_rate->setText(tr("%1 events/s").arg(m_chart->latestEventsPerSecond(), 0, 'f', 0));
    if (m_recorder->isRecording())
        m_recording->setText(tr("● recording %n event(s)", nullptr, int(m_recorder->recorded())));
    m_journal->setText(snapshot.journalPath.isEmpty() ? tr("in memory only")
                                                      : tr("journal %1").arg(formatBytes(snapshot.journalBytes)));
    m_journal->setToolTip(snapshot.journalPath.isEmpty() ? tr("No journal (--in-memory): a restart forgets the events")
                                                         : tr("Events are kept in %1").arg(snapshot.journalPath));
    if (!snapshot.journalError.isEmpty()) {
        // Publishing is refused (507) until the disk has room again; everything else goes on.
        m_journal->setText(QStringLiteral("<span style=\"color:%2\">%1</span>")
                               .arg(tr("journal cannot write: publishing refused").toHtmlEscaped(), errorColour()));
        m_journal->setToolTip(snapshot.journalError);
    }
}

QStringList MainWindow::knownChannels() const
{
    QStringList channels;
    for (int row = 0; row < m_channels->rowCount(); ++row)
        channels.append(m_channels->rowAt(row).id);
    return channels;
}

void MainWindow::onStatus(const ConnectionStatus &status)
{
    const bool embedded = m_source.offers().engineControl;
    const QString where = status.url.toString();
    if (status.state == ConnectionStatus::State::NotListening) {
        m_url->setText(tr("not listening"));
        m_banner->showProblem(status.text, m_engine.config().port);
        return;
    }
    m_banner->hide();
    if (status.url.isValid())
        m_live->welcome()->setServer(status.url);
    if (embedded) {
        m_url->setText(status.isUp() ? QStringLiteral("<a href=\"%1\" style=\"color:%2\">%1</a>")
                                           .arg(where.toHtmlEscaped(), linkColour())
                                     : tr("starting…"));
        if (status.isUp())
            setWindowTitle(tr("CDC Scope — %1").arg(where));
        return;
    }
    // A remote server: which one, and how the connection stands, in words.
    QString text = QStringLiteral("<a href=\"%1\" style=\"color:%4\">%2</a>: %3")
                       .arg(where.toHtmlEscaped(), m_source.title().toHtmlEscaped(), status.text.toHtmlEscaped(),
                            linkColour());
    if (status.state == ConnectionStatus::State::Refused)
        text = QStringLiteral("<span style=\"color:%2\">%1</span>").arg(text, errorColour());
    else if (status.state == ConnectionStatus::State::Reconnecting)
        text = QStringLiteral("<span style=\"color:%2\">%1</span>").arg(text, warningColour());
    m_url->setText(text);
    m_url->setToolTip(status.text);
    setWindowTitle(tr("CDC Scope — %1 (%2)").arg(m_source.title(), where));
}

void MainWindow::onOffers(const SourceOffers &offers)
{
    const QString reason = offers.missingReason.isEmpty()
                               ? tr("This server does not offer it.")
                               : tr("This server does not offer it: %1.").arg(offers.missingReason);
    m_clientsView->setOffered(offers.clients, reason);
    m_sourcesView->setOffered(offers.sources, reason);
    m_channelsNotice->setText(tr("Buffer depth and subscribers are not offered by this server; the channels are "
                                 "the ones subscribed and seen."));
    m_channelsNotice->setVisible(!offers.bufferDepth);
    for (QAction *action : std::as_const(m_engineActions))
        action->setVisible(offers.engineControl);
    m_subscribeAction->setVisible(!offers.engineControl);
    m_journal->setVisible(offers.engineControl);
    m_clientCount->setVisible(offers.clients);
}

void MainWindow::replay(const QStringList &channels, const TravelWindow &window)
{
    m_pendingTravels.insert(m_source.travel(channels, window), {channels, window, nullptr});
}

CaptureCompareView *MainWindow::compareCaptures(const QString &pathA, const QString &pathB)
{
    auto *view = new CaptureCompareView(pathA, pathB, m_tabs);
    m_tabs->setCurrentIndex(
        m_tabs->addTab(view, tr("%1 ↔ %2").arg(QFileInfo(pathA).fileName(), QFileInfo(pathB).fileName())));
    return view;
}

RowHistoryView *MainWindow::followRow(const LiveEvent &event)
{
    const auto change = readChange(event.event.payload());
    if (!change || change->key.isEmpty() || change->operation == u"truncate") {
        statusBar()->showMessage(tr("This event is not a change of a row with a key: there is no row to follow"), 8000);
        return nullptr;
    }
    QList<LiveEvent> seen;
    for (int row = 0; row < m_live->model()->rowCount(); ++row)
        seen.append(m_live->model()->eventAt(row));
    auto *view = new RowHistoryView(m_source, event.channel, {change->table, change->key}, seen, m_tabs);
    view->noteSchemaChanges(m_schemaNotes);
    m_tabs->setCurrentIndex(m_tabs->addTab(view, tr("Row %1 %2").arg(change->table, change->key)));
    return view;
}

void MainWindow::pinRow(const LiveEvent &event, quint64 liveSerial)
{
    if (!m_pinned) {
        m_pinned = new PinnedEventsView(m_tabs);
        m_tabs->insertTab(1, m_pinned, tr("Pinned"));
        connect(m_pinned, &PinnedEventsView::unpinned, this,
                [this](quint64 serial) { m_live->model()->setPinned(serial, false); });
        connect(m_pinned, &PinnedEventsView::countChanged, this, [this](qsizetype count) {
            m_tabs->setTabText(m_tabs->indexOf(m_pinned), tr("Pinned (%1)").arg(count));
        });
    }
    if (!m_pinned->pin(event, liveSerial)) {
        statusBar()->showMessage(
            tr("%1 rows are pinned already: unpin one first").arg(PinnedEventsView::maxPins), 8000);
        return;
    }
    m_live->model()->setPinned(liveSerial, true);
}

void MainWindow::unpinRow(quint64 liveSerial)
{
    m_live->model()->setPinned(liveSerial, false);
    if (m_pinned)
        m_pinned->unpin(liveSerial);
}

void MainWindow::onTravelFinished(int requestId, const TravelResult &result)
{
    if (!m_pendingTravels.contains(requestId))
        return; // a row history's travel
    const auto pending = m_pendingTravels.take(requestId);
    if (pending.page) {
        pending.page->showResult(pending.window, result);
        return;
    }
    auto *view = new TravelResultView(pending.channels, pending.window, result, m_tabs);
    view->markSchemaChanges(m_schemaNotes);
    connect(view, &TravelResultView::pageRequested, this, [this, view](const QStringList &channels, const TravelWindow &window) {
        m_pendingTravels.insert(m_source.travel(channels, window), {channels, window, view});
    });
    const int index = m_tabs->addTab(view, tr("Replay %1").arg(++m_replayNumber));
    m_tabs->setCurrentIndex(index);
}

PublishDialog *MainWindow::openPublishDialog()
{
    auto *dialog = new PublishDialog(knownChannels(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_source.publish({dialog->event()}); });
    dialog->open();
    return dialog;
}

SettingsDialog *MainWindow::openSettingsDialog()
{
    auto *dialog = new SettingsDialog(m_engine.config(), m_live->model()->capacity(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        ServerConfig config = dialog->config();
        if (config.postgres && m_passwordHandler)
            m_passwordHandler(*config.postgres, dialog->typedPostgresPassword());
        QSettings settings;
        saveServerConfig(settings, config);
        settings.setValue(QStringLiteral("view/live_rows"), qint64(dialog->liveViewRows()));
        m_live->setCapacity(dialog->liveViewRows());
        m_engine.setLiveEventCapacity(dialog->liveViewRows());
        m_travel->setMaxLimit(m_source.maxTravelLimit());
        m_url->setText(tr("restarting…"));
        m_engine.start(config);
    });
    dialog->open();
    return dialog;
}

QDialog *MainWindow::showShortcuts()
{
    // Read from the menus and shortcuts themselves, so the list is never out of date.
    QList<std::pair<QString, QString>> rows;
    const std::function<void(const QMenu *, const QString &)> collect = [&](const QMenu *menu, const QString &path) {
        for (const QAction *action : menu->actions()) {
            const QString name = path + QString(action->text()).remove(u'&');
            if (action->menu())
                collect(action->menu(), name + QStringLiteral(" › "));
            else if (!action->shortcut().isEmpty())
                rows.append({name, action->shortcut().toString(QKeySequence::NativeText)});
        }
    };
    for (const QAction *top : menuBar()->actions())
        if (top->menu())
            collect(top->menu(), QString(top->text()).remove(u'&') + QStringLiteral(" › "));
    for (const QShortcut *shortcut : findChildren<QShortcut *>(Qt::FindDirectChildrenOnly))
        rows.append({shortcut->whatsThis(), shortcut->key().toString(QKeySequence::NativeText)});
    // The live view's right-click menu (Pin / unpin).
    for (const QAction *action : m_live->table()->actions())
        if (!action->shortcut().isEmpty())
            rows.append({tr("Live events › %1").arg(action->text()), action->shortcut().toString(QKeySequence::NativeText)});
    rows.append({tr("Publish dialog › Publish"), tr("Ctrl+Enter")});

    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("shortcutsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Keyboard shortcuts"));
    auto *table = new QTableWidget(int(rows.size()), 2, dialog);
    table->setHorizontalHeaderLabels({tr("What"), tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int row = 0; row < rows.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(rows[row].first));
        table->setItem(row, 1, new QTableWidgetItem(rows[row].second));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(table);
    dialog->resize(520, 480);
    dialog->show();
    return dialog;
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About CDC Scope"),
                       tr("<h3>CDC Scope %1</h3><p>A monitor for change-data-capture traffic with an embedded CDC "
                          "WebSocket server (the athena_rs protocol).</p><p>Listening on: %2</p>")
                           .arg(QStringLiteral(CDCSCOPE_VERSION),
                                m_source.status().isUp() ? m_source.status().url.toString() : m_source.status().text));
}

QString MainWindow::selectedChannel() const
{
    const QModelIndex current = m_channelsTable->currentIndex();
    if (!current.isValid())
        return {};
    const auto *proxy = static_cast<QSortFilterProxyModel *>(m_channelsTable->model());
    return m_channels->rowAt(proxy->mapToSource(current).row()).id;
}

void MainWindow::exportCaptureTo(const QString &path)
{
    const QString channel = selectedChannel();
    m_engine.exportCapture(channel.isEmpty() ? QStringList{} : QStringList{channel}, path, MaskSettings::current());
}

void MainWindow::importCaptureFrom(const QString &path, double speed)
{
    if (!m_engine.isStarted())
        Q_EMIT engineStartNeeded();
    m_engine.importCapture(path, QString(), speed);
}

void MainWindow::showTimesInUtc(bool utc)
{
    TimeDisplay::setUtc(utc);
    m_travel->showTimesInUtc(utc);
    m_live->model()->refreshTimes();
    m_notices->model()->refreshTimes();
    for (auto *replay : m_tabs->findChildren<TravelResultView *>())
        replay->model()->refreshTimes();
    m_clientsTable->viewport()->update();
    statusBar()->showMessage(
        utc ? tr("Times in UTC")
            : tr("Times in local time (%1)").arg(QDateTime::currentDateTime().timeZoneAbbreviation()),
        4000);
}

void MainWindow::maskFields(const QStringList &patterns)
{
    MaskSettings::setPatterns(patterns);
    m_live->model()->refreshPayloads();
    for (auto *replay : m_tabs->findChildren<TravelResultView *>())
        replay->model()->refreshPayloads();
    m_live->showSelected();
    statusBar()->showMessage(MaskSettings::current().isEmpty()
                                 ? tr("No field is masked")
                                 : tr("Masked: %1").arg(MaskSettings::current().patterns().join(QStringLiteral(", "))),
                             5000);
}

QString MainWindow::recordTo(const QString &path)
{
    if (path.isEmpty()) {
        m_recorder->stop();
        m_recordAction->setChecked(false);
        if (!m_recording->text().isEmpty())
            statusBar()->showMessage(
                tr("Recorded %n event(s) to %1", nullptr, int(m_recorder->recorded())).arg(m_recorder->path()), 8000);
        m_recording->clear();
        return {};
    }
    const QString error = m_recorder->start(path);
    m_recordAction->setChecked(error.isEmpty());
    m_recording->setText(error.isEmpty() ? tr("● recording to %1").arg(path) : QString());
    return error;
}

void MainWindow::subscribeTo(const QString &channel)
{
    if (channel.trimmed().isEmpty())
        return;
    m_source.subscribe(channel.trimmed());
    statusBar()->showMessage(tr("Subscribed to %1").arg(channel.trimmed()), 5000);
}

void MainWindow::openConnectDialog()
{
    QSettings settings;
    auto *dialog = new ConnectDialog(loadProfiles(settings), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { Q_EMIT connectRequested(dialog->profile(), dialog->forgetToken()); });
    dialog->open();
}

void MainWindow::fillRecentMenu()
{
    m_recent->clear();
    QSettings settings;
    const QList<RemoteProfile> profiles = loadProfiles(settings);
    for (const RemoteProfile &profile : profiles)
        m_recent->addAction(profile.name, this, [this, profile] { Q_EMIT connectRequested(profile, false); });
    if (profiles.isEmpty())
        m_recent->addAction(tr("(none yet: File ▸ Connect…)"))->setEnabled(false);
}

void MainWindow::disconnectSelectedClient()
{
    const QModelIndex current = m_clientsTable->currentIndex();
    if (!current.isValid())
        return;
    const auto *proxy = static_cast<QSortFilterProxyModel *>(m_clientsTable->model());
    m_source.disconnectClient(m_clients->rowAt(proxy->mapToSource(current).row()).sessionId);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_recorder->stop();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace cdc
