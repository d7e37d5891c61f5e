#include "main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "app_settings.h"
#include "compare_view.h"
#include "config_form_view.h"
#include "event_log_view.h"
#include "experiments_browser_view.h"
#include "metric_plot_panel.h"
#include "panel_spec.h"
#include "plot_group_view.h"
#include "recent_files_menu.h"
#include "run_list_view.h"
#include "series_cache.h"
#include "slate_inspector_view.h"
#include "store_watcher.h"
#include "training_controller.h"
#include "training_panel.h"

namespace sage::ui {

MainWindow::MainWindow(RunStore& store, const QString& dbPath, const QString& presetsDir,
                       QWidget* parent)
    : QMainWindow(parent),
      m_dbPath(dbPath),
      m_watcher(new StoreWatcher(store, this)),
      m_controller(new TrainingController(this)),
      m_cache(new SeriesCache(store, this)),
      m_runList(new RunListView(store, this)),
      m_form(new ConfigFormView(presetsDir, this)),
      m_panel(new TrainingPanel(this)),
      m_plot(new MetricPlotPanel(store, this)),
      m_events(new EventLogView(store, this)),
      m_tabs(new QTabWidget(this)),
      m_inspector(new SlateInspectorView(store, this)),
      m_browser(new ExperimentsBrowserView(store, this)),
      m_compare(new CompareView(store, *m_cache, this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("SAGE Dashboard — %1").arg(QFileInfo(dbPath).fileName()));
    m_runList->setObjectName(QStringLiteral("runList"));
    for (const PanelGroupSpec& group : defaultPanelGroups())
        m_groups.append(new PlotGroupView(*m_cache, group, this));
    buildLayout();
    buildMenus();
    connectViews();
    resize(1500, 920);
    restoreGeometry(AppSettings::windowGeometry());
    restoreState(AppSettings::windowState());
}

void MainWindow::buildLayout() {
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_plot, tr("Overview"));
    for (PlotGroupView* group : std::as_const(m_groups)) m_tabs->addTab(group, group->title());
    m_tabs->addTab(m_inspector, tr("Slates"));
    m_tabs->addTab(m_browser, tr("Experiments"));
    m_tabs->addTab(m_compare, tr("Compare"));
    for (int i = 0; i < m_tabs->count(); ++i)
        m_tabs->setTabToolTip(i, tr("%1 (Ctrl+%2)").arg(m_tabs->tabText(i)).arg(i + 1));
    setCentralWidget(m_tabs);
    setDockNestingEnabled(true);
    const auto dock = [this](const QString& title, const QString& name, QWidget* content,
                             Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
        d->setWidget(content);
        addDockWidget(area, d);
        return d;
    };

    auto* setup = new QWidget(this);
    setup->setObjectName(QStringLiteral("runSetup"));
    auto* column = new QVBoxLayout(setup);
    column->setContentsMargins(4, 4, 4, 4);
    column->addWidget(m_form, 1);
    column->addWidget(m_panel);

