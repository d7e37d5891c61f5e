#pragma once
#include <map>
#include <utility>
#include <vector>

#include <QSet>

#include "dashboard_panel.h"

class QCPItemStraightLine;
class QCPItemText;
class QCheckBox;
class QLabel;
class QToolButton;

namespace sage::ui {

struct Series;

/// A panel of line plots: one or more metrics for every shown run, smoothed with TensorBoard's
/// EMA over the full series, drawn from per-pixel min/max envelopes of the visible range (so zoom
/// brings back every point), with bands, log y, a crosshair that reads out every visible curve,
/// legend toggles and exports.
class PlotPanel : public DashboardPanel {
    Q_OBJECT
public:
    PlotPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent = nullptr);

    QCustomPlot* plot() const override { return m_plot; }
    bool exportCsv(const QString& path) const override;
    /// The CSV export: a `step` column, then per run and curve its values (and smoothed values
    /// when smoothing is on); one row per step any curve has.
    QString csvText() const;
    /// What the crosshair shows at x: the x value, then each visible curve's value at the nearest
    /// point at or before x.
    QString crosshairText(double x) const;
    void setLogY(bool logY);
    /// Shows [low, high] on the x axis and stops following new data, as a drag or wheel does.
    void zoomTo(double low, double high);
    /// Names of the legend entries the user switched off.
    const QSet<QString>& hiddenCurves() const { return m_hidden; }
    void setCurveHidden(const QString& label, bool hidden);
    /// Points drawn by the curve's main graph (for tests of the envelope).
    int drawnPointCount(const QString& label) const;
    QStringList curveLabels() const;

protected:
    void rebuild() override;

private:
    struct Curve {
        qint64 run = 0;
        QString key;
        QString label;
        const Series* series = nullptr;
        const Series* low = nullptr;
        const Series* high = nullptr;
        const Series* stdDev = nullptr;
        int index = 0;  // curve position within its run, for colours and dashes
    };
    std::vector<Curve> resolveCurves();
    const std::vector<double>& smoothed(const Curve& curve, const Series& series);
    std::vector<double> xOf(const Series& series) const;
    void showMetricsMenu();
    void onMouseMove(QMouseEvent* event);
    void onXRangeChanged();
    void updateTitle();

    QLabel* m_title;
    QCheckBox* m_logY;
    QToolButton* m_metricsButton;
    QCustomPlot* m_plot;
    QCPItemStraightLine* m_crossLine;
    QCPItemText* m_crossText;
    QCPItemText* m_emptyText;

    std::vector<Curve> m_curves;
    QSet<QString> m_hidden;
    // Smoothed copies, recomputed when the series grows or the weight changes.
    struct Smoothed {
        size_t size = 0;
        double weight = -1.0;
        std::vector<double> values;
    };
    std::map<QString, Smoothed> m_smoothed;  // by curve label
    bool m_autoRange = true;
    bool m_applyingRange = false;
};

}  // namespace sage::ui
