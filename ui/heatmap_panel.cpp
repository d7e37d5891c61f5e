#include "heatmap_panel.h"

#include <algorithm>

#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "qcustomplot_no_keywords.h"

#include "series_cache.h"
#include "store/run_store.h"

namespace sage::ui {

HeatmapPanel::HeatmapPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent)
    : DashboardPanel(cache, std::move(spec), parent),
      m_title(new QLabel(this)),
      m_plot(new QCustomPlot(this)) {
    setObjectName(QStringLiteral("heatmapPanel"));
    m_plot->setMinimumSize(280, 190);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setText(this->spec().title);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(40);
    m_title->setToolTip(this->spec().histogramKey);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setToolTip(tr("Save this panel as PNG, PDF or CSV"));
    connect(exportButton, &QToolButton::clicked, this,
            [this, exportButton] { showExportMenu(exportButton); });
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(2, 0, 2, 0);
    bar->addWidget(m_title, 1);
    bar->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(1);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->xAxis->setLabelFont(small);
    m_plot->yAxis->setLabel(tr("ρ"));
    m_plot->xAxis->setTickLabelFont(small);
    m_plot->yAxis->setTickLabelFont(small);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(tr("share"));
    m_scale->axis()->setTickLabelFont(small);
    m_map->setColorScale(m_scale);
    m_map->setGradient(QCPColorGradient::gpThermal);
    m_map->setInterpolate(false);
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_plot->rescaleAxes();
        m_plot->replot();
    });
    setToolTip(tr("Each column is one step's histogram, normalised to shares; drag to pan, wheel "
                  "to zoom, double-click to fit"));
}

void HeatmapPanel::rebuild() {
    const qint64 run = runs().isEmpty() ? 0 : runs().first();
    // Histograms are small (steps × bins) and redraws are rate-limited: re-read each time.
    m_histograms.clear();
    if (run != 0) {
        try {
            m_histograms = cache().store().histograms(run, spec().histogramKey.toStdString());
        } catch (const std::exception&) {
        }
    }
    m_loadedRun = run;
    if (m_histograms.empty()) {
        m_map->data()->clear();
        m_map->setVisible(false);
        return;
    }
    m_map->setVisible(true);
    const int bins = int(m_histograms.front().counts.size());
    const double low = m_histograms.front().low;
    const double high = m_histograms.front().high;
    const double firstStep = double(m_histograms.front().step);
    const double lastStep = double(m_histograms.back().step);
    const int columns = int(m_histograms.size());
    m_map->data()->setSize(columns, bins);
    const double half = (high - low) / (2.0 * std::max(bins, 1));
    m_map->data()->setRange(QCPRange(firstStep, std::max(lastStep, firstStep + 1)),
                            QCPRange(low + half, high - half));
    for (int c = 0; c < columns; ++c) {
        const HistogramRecord& h = m_histograms[size_t(c)];
        double total = 0;
        for (float v : h.counts) total += v;
        for (int b = 0; b < bins && b < int(h.counts.size()); ++b)
            m_map->data()->setCell(c, b, total > 0 ? h.counts[size_t(b)] / total : 0.0);
    }
    m_map->rescaleDataRange(true);
    m_plot->rescaleAxes();
    // Most mass often sits in a few bins around 0: show the bins that ever hold ≥ 0.5 % of a
    // step, plus one each side, rather than the whole [low, high].
    int firstBin = bins, lastBin = -1;
    for (int c = 0; c < columns; ++c)
        for (int b = 0; b < bins; ++b)
            if (m_map->data()->cell(c, b) >= 0.005) {
                firstBin = std::min(firstBin, b);
                lastBin = std::max(lastBin, b);
            }
    if (lastBin >= firstBin) {
        const double width = (high - low) / std::max(bins, 1);
        m_plot->yAxis->setRange(low + std::max(0, firstBin - 1) * width,
                                low + std::min(bins, lastBin + 2) * width);
    }
}

bool HeatmapPanel::exportCsv(const QString& path) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
    QString out = QStringLiteral("step");
    if (!m_histograms.empty()) {
        const HistogramRecord& first = m_histograms.front();
        const int bins = int(first.counts.size());
        const double width = (first.high - first.low) / std::max(bins, 1);
        for (int b = 0; b < bins; ++b)
            out += QLatin1Char(',') + QString::number(first.low + (b + 0.5) * width, 'g', 6);
    }
    out += QLatin1Char('\n');
    for (const HistogramRecord& h : m_histograms) {
        out += QString::number(h.step);
        for (float v : h.counts) out += QLatin1Char(',') + QString::number(double(v), 'g', 9);
        out += QLatin1Char('\n');
    }
    file.write(out.toUtf8());
    return true;
}

}  // namespace sage::ui
