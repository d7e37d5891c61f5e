#include "plot_panel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <QCheckBox>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QRegularExpression>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>

#include "qcustomplot_no_keywords.h"

#include "envelope_downsampler.h"
#include "run_palette.h"
#include "series_cache.h"
#include "series_smoothing.h"

namespace sage::ui {

namespace {

const QColor kCurveColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28),
                               QColor(0x2c, 0xa0, 0x2c), QColor(0xff, 0x7f, 0x0e),
                               QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                               QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};
const Qt::PenStyle kDashes[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};

// The `*` of a pattern key, as a regular expression capturing what it stands for.
QRegularExpression patternRegex(const QString& pattern) {
    QString escaped = QRegularExpression::escape(pattern);
    escaped.replace(QStringLiteral("\\*"), QStringLiteral("(.+)"));
    return QRegularExpression(QLatin1Char('^') + escaped + QLatin1Char('$'));
}

QString substitute(const QString& pattern, const QString& part) {
    QString out = pattern;
    return out.replace(QLatin1Char('*'), part);
}

}  // namespace

PlotPanel::PlotPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent)
    : DashboardPanel(cache, std::move(spec), parent),
      m_title(new QLabel(this)),
      m_logY(new QCheckBox(tr("log y"), this)),
      m_metricsButton(new QToolButton(this)),
      m_plot(new QCustomPlot(this)) {
    setObjectName(QStringLiteral("plotPanel"));
    m_plot->setObjectName(QStringLiteral("panelPlot"));
    m_plot->setMinimumSize(280, 190);
    m_title->setTextFormat(Qt::PlainText);
    // A long title must not widen the panel past its column: it is cut, the tooltip has it all.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(40);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_metricsButton->setText(tr("Metrics"));
    m_metricsButton->setToolTip(tr("Choose the metrics this panel draws"));
    connect(m_metricsButton, &QToolButton::clicked, this, &PlotPanel::showMetricsMenu);
    m_logY->setToolTip(tr("Logarithmic y axis (values ≤ 0 are left out)"));
    m_logY->setChecked(this->spec().logY);
    connect(m_logY, &QCheckBox::toggled, this, &PlotPanel::setLogY);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setToolTip(tr("Save this panel as PNG, PDF or CSV"));
    connect(exportButton, &QToolButton::clicked, this,
            [this, exportButton] { showExportMenu(exportButton); });
    auto* removeButton = new QToolButton(this);
    removeButton->setText(QStringLiteral("✕"));
    removeButton->setToolTip(tr("Remove this panel"));
    removeButton->setVisible(this->spec().userAdded);
    connect(removeButton, &QToolButton::clicked, this, &DashboardPanel::removeRequested);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(2, 0, 2, 0);
    bar->addWidget(m_title, 1);
    bar->addWidget(m_logY);
    bar->addWidget(m_metricsButton);
    bar->addWidget(exportButton);
    bar->addWidget(removeButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(1);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setNoAntialiasingOnDrag(true);
    // No QCP::phFastPolylines: that hint draws a graph segment by segment (one stroker set-up per
    // segment); a single polyline with the 1 px pen the dense envelopes use is faster.
    m_plot->legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->legend->setFont(small);
    m_plot->legend->setBrush(QColor(255, 255, 255, 200));
    m_plot->legend->setIconSize(14, 8);
    m_plot->legend->setRowSpacing(2);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->xAxis->setLabelFont(small);
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->setTickLabelFont(small);

    // The crosshair lives on QCustomPlot's top layer, "overlay", buffered while it shows.
    m_plot->layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmLogical);
    m_plot->installEventFilter(this);  // Leave hides the crosshair
    m_crossLine = new QCPItemStraightLine(m_plot);
    m_crossLine->setLayer(QStringLiteral("overlay"));
    m_crossLine->setPen(QPen(QColor(80, 80, 80), 1, Qt::DashLine));
    m_crossLine->setVisible(false);
    m_crossText = new QCPItemText(m_plot);
    m_crossText->setLayer(QStringLiteral("overlay"));
    m_crossText->setPositionAlignment(Qt::AlignTop | Qt::AlignRight);
    m_crossText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_crossText->position->setCoords(0.99, 0.02);
    m_crossText->setTextAlignment(Qt::AlignLeft);
    m_crossText->setBrush(QColor(255, 255, 240, 230));
    m_crossText->setPen(QPen(QColor(160, 160, 160)));
    m_crossText->setPadding(QMargins(4, 2, 4, 2));
    m_crossText->setFont(small);
    m_crossText->setVisible(false);
    m_emptyText = new QCPItemText(m_plot);
    m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyText->position->setCoords(0.5, 0.5);
    m_emptyText->setColor(QColor(120, 120, 120));
    m_emptyText->setVisible(false);

    connect(m_plot, &QCustomPlot::mouseMove, this, &PlotPanel::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_autoRange = true;
        markDirty();
    });
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            &PlotPanel::onXRangeChanged);
    connect(m_plot, &QCustomPlot::legendClick, this,
            [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
                if (auto* pi = qobject_cast<QCPPlottableLegendItem*>(item)) {
                    const QString label = pi->plottable()->name();
                    setCurveHidden(label, !m_hidden.contains(label));
                }
            });
    setToolTip(tr("Drag to pan, wheel to zoom, double-click to fit; click a legend entry to hide "
                  "or show its curve"));
    updateTitle();
    setLogY(this->spec().logY);
}

