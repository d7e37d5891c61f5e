#pragma once
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QTableView;
class QTableWidget;

namespace sage {
class RunStore;
}

namespace sage::ui {

class SlateFilterProxy;
class SlateTableModel;

/// The per-slate inspector: pick a run and one of its steps with slate records; the table sorts
/// and filters them; the selected slate's tokens (ℓ_old, ℓ_new, ratio) are shown against where
/// GBPO's cap would have applied and where SAGE's did.
class SlateInspectorView : public QWidget {
    Q_OBJECT
public:
    explicit SlateInspectorView(RunStore& store, QWidget* parent = nullptr);

    SlateTableModel* model() const { return m_model; }
    SlateFilterProxy* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    QTableWidget* tokenTable() const { return m_tokens; }
    qint64 runId() const { return m_runId; }
    qint64 step() const;
    /// The explanation under the token view for the selected slate.
    QString capSummary() const;

public Q_SLOTS:
    void showRun(qint64 runId);
    void setStep(qint64 step);
    void setFilter(int filter);
    /// Selects a row of the filtered table (and shows its tokens).
    void selectRow(int proxyRow);
    void refreshFromStore();

private:
    void reloadRuns();
    void reloadSteps();
    void loadSlates();
    void showSlate(int sourceRow);

    RunStore& m_store;
    QComboBox* m_run;
    QComboBox* m_step;
    QComboBox* m_filter;
    QLineEdit* m_search;
    QLabel* m_count;
    SlateTableModel* m_model;
    SlateFilterProxy* m_proxy;
    QTableView* m_table;
    QTableWidget* m_tokens;
    QCustomPlot* m_tokenPlot;
    QLabel* m_summary;
    qint64 m_runId = 0;
    qint64 m_loadedRunId = 0;  // the run whose slates the model holds
};

}  // namespace sage::ui
