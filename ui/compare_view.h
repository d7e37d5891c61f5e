#pragma once
#include <QList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QTableWidget;
class QTabWidget;

namespace sage {
class RunStore;
}

namespace sage::ui {

class CompareSummary;
class ExperimentReportView;
class PlotGroupView;
class SeriesCache;

/// Pick runs; overlay any metrics (one colour per run in every panel); see only the
/// configuration keys that differ; a summary table of final or best values with the change
/// against a baseline run, exportable as CSV, Markdown and LaTeX; every metric of the runs as
/// one CSV; and an experiment's report table (mean ± std over seeds per arm, as sage-train
/// report writes it).
class CompareView : public QWidget {
    Q_OBJECT
public:
    CompareView(RunStore& store, SeriesCache& cache, QWidget* parent = nullptr);

    QList<qint64> checkedRuns() const;
    /// Every run offered, newest first.
    QList<qint64> listedRuns() const;
    PlotGroupView* plots() const { return m_plots; }
    QTableWidget* diffTable() const { return m_diff; }
    QTableWidget* summaryTable() const { return m_summary; }
    CompareSummary summary() const;
    /// Whether the plots draw the seeds of one configuration as one curve (mean and band).
    QCheckBox* groupSeedsBox() const { return m_groupSeeds; }
    QTabWidget* tabs() const { return m_tabs; }
    ExperimentReportView* reportView() const { return m_report; }

public Q_SLOTS:
    void refreshRuns();
    void setCheckedRuns(const QList<qint64>& runs);
    void setBaseline(qint64 runId);
    void setSummaryMetrics(const QString& commaSeparated);
    void updateAll();

private:
    void updatePlots();
    /// The run's configuration JSON; empty when the store cannot be read now.
    QString configJsonOf(qint64 runId) const;
    void updateDiff();
    void updateSummary();
    void exportSummary(const QString& format);
    void exportAllMetrics();

    RunStore& m_store;
    QListWidget* m_runs;
    QTabWidget* m_tabs;
    PlotGroupView* m_plots;
    QTableWidget* m_diff;
    QTableWidget* m_summary;
    ExperimentReportView* m_report;
    QCheckBox* m_groupSeeds;
    QComboBox* m_baseline;
    QComboBox* m_mode;
    QLineEdit* m_metrics;
};

}  // namespace sage::ui