void PlotPanel::updateTitle() {
    m_title->setText(spec().title.isEmpty() ? spec().keys().join(QStringLiteral(", "))
                                            : spec().title);
    m_title->setToolTip(spec().keys().join(QLatin1Char('\n')));
}

void PlotPanel::setLogY(bool logY) {
    mutableSpec().logY = logY;
    if (m_logY->isChecked() != logY) m_logY->setChecked(logY);
    m_plot->yAxis->setScaleType(logY ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logY)
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_autoRange = true;
    markDirty();
}

void PlotPanel::zoomTo(double low, double high) {
    m_autoRange = false;
    m_plot->xAxis->setRange(low, high);  // rangeChanged marks the panel dirty
}

void PlotPanel::setCurveHidden(const QString& label, bool hidden) {
    if (hidden)
        m_hidden.insert(label);
    else
        m_hidden.remove(label);
    markDirty();
}

std::vector<PlotPanel::Curve> PlotPanel::resolveCurves() {
    std::vector<Curve> curves;
    const bool manyRuns = runs().size() > 1;
    for (const QList<qint64>& group : runGroups()) {
        const qint64 run = group.first();  // a group of seeds takes its first run's colour and keys
        int index = 0;
        const auto add = [&](const QString& key, const PanelCurve& c, const QString& part) {
            Curve curve;
            curve.run = run;
            curve.key = key;
            if (group.size() > 1) {
                // The seeds' mean inside their lowest-to-highest band.
                QStringList ids;
                std::vector<const Series*> members;
                for (qint64 member : group) {
                    ids.append(QString::number(member));
                    members.push_back(&cache().series(member, key));
                }
                SeedGroupSeries& seeds = m_seedGroups[{group, key}];
                seeds.update(members);
                curve.label = tr("runs %1 (mean of %2) %3").arg(ids.join(QLatin1Char(','))).arg(group.size()).arg(key);
                curve.series = &seeds.mean;
                curve.low = &seeds.low;
                curve.high = &seeds.high;
                curve.seedGroup = true;
                curve.index = index++;
                curves.push_back(curve);
                return;
            }
            curve.label = manyRuns ? QStringLiteral("run %1 %2").arg(run).arg(key) : key;
            curve.series = &cache().series(run, key);
            if (!c.lowKey.isEmpty()) curve.low = &cache().series(run, substitute(c.lowKey, part));
            if (!c.highKey.isEmpty())
                curve.high = &cache().series(run, substitute(c.highKey, part));
            if (!c.stdKey.isEmpty())
                curve.stdDev = &cache().series(run, substitute(c.stdKey, part));
            curve.index = index++;
            curves.push_back(curve);
        };
        for (const PanelCurve& c : spec().curves) {
            if (!c.key.contains(QLatin1Char('*'))) {
                add(c.key, c, {});
                continue;
            }
            const QRegularExpression re = patternRegex(c.key);
            for (const QString& key : cache().keys(run)) {
                const QRegularExpressionMatch m = re.match(key);
                if (m.hasMatch()) add(key, c, m.captured(1));
            }
        }
    }
    return curves;
}

bool PlotPanel::EnvelopeKey::operator==(const EnvelopeKey& o) const {
    return series == o.series && band == o.band && size == o.size && weight == o.weight &&
           wall == o.wall && log == o.log && low == o.low && high == o.high &&
           buckets == o.buckets;
}

