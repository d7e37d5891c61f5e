#pragma once
#include <vector>

#include "dashboard_panel.h"
#include "training/training_records.h"

class QCPColorMap;
class QCPColorScale;
class QLabel;

namespace sage::ui {

/// A histogram logged every step (e.g. hist/log_ratio) as a heat map: steps across, bins up,
/// counts as colour. One run at a time (the first shown): heat maps do not overlay.
class HeatmapPanel : public DashboardPanel {
    Q_OBJECT
public:
    HeatmapPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent = nullptr);

    QCustomPlot* plot() const override { return m_plot; }
    /// step, then one column per bin (named by its centre).
    bool exportCsv(const QString& path) const override;
    int stepCount() const { return int(m_histograms.size()); }

protected:
    void rebuild() override;

private:
    QLabel* m_title;
    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    std::vector<HistogramRecord> m_histograms;
    qint64 m_loadedRun = 0;
};

}  // namespace sage::ui
