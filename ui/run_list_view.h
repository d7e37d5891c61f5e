#pragma once
#include <QHash>
#include <QWidget>

class QLineEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace sage {
class RunStore;
struct RunSummary;
}  // namespace sage

namespace sage::ui {

/// The runs of the store, newest first: id, experiment, name, status, last step, created.
/// Refreshes in place (no flicker, selection and scroll kept) whenever the store changes.
class RunListView : public QWidget {
    Q_OBJECT
public:
    enum Column { IdColumn, ExperimentColumn, NameColumn, StatusColumn, StepColumn, CreatedColumn };

    /// `store` is the GUI thread's connection and must outlive the view.
    explicit RunListView(RunStore& store, QWidget* parent = nullptr);

    /// 0 when nothing is selected.
    qint64 selectedRunId() const { return m_selectedId; }
    int runCount() const;

public Q_SLOTS:
    void refresh();
    /// Selects the run (emitting runSelected when it changes); refreshes first if it is new.
    void selectRun(qint64 runId);
    /// Selects the top row (the newest run unless the user re-sorted); nothing when empty.
    void selectNewest();
    /// While the dashboard trains, no run can be resumed (one run at a time).
    void setTrainingActive(bool active);

Q_SIGNALS:
    void runSelected(qint64 runId);
    /// The Resume button was pressed on the selected run, which can resume.
    void resumeRequested(qint64 runId);

private:
    void updateItem(QTreeWidgetItem* item, const RunSummary& run);
    void onSelectionChanged();
    void applyFilter();
    /// Enables Resume for a stopped, failed or interrupted run with a checkpoint, and says why not.
    void updateResumeButton();

    RunStore& m_store;
    QLineEdit* m_filter;
    QTreeWidget* m_tree;
    QPushButton* m_resumeButton;
    bool m_trainingActive = false;
    QHash<qint64, QTreeWidgetItem*> m_items;
    qint64 m_selectedId = 0;
};

}  // namespace sage::ui