const std::vector<double>& PlotPanel::smoothed(const Series& series) {
    Smoothed& s = m_smoothed[&series];
    if (s.weight != smoothing() || s.values.size() > series.size()) s = Smoothed{smoothing(), {}, {}};
    extendDebiasedEma(series.values, s.weight, s.state, s.values);
    return s.values;
}

const std::vector<double>* PlotPanel::smoothedIfCurrent(const Series& series) const {
    const auto found = m_smoothed.find(&series);
    if (found == m_smoothed.end() || found->second.weight != smoothing()) return nullptr;
    return &found->second.values;
}

PlotPanel::BandKind PlotPanel::bandOf(const Curve& c) const {
    if (c.low && c.high && c.low->size() == c.series->size() && c.high->size() == c.series->size())
        return BandKind::LowHigh;
    if (c.stdDev && c.stdDev->size() == c.series->size()) return BandKind::StdDev;
    return BandKind::None;
}

QString PlotPanel::graphLayout(const std::vector<Curve>& curves) const {
    QString layout = QStringLiteral("%1|%2").arg(runs().size() > 1).arg(smoothing() > 0.0);
    for (const Curve& c : curves) {
        layout += QStringLiteral("|%1:%2:%3:%4:%5:%6")
                      .arg(c.label)
                      .arg(int(bandOf(c)))
                      .arg(c.series->size() > 0)
                      .arg(quintptr(c.series))
                      .arg(quintptr(c.low ? c.low : c.stdDev))
                      .arg(quintptr(c.high));
    }
    return layout;
}

void PlotPanel::rebuildGraphs() {
    m_plot->clearGraphs();
    m_graphs.clear();
    const bool smooth = smoothing() > 0.0;
    const bool manyRuns = runs().size() > 1;
    const auto add = [&](size_t curve, Role role, const QPen& pen) {
        DrawnGraph drawn;
        drawn.graph = m_plot->addGraph();
        drawn.graph->setAdaptiveSampling(false);  // the envelope already is one point pair per pixel
        drawn.curve = curve;
        drawn.role = role;
        drawn.pen = pen;
        drawn.graph->setPen(pen);
        if (role != Role::Line) drawn.graph->removeFromLegend();
        m_graphs.push_back(drawn);
        return drawn.graph;
    };
    for (size_t i = 0; i < m_curves.size(); ++i) {
        const Curve& c = m_curves[i];
        if (c.series->size() == 0) continue;
        const QColor color = manyRuns ? RunPalette::shared().color(c.run)
                                      : kCurveColors[c.index % std::size(kCurveColors)];
        const Qt::PenStyle dash = manyRuns ? kDashes[c.index % std::size(kDashes)] : Qt::SolidLine;
        // Bands first, so lines draw over them.
        if (bandOf(c) != BandKind::None) {
            QColor fill = color;
            fill.setAlpha(45);
            QCPGraph* low = add(i, Role::BandLow, QPen(Qt::NoPen));
            QCPGraph* high = add(i, Role::BandHigh, QPen(Qt::NoPen));
            high->setBrush(fill);
            high->setChannelFillGraph(low);
        }
        if (smooth) {
            QColor faint = color;
            faint.setAlpha(70);
            add(i, Role::Raw, QPen(faint, 1, dash));
        }
        add(i, Role::Line, QPen(color, 1.6, dash))->setName(c.label);
    }
    // Smoothed copies of series no curve draws any more are dropped.
    std::set<const Series*> used;
    for (const Curve& c : m_curves)
        for (const Series* s : {c.series, c.low, c.high, c.stdDev}) used.insert(s);
    for (auto it = m_smoothed.begin(); it != m_smoothed.end();)
        it = used.count(it->first) ? std::next(it) : m_smoothed.erase(it);
}

std::vector<double> PlotPanel::bandValues(const Curve& c, Role role) {
    const bool smooth = smoothing() > 0.0;
    const auto values = [&](const Series& s) -> const std::vector<double>& {
        return smooth ? smoothed(s) : s.values;
    };
    if (bandOf(c) == BandKind::LowHigh) return values(role == Role::BandLow ? *c.low : *c.high);
    const std::vector<double>& main = values(*c.series);
    const std::vector<double>& sd = values(*c.stdDev);
    const double sign = role == Role::BandLow ? -1.0 : 1.0;
    std::vector<double> out(main.size());
    for (size_t i = 0; i < main.size(); ++i) out[i] = main[i] + sign * sd[i];
    return out;
}

