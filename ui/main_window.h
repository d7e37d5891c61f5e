#pragma once
#include <QList>
#include <QMainWindow>
#include <QString>

class QTabWidget;

namespace sage {
class RunStore;
}

namespace sage::ui {

class CompareView;
class ConfigFormView;
class EventLogView;
class ExperimentsBrowserView;
class MetricPlotPanel;
class PlotGroupView;
class RunListView;
class SeriesCache;
class SlateInspectorView;
class StoreWatcher;
class TrainingController;
class TrainingPanel;

/// Lays the views out and connects them to the controller and the store watcher; nothing else.
/// Closing it while a run trains stops the run (the controller's destructor waits for it).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `store` is the GUI thread's connection to `dbPath` and must outlive the window.
    MainWindow(RunStore& store, const QString& dbPath, const QString& presetsDir,
               QWidget* parent = nullptr);

    TrainingController* controller() const { return m_controller; }
    QTabWidget* viewTabs() const { return m_tabs; }

Q_SIGNALS:
    /// The user chose another store (File ▸ Open); the application reopens the window on it.
    void openStoreRequested(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildLayout();
    void buildMenus();
    void connectViews();

    QString m_dbPath;
    StoreWatcher* m_watcher;
    TrainingController* m_controller;
    SeriesCache* m_cache;
    RunListView* m_runList;
    ConfigFormView* m_form;
    TrainingPanel* m_panel;
    MetricPlotPanel* m_plot;
    EventLogView* m_events;
    QTabWidget* m_tabs;
    QList<PlotGroupView*> m_groups;
    SlateInspectorView* m_inspector;
    ExperimentsBrowserView* m_browser;
    CompareView* m_compare;
};

}  // namespace sage::ui