    auto* runs = dock(tr("Runs"), QStringLiteral("runsDock"), m_runList, Qt::LeftDockWidgetArea);
    auto* config =
        dock(tr("Configuration"), QStringLiteral("configDock"), setup, Qt::RightDockWidgetArea);
    auto* events =
        dock(tr("Events"), QStringLiteral("eventsDock"), m_events, Qt::BottomDockWidgetArea);
    resizeDocks({runs, config}, {440, 400}, Qt::Horizontal);
    resizeDocks({events}, {160}, Qt::Vertical);
    statusBar()->addPermanentWidget(new QLabel(QFileInfo(m_dbPath).absoluteFilePath(), this));
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open store…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open run store"), QFileInfo(m_dbPath).absolutePath(),
            tr("Run stores (*.sqlite *.db *.sage.db);;All files (*)"));
        if (!path.isEmpty()) Q_EMIT openStoreRequested(path);
    });
    auto* recent = new RecentFilesMenu(this);
    file->addMenu(recent);
    connect(recent, &RecentFilesMenu::fileChosen, this, &MainWindow::openStoreRequested);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count() && i < 9; ++i) {
        view->addAction(m_tabs->tabText(i), QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)),
                        this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addSeparator();
    view->addAction(tr("&Refresh from store"), QKeySequence::Refresh, m_watcher,
                    &StoreWatcher::poll);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    AppSettings::setWindowLayout(saveGeometry(), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::connectViews() {
    // Commits by other connections (the worker thread's, another process's).
    connect(m_watcher, &StoreWatcher::changed, m_runList, &RunListView::refresh);
    connect(m_watcher, &StoreWatcher::changed, m_plot, &MetricPlotPanel::refreshFromStore);
    connect(m_watcher, &StoreWatcher::changed, m_events, &EventLogView::refreshFromStore);
    connect(m_watcher, &StoreWatcher::changed, m_cache, &SeriesCache::refreshFromStore);
    connect(m_watcher, &StoreWatcher::changed, m_inspector, &SlateInspectorView::refreshFromStore);
    connect(m_watcher, &StoreWatcher::changed, m_browser,
            &ExperimentsBrowserView::refreshFromStore);
    connect(m_watcher, &StoreWatcher::changed, m_compare, &CompareView::refreshRuns);

    connect(m_runList, &RunListView::runSelected, m_plot, &MetricPlotPanel::showRun);
    connect(m_runList, &RunListView::runSelected, m_events, &EventLogView::showRun);
    connect(m_runList, &RunListView::runSelected, m_inspector, &SlateInspectorView::showRun);
    for (PlotGroupView* group : std::as_const(m_groups))
        connect(m_runList, &RunListView::runSelected, group, &PlotGroupView::showRun);

    connect(m_browser, &ExperimentsBrowserView::runActivated, m_runList, &RunListView::selectRun);
    connect(m_browser, &ExperimentsBrowserView::runsChanged, m_runList, &RunListView::refresh);
    connect(m_browser, &ExperimentsBrowserView::configurationChosen, m_form, &ConfigFormView::loadRunConfiguration);
    connect(m_browser, &ExperimentsBrowserView::runsChanged, m_compare, &CompareView::refreshRuns);

    m_panel->setStartEnabled(m_form->isValid());
    connect(m_form, &ConfigFormView::validityChanged, m_panel, &TrainingPanel::setStartEnabled);
    connect(m_panel, &TrainingPanel::startRequested, this,
            [this] { m_controller->start(m_form->config(), m_dbPath, m_panel->experiment()); });
    connect(m_panel, &TrainingPanel::pauseRequested, m_controller, &TrainingController::pause);
    connect(m_panel, &TrainingPanel::resumeRequested, m_controller, &TrainingController::resume);
    connect(m_panel, &TrainingPanel::stopRequested, m_controller, &TrainingController::stop);
    connect(m_runList, &RunListView::resumeRequested, this,
            [this](qint64 runId) { m_controller->resumeRun(runId, m_dbPath); });
    connect(m_controller, &TrainingController::runningChanged, m_runList, &RunListView::setTrainingActive);

    connect(m_controller, &TrainingController::runningChanged, m_panel, &TrainingPanel::setRunning);
    connect(m_controller, &TrainingController::runningChanged, m_form, &QWidget::setDisabled);
    connect(m_controller, &TrainingController::pausedChanged, m_panel, &TrainingPanel::setPaused);
    connect(m_controller, &TrainingController::progress, m_panel, &TrainingPanel::setProgress);
    // The live run feeds the views before it is selected, so the first drain is not missed.
    connect(m_controller, &TrainingController::runStarted, m_plot, &MetricPlotPanel::setLiveRun);
    connect(m_controller, &TrainingController::runStarted, m_events, &EventLogView::setLiveRun);
    connect(m_controller, &TrainingController::runStarted, m_runList, &RunListView::selectRun);
    connect(m_controller, &TrainingController::metricsArrived, m_plot,
            &MetricPlotPanel::appendLive);
    connect(m_controller, &TrainingController::metricsArrived, m_cache, &SeriesCache::appendLive);
    connect(m_controller, &TrainingController::metricsArrived, m_events, &EventLogView::appendLive);
    connect(m_controller, &TrainingController::runEnded, m_panel, &TrainingPanel::showRunEnded);
    connect(m_controller, &TrainingController::runEnded, this, [this] {
        m_plot->setLiveRun(0);
        m_events->setLiveRun(0);
    });
    connect(m_controller, &TrainingController::runEnded, m_watcher, &StoreWatcher::poll);

    // Open on the newest run rather than an empty plot.
    m_runList->selectNewest();
}

}  // namespace sage::ui