void PlotPanel::updateGraph(DrawnGraph& drawn, const EnvelopeKey& key) {
    if (drawn.key == key) return;
    drawn.key = key;
    const Curve& c = m_curves[drawn.curve];
    const bool smooth = smoothing() > 0.0;
    const std::vector<double>& x = key.wall ? c.series->wallTimes : c.series->steps;
    std::vector<double> owned;
    const std::vector<double>* y = &c.series->values;
    if (drawn.role == Role::BandLow || drawn.role == Role::BandHigh) {
        owned = bandValues(c, drawn.role);
        y = &owned;
    } else if (drawn.role == Role::Line && smooth) {
        y = &smoothed(*c.series);
    }
    XYPoints points;
    // Steps are always finite; wall times are missing (NaN) for evaluations appended live.
    if (!key.wall || std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) {
        points = minMaxEnvelope(x, *y, key.low, key.high, key.buckets, key.log);
    } else {
        // Points without an x are left out.
        std::vector<double> x2, y2;
        for (size_t i = 0; i < x.size() && i < y->size(); ++i) {
            if (!std::isfinite(x[i])) continue;
            x2.push_back(x[i]);
            y2.push_back((*y)[i]);
        }
        points = minMaxEnvelope(x2, y2, key.low, key.high, key.buckets, key.log);
    }
    QVector<QCPGraphData> data(int(points.x.size()));
    for (size_t i = 0; i < points.x.size(); ++i) data[int(i)] = QCPGraphData(points.x[i], points.y[i]);
    drawn.graph->data()->set(data, true);
    // Where points are denser than every other pixel the line is a solid band of vertical
    // strokes: a 1 px aliased pen draws it the same and takes the raster engine's fast path.
    const bool dense = data.size() * 2 > key.buckets;
    QPen pen = drawn.pen;
    if (dense && pen.style() != Qt::NoPen) pen.setWidthF(1.0);
    drawn.graph->setPen(pen);
    // Sparse series (evaluations on a schedule, the one test point at the end) get a marker per
    // point: a lone point has no line to show it.
    const bool sparse = drawn.role == Role::Line && data.size() * 8 <= key.buckets;
    drawn.graph->setScatterStyle(sparse ? QCPScatterStyle(QCPScatterStyle::ssDisc, 5) : QCPScatterStyle());
    drawn.graph->setAntialiased(!dense);
    drawn.graph->setAntialiasedFill(!dense);
}

