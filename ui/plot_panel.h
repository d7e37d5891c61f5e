#pragma once
#include <map>
#include <utility>
#include <vector>

#include <QPen>
#include <QSet>

#include "dashboard_panel.h"
#include "seed_group_series.h"
#include "series_smoothing.h"

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCheckBox;
class QLabel;
class QToolButton;

namespace sage::ui {

/// A panel of line plots: one or more metrics for every shown run, smoothed with TensorBoard's
/// EMA over the full series, drawn from per-pixel min/max envelopes of the visible range (so zoom
/// brings back every point), with bands, log y, a crosshair that reads out every visible curve,
/// legend toggles and exports. A redraw recomputes only the envelopes whose inputs changed (new
/// points, another range or width, smoothing, axis) and keeps its graphs while the curves stay.
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
    /// Whether the curve draws a marker at each point (sparse series such as evaluations).
    bool drawsMarkers(const QString& label) const;
    QStringList curveLabels() const;

protected:
    void rebuild() override;
    bool eventFilter(QObject* watched, QEvent* event) override;

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
        bool seedGroup = false;  // the mean of several runs' series (band: their min and max)
    };
    enum class BandKind { None, LowHigh, StdDev };
    /// What one QCPGraph draws for its curve.
    enum class Role { Line, Raw, BandLow, BandHigh };
    /// What a graph's points were computed from: while none of it changes, the envelope already
    /// in the graph is current and a redraw only repaints.
    struct EnvelopeKey {
        const Series* series = nullptr;
        const Series* band = nullptr;
        size_t size = 0;
        double weight = 0.0;  // the smoothing applied, 0 for raw values
        bool wall = false;
        bool log = false;
        double low = 0.0;
        double high = 0.0;
        int buckets = 0;
        bool operator==(const EnvelopeKey& other) const;
    };
    struct DrawnGraph {
        QCPGraph* graph = nullptr;
        size_t curve = 0;  // into m_curves
        Role role = Role::Line;
        QPen pen;          // the pen for sparse points; dense envelopes draw thinner, aliased
        EnvelopeKey key;
    };
    struct Smoothed {
        double weight = -1.0;
        EmaState state;
        std::vector<double> values;
    };

    std::vector<Curve> resolveCurves();
    BandKind bandOf(const Curve& curve) const;
    /// Names the graphs `curves` need; when it differs from the built one, rebuildGraphs runs.
    QString graphLayout(const std::vector<Curve>& curves) const;
    void rebuildGraphs();
    /// The y values a graph draws (smoothed when smoothing is on), before the envelope.
    std::vector<double> bandValues(const Curve& curve, Role role);
    void updateGraph(DrawnGraph& drawn, const EnvelopeKey& key);
    const QCPGraph* graphNamed(const QString& label) const;
    /// The series smoothed with the current weight: extended over new points only, recomputed
    /// when the weight changes.
    const std::vector<double>& smoothed(const Series& series);
    const std::vector<double>* smoothedIfCurrent(const Series& series) const;
    void showMetricsMenu();
    void onMouseMove(QMouseEvent* event);
    void showCrosshair(double x);
    void hideCrosshair();
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
    std::vector<DrawnGraph> m_graphs;
    QString m_graphLayout;
    QSet<QString> m_hidden;
    std::map<const Series*, Smoothed> m_smoothed;  // series are append-only and stay in place
    std::map<std::pair<QList<qint64>, QString>, SeedGroupSeries> m_seedGroups;  // (runs, key)
    bool m_autoRange = true;
    bool m_applyingRange = false;
};

}  // namespace sage::ui
