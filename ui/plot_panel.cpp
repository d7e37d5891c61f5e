#include "plot_panel.h"

#include <algorithm>
#include <cmath>
#include <limits>

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
    // One polyline call per graph instead of a segment loop: several times faster for the
    // envelopes' thousands of points (bench/gui_bench.cpp).
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
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

    // The crosshair lives on its own buffered layer: moving it repaints only that layer.
    m_plot->addLayer(QStringLiteral("crosshair"), nullptr, QCustomPlot::limAbove);
    m_plot->layer(QStringLiteral("crosshair"))->setMode(QCPLayer::lmBuffered);
    m_crossLine = new QCPItemStraightLine(m_plot);
    m_crossLine->setLayer(QStringLiteral("crosshair"));
    m_crossLine->setPen(QPen(QColor(80, 80, 80), 1, Qt::DashLine));
    m_crossLine->setVisible(false);
    m_crossText = new QCPItemText(m_plot);
    m_crossText->setLayer(QStringLiteral("crosshair"));
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
    for (qint64 run : runs()) {
        int index = 0;
        const auto add = [&](const QString& key, const PanelCurve& c, const QString& part) {
            Curve curve;
            curve.run = run;
            curve.key = key;
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

const std::vector<double>& PlotPanel::smoothed(const Curve& curve, const Series& series) {
    const QString id = QStringLiteral("%1|%2|%3")
                           .arg(curve.run)
                           .arg(quintptr(&series))
                           .arg(curve.key);
    Smoothed& s = m_smoothed[id];
    if (s.size != series.size() || s.weight != smoothing()) {
        s.values = debiasedEma(series.values, smoothing());
        s.size = series.size();
        s.weight = smoothing();
    }
    return s.values;
}

std::vector<double> PlotPanel::xOf(const Series& series) const {
    return xAxisMode() == XAxisMode::Step ? series.steps : series.wallTimes;
}

void PlotPanel::rebuild() {
    m_plot->clearGraphs();
    m_curves = resolveCurves();
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
    const bool log = spec().logY;
    const bool smooth = smoothing() > 0.0;
    const bool manyRuns = runs().size() > 1;

    // Copies x and y, dropping non-finite x (eval points without a wall time) and, on a log
    // axis, y ≤ 0; then reduces to the envelope of the visible range.
    const auto envelope = [&](const Series& s, const std::vector<double>& y) {
        const std::vector<double>& xs = wall ? s.wallTimes : s.steps;
        std::vector<double> x2, y2;
        x2.reserve(xs.size());
        y2.reserve(xs.size());
        for (size_t i = 0; i < xs.size() && i < y.size(); ++i) {
            if (!std::isfinite(xs[i])) continue;
            x2.push_back(xs[i]);
            y2.push_back(log && !(y[i] > 0) ? std::nan("") : y[i]);
        }
        return minMaxEnvelope(x2, y2, view.lower, view.upper, buckets);
    };
    const auto addGraph = [&](const XYPoints& pts, const QPen& pen) {
        QCPGraph* g = m_plot->addGraph();
        g->setPen(pen);
        g->data()->set(QVector<QCPGraphData>(), true);
        QVector<QCPGraphData> data(int(pts.x.size()));
        for (size_t i = 0; i < pts.x.size(); ++i) data[int(i)] = QCPGraphData(pts.x[i], pts.y[i]);
        g->data()->set(data, true);
        g->setAdaptiveSampling(false);  // the envelope already is one point pair per pixel
        return g;
    };

    for (const Curve& c : m_curves) {
        if (c.series->size() == 0) continue;
        const QColor color = manyRuns ? RunPalette::shared().color(c.run)
                                      : kCurveColors[c.index % std::size(kCurveColors)];
        const Qt::PenStyle dash = manyRuns ? kDashes[c.index % std::size(kDashes)] : Qt::SolidLine;
        const bool hidden = m_hidden.contains(c.label);
        const std::vector<double>& main = smooth ? smoothed(c, *c.series) : c.series->values;

        // Bands first, so lines draw over them.
        const auto band = [&](const std::vector<double>& lo, const std::vector<double>& hi,
                              const Series& shape) {
            QColor fill = color;
            fill.setAlpha(45);
            QCPGraph* low = addGraph(envelope(shape, lo), QPen(Qt::NoPen));
            QCPGraph* high = addGraph(envelope(shape, hi), QPen(Qt::NoPen));
            high->setBrush(fill);
            high->setChannelFillGraph(low);
            for (QCPGraph* g : {low, high}) {
                g->removeFromLegend();
                g->setVisible(!hidden);
            }
        };
        if (c.low && c.high && c.low->size() == c.series->size() &&
            c.high->size() == c.series->size()) {
            band(smooth ? smoothed(c, *c.low) : c.low->values,
                 smooth ? smoothed(c, *c.high) : c.high->values, *c.series);
        } else if (c.stdDev && c.stdDev->size() == c.series->size()) {
            const std::vector<double>& sd = smooth ? smoothed(c, *c.stdDev) : c.stdDev->values;
            std::vector<double> lo(main.size()), hi(main.size());
            for (size_t i = 0; i < main.size(); ++i) {
                lo[i] = main[i] - sd[i];
                hi[i] = main[i] + sd[i];
            }
            band(lo, hi, *c.series);
        }
        if (smooth) {
            QColor faint = color;
            faint.setAlpha(70);
            QCPGraph* raw = addGraph(envelope(*c.series, c.series->values), QPen(faint, 1, dash));
            raw->removeFromLegend();
            raw->setVisible(!hidden);
        }
        QCPGraph* line = addGraph(envelope(*c.series, main), QPen(color, 1.6, dash));
        line->setName(c.label);
        line->setVisible(!hidden);
        if (QCPAbstractLegendItem* item = m_plot->legend->itemWithPlottable(line))
            item->setTextColor(hidden ? QColor(170, 170, 170) : Qt::black);
    }

    if (m_autoRange) {
        bool found = false;
        QCPRange y;
        for (int i = 0; i < m_plot->graphCount(); ++i) {
            QCPGraph* g = m_plot->graph(i);
            if (!g->visible()) continue;
            bool ok = false;
            const QCPRange r = g->getValueRange(ok, QCP::sdBoth, view);
            if (!ok) continue;
            y = found ? QCPRange(std::min(y.lower, r.lower), std::max(y.upper, r.upper)) : r;
            found = true;
        }
        if (found) {
            if (log) {
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
            const auto found = m_smoothed.find(QStringLiteral("%1|%2|%3")
                                                   .arg(c.run)
                                                   .arg(quintptr(c.series))
                                                   .arg(c.key));
            if (found != m_smoothed.end() && i < found->second.values.size())
                v = found->second.values[i];
        }
        lines.append(QStringLiteral("%1: %2").arg(c.label).arg(v, 0, 'g', 5));
    }
    return lines.join(QLatin1Char('\n'));
}

void PlotPanel::onMouseMove(QMouseEvent* event) {
    const QPointF pos = event->position();
    const bool inside = m_plot->axisRect()->rect().contains(pos.toPoint());
    m_crossLine->setVisible(inside && !m_curves.empty());
    m_crossText->setVisible(inside && !m_curves.empty());
    if (inside) {
        const double x = m_plot->xAxis->pixelToCoord(pos.x());
        m_crossLine->point1->setCoords(x, 0);
        m_crossLine->point2->setCoords(x, 1);
        m_crossText->setText(crosshairText(x));
    }
    m_plot->layer(QStringLiteral("crosshair"))->replot();
}

QStringList PlotPanel::curveLabels() const {
    QStringList labels;
    for (const Curve& c : m_curves) labels.append(c.label);
    return labels;
}

int PlotPanel::drawnPointCount(const QString& label) const {
    for (int i = 0; i < m_plot->graphCount(); ++i)
        if (m_plot->graph(i)->name() == label) return m_plot->graph(i)->dataCount();
    return -1;
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
        const QString name = QStringLiteral("run%1:%2").arg(c.run).arg(c.key);
        header.append(name);
        if (smooth) header.append(name + QStringLiteral(" (smoothed)"));
        const std::vector<double>* smoothedValues = nullptr;
        if (smooth) {
            const auto found = m_smoothed.find(QStringLiteral("%1|%2|%3")
                                                   .arg(c.run)
                                                   .arg(quintptr(c.series))
                                                   .arg(c.key));
            if (found != m_smoothed.end()) smoothedValues = &found->second.values;
        }
        for (size_t i = 0; i < c.series->size(); ++i) {
            QStringList& row = rows[qint64(c.series->steps[i])];
            if (row.isEmpty())
                for (int k = 0; k < width; ++k) row.append(QString());
            row[column] = QString::number(c.series->values[i], 'g', 17);
            if (smooth && smoothedValues && i < smoothedValues->size())
                row[column + 1] = QString::number((*smoothedValues)[i], 'g', 17);
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
