#pragma once
#include <QMainWindow>
#include <QString>

namespace sage {
class RunStore;
}

namespace sage::ui {

class ConfigFormView;
class EventLogView;
class MetricPlotPanel;
class RunListView;
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

private:
    void buildLayout();
    void connectViews();

    QString m_dbPath;
    StoreWatcher* m_watcher;
    TrainingController* m_controller;
    RunListView* m_runList;
    ConfigFormView* m_form;
    TrainingPanel* m_panel;
    MetricPlotPanel* m_plot;
    EventLogView* m_events;
};

}  // namespace sage::ui