void PlotPanel::rebuild() {
    std::vector<Curve> curves = resolveCurves();
    const QString layout = graphLayout(curves);
    m_curves = std::move(curves);
    if (layout != m_graphLayout) {
        m_graphLayout = layout;
        rebuildGraphs();
    }
    const bool wall = xAxisMode() == XAxisMode::WallTime;
    m_plot->xAxis->setLabel(wall ? tr("wall time (s)") : tr("step"));

    // The x range: everything while following the data, else what the user zoomed to.
    double xLow = std::numeric_limits<double>::infinity();
    double xHigh = -xLow;
    for (const Curve& c : m_curves) {
        const std::vector<double>& x = wall ? c.series->wallTimes : c.series->steps;
        for (double v : x)
            if (std::isfinite(v)) {
                xLow = std::min(xLow, v);
                break;
            }
        for (auto it = x.rbegin(); it != x.rend(); ++it)
            if (std::isfinite(*it)) {
                xHigh = std::max(xHigh, *it);
                break;
            }
    }
    const bool any = xLow <= xHigh;
    m_emptyText->setVisible(!any);
    m_plot->legend->setVisible(any);
    if (!any) {
        m_emptyText->setText(tr("No data yet for %1").arg(spec().keys().join(QStringLiteral(", "))));
        for (DrawnGraph& drawn : m_graphs) drawn.graph->setVisible(false);
        return;
    }
    if (m_autoRange) {
        m_applyingRange = true;
        m_plot->xAxis->setRange(xLow, xHigh > xLow ? xHigh : xLow + 1);
        m_applyingRange = false;
    }
    const QCPRange view = m_plot->xAxis->range();
    // One bucket per pixel of the plot's width (the axis rect is a little narrower; its size is
    // only settled by the next replot).
    const int buckets = std::max(64, m_plot->width());
    const bool smooth = smoothing() > 0.0;

    for (DrawnGraph& drawn : m_graphs) {
        const Curve& c = m_curves[drawn.curve];
        const bool hidden = m_hidden.contains(c.label);
        drawn.graph->setVisible(!hidden);
        if (drawn.role == Role::Line) {
            if (QCPAbstractLegendItem* item = m_plot->legend->itemWithPlottable(drawn.graph))
                item->setTextColor(hidden ? QColor(170, 170, 170) : Qt::black);
        }
        if (hidden) continue;  // its envelope is computed when it is shown again
        EnvelopeKey key;
        key.series = c.series;
        key.band = drawn.role == Role::BandLow ? (c.low ? c.low : c.stdDev)
                   : drawn.role == Role::BandHigh ? (c.high ? c.high : c.stdDev)
                                                  : nullptr;
        key.size = c.series->size();
        key.weight = smooth && drawn.role != Role::Raw ? smoothing() : 0.0;
        key.wall = wall;
        key.log = spec().logY;
        key.low = view.lower;
        key.high = view.upper;
        key.buckets = buckets;
        updateGraph(drawn, key);
    }

    if (m_autoRange) {
        bool found = false;
        QCPRange y;
        for (const DrawnGraph& drawn : m_graphs) {
            if (!drawn.graph->visible()) continue;
            bool ok = false;
            const QCPRange r = drawn.graph->getValueRange(ok, QCP::sdBoth, view);
            if (!ok) continue;
            y = found ? QCPRange(std::min(y.lower, r.lower), std::max(y.upper, r.upper)) : r;
            found = true;
        }
        if (found) {
            if (spec().logY) {
                m_plot->yAxis->setRange(y.lower / 1.3, y.upper * 1.3);
            } else {
                // A flat series (up to rounding noise, e.g. a cap of 1 ± 1e-16) gets a readable
                // range instead of ticks that all print "1".
                const bool flat = y.size() <= 1e-9 * std::max(1.0, std::abs(y.center()));
                const double pad = flat ? std::max(1e-3, std::abs(y.center()) * 0.05)
                                        : y.size() * 0.06;
                m_plot->yAxis->setRange(y.lower - pad, y.upper + pad);
            }
        }
    }
}

void PlotPanel::onXRangeChanged() {
    // A pan or zoom by the user: the envelope of the new range is due.
    if (!m_applyingRange) markDirty();
}

QString PlotPanel::crosshairText(double x) const {
    const bool wall = xAxisMode() == XAxisMode::WallTime;
    QStringList lines;
    lines.append(wall ? tr("t = %1 s").arg(x, 0, 'f', 1) : tr("step %1").arg(qint64(std::floor(x + 1e-9))));
    const bool smooth = smoothing() > 0.0;
    for (const Curve& c : m_curves) {
        if (m_hidden.contains(c.label) || c.series->size() == 0) continue;
        const std::vector<double>& xs = wall ? c.series->wallTimes : c.series->steps;
        // The last point at or before x: what the run had reached there.
        auto it = std::upper_bound(xs.begin(), xs.end(), x + 1e-9);
        if (it == xs.begin()) continue;
        const size_t i = size_t(it - xs.begin()) - 1;
        double v = c.series->values[i];
        if (smooth) {
            const std::vector<double>* s = smoothedIfCurrent(*c.series);
            if (s && i < s->size()) v = (*s)[i];
        }
        lines.append(QStringLiteral("%1: %2").arg(c.label).arg(v, 0, 'g', 5));
    }
    return lines.join(QLatin1Char('\n'));
}

void PlotPanel::onMouseMove(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (m_plot->axisRect()->rect().contains(pos.toPoint()) && !m_curves.empty())
        showCrosshair(m_plot->xAxis->pixelToCoord(pos.x()));
    else
        hideCrosshair();
}

void PlotPanel::showCrosshair(double x) {
    m_crossLine->setVisible(true);
    m_crossText->setVisible(true);
    m_crossLine->point1->setCoords(x, 0);
    m_crossLine->point2->setCoords(x, 1);
    m_crossText->setText(crosshairText(x));
    // The overlay has a paint buffer of its own only while the crosshair shows: moving it then
    // repaints that layer alone, and every other replot clears and blends one buffer, not two.
    QCPLayer* overlay = m_plot->layer(QStringLiteral("overlay"));
    overlay->setMode(QCPLayer::lmBuffered);
    overlay->replot();  // a full replot when the buffers were just rearranged
}

