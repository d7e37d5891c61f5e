#pragma once
#include <cstdint>
#include <vector>

#include <QSet>
#include <QString>
#include <QWidget>

#include "metrics_buffer.h"
#include "store/store_types.h"

class QComboBox;
class QCPGraph;
class QCustomPlot;
class QLabel;

namespace sage {
class RunStore;
}

namespace sage::ui {

/// One metric of one run against the step. Stored runs load from the store and then grow by
/// `afterStep` queries when the store changes; the in-process run also grows from the drained
/// MetricsBuffer, so it moves at the drain rate rather than the store's flush cadence. Redraws
/// are queued (rpQueuedReplot), so however many updates arrive, one replot per event-loop pass.
class MetricPlotPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr const char* kDefaultMetric = "reward";

    /// `store` is the GUI thread's connection and must outlive the panel.
    explicit MetricPlotPanel(RunStore& store, QWidget* parent = nullptr);

    qint64 runId() const { return m_runId; }
    QString metric() const { return m_metric; }
    QStringList availableMetrics() const;
    int pointCount() const;
    QCustomPlot* plot() const { return m_plot; }

public Q_SLOTS:
    /// Shows a run from the store (0 clears the plot).
    void showRun(qint64 runId);
    void setMetric(const QString& key);
    /// The run that appendLive() feeds; 0 when none trains in this process.
    void setLiveRun(qint64 runId);
    void appendLive(qint64 runId, const sage::ui::MetricsBatch& batch);
    /// Another connection committed: fetch what is new for the shown run.
    void refreshFromStore();

private:
    void reload();
    void mergeKeys(const QStringList& keys);
    void addStoredPoints(const std::vector<MetricPoint>& points);
    void afterDataChanged();
    void updateCaption();

    RunStore& m_store;
    QComboBox* m_metricCombo;
    QLabel* m_caption;
    QCustomPlot* m_plot;
    QCPGraph* m_graph;

    qint64 m_runId = 0;
    qint64 m_liveRunId = 0;
    QString m_metric;
    QString m_preferred = QString::fromLatin1(kDefaultMetric);  // what the user last chose
    QSet<QString> m_keys;
    // Points come from two sources without duplicates: the store fills everything below the first
    // live step; the live buffer appends above the newest point.
    int64_t m_storeStep = -1;  // newest step fetched from the store
    int64_t m_liveFrom = -1;   // first step appended from the live buffer, -1 when none
    int64_t m_lastStep = -1;   // newest step on the graph
    double m_lastValue = 0.0;
    bool m_autoRange = true;  // off once the user pans or zooms; a double-click restores it
};

}  // namespace sage::ui
