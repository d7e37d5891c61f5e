#pragma once
#include <map>
#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "store/store_types.h"

namespace sage {
class RunStore;
}

namespace sage::ui {

/// The runs of the store for the experiments browser: objective (from the config JSON), status,
/// steps, duration, tags, notes, and the final and best value of chosen metrics. Name, tags and
/// notes are edited in place and written straight to the store.
class ExperimentsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        ExperimentColumn,
        NameColumn,
        ObjectiveColumn,
        StatusColumn,
        StepsColumn,
        DurationColumn,
        TagsColumn,
        NotesColumn,
        kFixedColumns
    };

    explicit ExperimentsModel(RunStore& store, QObject* parent = nullptr);

    /// Two columns per metric: its final and its best value.
    void setMetrics(const QStringList& keys);
    const QStringList& metrics() const { return m_metrics; }
    void setIncludeDeleted(bool include);
    /// 0: every experiment.
    void setExperiment(qint64 experimentId);
    void refresh();

    qint64 runId(int row) const;
    const RunSummary& run(int row) const { return m_runs[size_t(row)].summary; }
    int rowOf(qint64 runId) const;
    /// Final (last logged) and best value of a metric for a run; NaN when it has none.
    double finalValue(int row, const QString& key) const;
    double bestValue(int row, const QString& key) const;
    /// Lower is better for losses, KL, gradient norm, Gini and timings; higher for the rest.
    static bool lowerIsBetter(const QString& key);
    static QString objectiveOf(const std::string& configJson);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

private:
    struct Row {
        RunSummary summary;
        QString objective;
        std::map<QString, LatestMetric> metrics;  // final, min, max per key
    };
    void loadMetrics(Row& row) const;

    RunStore& m_store;
    std::vector<Row> m_runs;
    QStringList m_metrics;
    bool m_includeDeleted = false;
    qint64 m_experiment = 0;
};

}  // namespace sage::ui
