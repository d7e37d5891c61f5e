#pragma once
#include <vector>

#include <QList>
#include <QString>
#include <QStringList>

namespace sage {
class RunStore;
}

namespace sage::ui {

/// The compare view's summary table: per run and metric its final or best value and the change
/// against a baseline run in percent; exports as CSV, Markdown and LaTeX.
class CompareSummary {
public:
    enum class Mode { Final, Best };

    /// Reads the values from the store (latest_metrics; evaluations from their table).
    static CompareSummary fromStore(RunStore& store, const QList<qint64>& runs,
                                    const QStringList& metrics, Mode mode, qint64 baseline);

    const QList<qint64>& runs() const { return m_runs; }
    const QStringList& runNames() const { return m_names; }
    const QStringList& metrics() const { return m_metrics; }
    qint64 baseline() const { return m_baseline; }
    /// NaN where the run has no such metric.
    double value(int run, int metric) const;
    /// 100·(v − v_base)/|v_base|; NaN for the baseline itself, missing values or a zero base.
    double changePercent(int run, int metric) const;

    QString toCsv() const;
    QString toMarkdown() const;
    QString toLatex() const;

private:
    QList<qint64> m_runs;
    QStringList m_names;
    QStringList m_metrics;
    qint64 m_baseline = 0;
    std::vector<std::vector<double>> m_values;  // [run][metric]
};

}  // namespace sage::ui
