#pragma once
#include <QWidget>

class QCheckBox;
class QLineEdit;
class QListWidget;
class QSortFilterProxyModel;
class QTableView;

namespace sage {
class RunStore;
}

namespace sage::ui {

class ExperimentsModel;

/// Experiments on the left, their runs on the right with objective, status, steps, duration,
/// tags, notes and chosen metrics' final and best values; search; rename; edit notes and tags in
/// place; delete (soft), restore and purge.
class ExperimentsBrowserView : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentsBrowserView(RunStore& store, QWidget* parent = nullptr);

    ExperimentsModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    /// Run ids of the selected rows.
    QList<qint64> selectedRuns() const;

public Q_SLOTS:
    void refresh();
    /// Another connection committed: refresh now when shown and not editing, else when shown.
    void refreshFromStore();
    void setSearchText(const QString& text);
    void setMetrics(const QString& commaSeparated);
    void deleteSelected();
    void restoreSelected();
    /// Purges every deleted run, after asking when `ask`.
    void purgeDeleted(bool ask = true);
    void renameSelected();
    void renameExperiment();
    /// Offers the selected run's stored configuration for a new run (configurationChosen).
    void newRunFromSelected();

Q_SIGNALS:
    /// A run was double-clicked on a read-only column: show it elsewhere.
    void runActivated(qint64 runId);
    /// Runs were deleted, restored, purged or renamed.
    void runsChanged();
    /// "New run from this configuration": the run's configuration JSON, as stored, and its id.
    void configurationChosen(const QString& configJson, qint64 fromRun);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void reloadExperiments();
    bool m_stale = false;

    RunStore& m_store;
    QListWidget* m_experiments;
    QLineEdit* m_search;
    QLineEdit* m_metrics;
    QCheckBox* m_showDeleted;
    ExperimentsModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
};

}  // namespace sage::ui
