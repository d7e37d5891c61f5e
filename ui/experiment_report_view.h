#pragma once
#include <QWidget>

class QComboBox;
class QLabel;
class QTableWidget;

namespace sage {
class RunStore;
}

namespace sage::ui {

/// The compare view's "Experiment report" tab: the table `sage-train report` writes, for the
/// chosen experiment, built by the same core code (ExperimentReport and its cell formatting):
/// per data set and arm each metric as mean ± std over seeds with the change against the
/// baseline arm; the paired comparison across seeds in each cell's tooltip. Exports the whole
/// report as Markdown.
class ExperimentReportView : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentReportView(RunStore& store, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    QString experiment() const;

public Q_SLOTS:
    /// Reloads the list of experiments (keeping the choice) and the table.
    void refresh();
    void showExperiment(const QString& name);
    /// Another connection committed: refresh now when shown, else when next shown (the table
    /// reads every run of the experiment, too much to do for every flush of a training run).
    void refreshFromStore();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void updateTable();
    void exportMarkdown();

    bool m_stale = false;
    RunStore& m_store;
    QComboBox* m_experiments;
    QLabel* m_status;
    QTableWidget* m_table;
};

}  // namespace sage::ui
