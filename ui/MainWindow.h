#pragma once

#include "MonitorModels.h"
#include "MonitorSource.h"
#include "remote/RemoteProfile.h"
#include "sources/postgres/PostgresConfig.h"
#include "store/TravelQuery.h"

#include <QMainWindow>
#include <QPointer>
#include <QSet>

#include <functional>

class QDialog;
class QDockWidget;
class QLabel;
class QMenu;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace cdc {

class CaptureRecorder;
class EngineHost;
class ListenBanner;
class OfferedView;
class LiveEventsView;
class PublishDialog;
class NoticesView;
class PinnedEventsView;
class RowHistoryView;
class TravelResultView;
class CaptureCompareView;
class SettingsDialog;
class SourcesPanel;
class ThroughputChart;
class TravelPanel;

// The desktop monitor: channels, clients, live events, throughput, and the travel panel over one
// source — the engine running on its own thread in this process, or a remote server (MonitorSource).
// Everything here is fed by the source's batched signals; nothing in the window runs per event.
// `engine` is this process's engine whichever source the window shows: captures are imported into it.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(MonitorSource &source, EngineHost &engine, qsizetype liveViewRows, QWidget *parent = nullptr);
    // A window on the embedded engine.
    MainWindow(EngineHost &engine, qsizetype liveViewRows, QWidget *parent = nullptr);

    LiveEventsView *liveView() const { return m_live; }
    ChannelsModel *channelsModel() const { return m_channels; }
    ClientsModel *clientsModel() const { return m_clients; }
    QTableView *clientsTable() const { return m_clientsTable; }
    QTableView *channelsTable() const { return m_channelsTable; }
    TravelPanel *travelPanel() const { return m_travel; }
    SourcesPanel *sourcesPanel() const { return m_sources; }
    ClusterModel *clusterModel() const { return m_cluster; }
    QDockWidget *clusterDock() const { return m_clusterDock; }
    QTabWidget *tabs() const { return m_tabs; }
    ListenBanner *listenBanner() const { return m_banner; }
    ThroughputChart *chart() const { return m_chart; }
    QLabel *urlLabel() const { return m_url; }
    QLabel *journalLabel() const { return m_journal; }
    MonitorSource &source() const { return m_source; }
    OfferedView *clientsView() const { return m_clientsView; }
    OfferedView *sourcesView() const { return m_sourcesView; }
    QLabel *channelsNotice() const { return m_channelsNotice; }
    CaptureRecorder *recorder() const { return m_recorder; }

    // Resolves the PostgreSQL source's password for a config from the settings dialog (`typed`:
    // what the user entered there, to be stored); the app installs it, since the keychain lives there.
    using PasswordHandler = std::function<void(pg::PostgresConfig &config, const QString &typed)>;
    void setPostgresPasswordHandler(PasswordHandler handler) { m_passwordHandler = std::move(handler); }

public Q_SLOTS:
    PublishDialog *openPublishDialog();
    SettingsDialog *openSettingsDialog();
    void showAbout();
    // Help > Keyboard shortcuts: every key of the menus and tabs, read from them.
    QDialog *showShortcuts();
    void exportCaptureTo(const QString &path);
    void importCaptureFrom(const QString &path, double speed);
    // File > Record: empty path stops. Returns why it could not start, or empty.
    QString recordTo(const QString &path);
    void subscribeTo(const QString &channel);
    // View > Times in UTC: every time the window shows, in UTC or local time.
    void showTimesInUtc(bool utc);
    // View > Mask fields…: the values of fields with these names (wildcards) are hidden everywhere.
    void maskFields(const QStringList &patterns);
    // Right-click > Follow this row: the row the event changes, in a Row history tab. Null when the
    // event is not a change of a row with a key.
    RowHistoryView *followRow(const cdc::LiveEvent &event);
    // Keeps a live row until unpinned, listed in the Pinned tab (opened with the first pin).
    void pinRow(const cdc::LiveEvent &event, quint64 liveSerial);
    void unpinRow(quint64 liveSerial);
    PinnedEventsView *pinnedView() const { return m_pinned; }
    NoticesView *notices() const { return m_notices; }
    // File > Compare two captures…: A and B side by side in a tab (the comparison of cdcscope diff).
    CaptureCompareView *compareCaptures(const QString &pathA, const QString &pathB);

Q_SIGNALS:
    // File > Connect… was accepted (`forgetToken`: the user asked to drop the stored token).
    void connectRequested(const cdc::RemoteProfile &profile, bool forgetToken);
    void newWindowRequested();
    // A capture is about to be imported into an engine that was never started (a remote window's).
    void engineStartNeeded();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildDocks();
    void buildStatusBar();
    void onSnapshot(const EngineSnapshot &snapshot);
    void onStatus(const ConnectionStatus &status);
    void onOffers(const SourceOffers &offers);
    void openConnectDialog();
    void fillRecentMenu();
    void onTravelFinished(int requestId, const TravelResult &result);
    void replay(const QStringList &channels, const TravelWindow &window);
    void disconnectSelectedClient();
    QString selectedChannel() const;
    QStringList knownChannels() const;

    MonitorSource &m_source;
    EngineHost &m_engine;
    qsizetype m_liveViewRows;
    LiveEventsView *m_live;
    NoticesView *m_notices;
    QDockWidget *m_noticesDock = nullptr;
    ThroughputChart *m_chart;
    QTabWidget *m_tabs;
    PinnedEventsView *m_pinned = nullptr;
    QList<SchemaNote> m_schemaNotes; // the schema changes seen, newest last, marked in replays
    ListenBanner *m_banner;
    TravelPanel *m_travel;
    SourcesPanel *m_sources;
    ChannelsModel *m_channels;
    ClientsModel *m_clients;
    ClusterModel *m_cluster;
    QDockWidget *m_clusterDock = nullptr; // shown once the engine is a cluster member
    bool m_clusterDockShown = false;
    QTableView *m_channelsTable = nullptr;
    QTableView *m_clientsTable = nullptr;
    QLabel *m_url;
    QLabel *m_clientCount;
    QLabel *m_channelCount;
    QLabel *m_rate;
    QLabel *m_journal;
    QLabel *m_recording;
    QLabel *m_channelsNotice;
    OfferedView *m_clientsView = nullptr;
    OfferedView *m_sourcesView = nullptr;
    CaptureRecorder *m_recorder;
    QMenu *m_recent = nullptr;
    QAction *m_recordAction = nullptr;
    QList<QAction *> m_engineActions; // shown only for the embedded engine
    QAction *m_subscribeAction = nullptr;
    struct PendingTravel
    {
        QStringList channels;
        TravelWindow window;
        QPointer<TravelResultView> page; // a replay's tab asking for another page; none: a new tab
    };
    QHash<int, PendingTravel> m_pendingTravels;
    int m_replayNumber = 0;
    PasswordHandler m_passwordHandler;
};

} // namespace cdc