void PlotPanel::hideCrosshair() {
    if (!m_crossLine->visible()) return;
    m_crossLine->setVisible(false);
    m_crossText->setVisible(false);
    m_plot->layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmLogical);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool PlotPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::Leave) hideCrosshair();
    return DashboardPanel::eventFilter(watched, event);
}

QStringList PlotPanel::curveLabels() const {
    QStringList labels;
    for (const Curve& c : m_curves) labels.append(c.label);
    return labels;
}

const QCPGraph* PlotPanel::graphNamed(const QString& label) const {
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (m_plot->graph(i)->name() == label) return m_plot->graph(i);
    return nullptr;
}

int PlotPanel::drawnPointCount(const QString& label) const {
    const QCPGraph* graph = graphNamed(label);
    return graph ? graph->dataCount() : -1;
}

bool PlotPanel::drawsMarkers(const QString& label) const {
    const QCPGraph* graph = graphNamed(label);
    return graph && graph->scatterStyle().shape() != QCPScatterStyle::ssNone;
}

void PlotPanel::showMetricsMenu() {
    QMenu menu(this);
    QStringList keys;
    for (qint64 run : runs())
        for (const QString& k : cache().keys(run))
            if (!keys.contains(k)) keys.append(k);
    keys.sort();
    const QStringList chosen = spec().keys();
    for (const QString& k : chosen)
        if (!keys.contains(k)) keys.prepend(k);  // patterns and keys not logged yet
    for (const QString& key : keys) {
        QAction* action = menu.addAction(key);
        action->setCheckable(true);
        action->setChecked(chosen.contains(key));
        connect(action, &QAction::toggled, this, [this, key](bool on) {
            QList<PanelCurve>& curves = mutableSpec().curves;
            if (on) {
                curves.append({key, {}, {}, {}});
            } else {
                curves.erase(std::remove_if(curves.begin(), curves.end(),
                                            [&](const PanelCurve& c) { return c.key == key; }),
                             curves.end());
            }
            updateTitle();
            m_autoRange = true;
            markDirty();
            Q_EMIT specChanged();
        });
    }
    menu.exec(m_metricsButton->mapToGlobal(QPoint(0, m_metricsButton->height())));
}

QString PlotPanel::csvText() const {
    const bool smooth = smoothing() > 0.0;
    QStringList header{QStringLiteral("step")};
    std::map<qint64, QStringList> rows;
    int column = 0;
    const int width = int(m_curves.size()) * (smooth ? 2 : 1);
    for (const Curve& c : m_curves) {
        const QString name = c.seedGroup ? c.label : QStringLiteral("run%1:%2").arg(c.run).arg(c.key);
        header.append(name);
        if (smooth) header.append(name + QStringLiteral(" (smoothed)"));
        // The smoothing the panel drew, or computed now if the series grew since.
        std::vector<double> smoothedValues;
        if (smooth) {
            const std::vector<double>* current = smoothedIfCurrent(*c.series);
            smoothedValues = current && current->size() == c.series->size()
                                 ? *current
                                 : debiasedEma(c.series->values, smoothing());
        }
        for (size_t i = 0; i < c.series->size(); ++i) {
            QStringList& row = rows[qint64(c.series->steps[i])];
            if (row.isEmpty())
                for (int k = 0; k < width; ++k) row.append(QString());
            row[column] = QString::number(c.series->values[i], 'g', 17);
            if (smooth) row[column + 1] = QString::number(smoothedValues[i], 'g', 17);
        }
        column += smooth ? 2 : 1;
    }
    const auto quote = [](QString s) {
        if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')))
            s = QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
                QLatin1Char('"');
        return s;
    };
    QStringList quoted;
    for (const QString& h : header) quoted.append(quote(h));
    QString out = quoted.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const auto& [step, row] : rows)
        out += QString::number(step) + QLatin1Char(',') + row.join(QLatin1Char(',')) +
               QLatin1Char('\n');
    return out;
}

bool PlotPanel::exportCsv(const QString& path) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
    file.write(csvText().toUtf8());
    return true;
}

}  // namespace sage::ui
