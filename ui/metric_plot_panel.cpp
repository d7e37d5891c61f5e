#include "metric_plot_panel.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "qcustomplot_no_keywords.h"

#include "store/run_store.h"

namespace sage::ui {

MetricPlotPanel::MetricPlotPanel(RunStore& store, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_metricCombo(new QComboBox(this)),
      m_caption(new QLabel(this)),
      m_plot(new QCustomPlot(this)) {
    setObjectName(QStringLiteral("metricPlotPanel"));
    m_metricCombo->setObjectName(QStringLiteral("metricCombo"));
    m_metricCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_metricCombo->setMinimumContentsLength(16);
    m_caption->setObjectName(QStringLiteral("plotCaption"));
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_plot->setObjectName(QStringLiteral("metricPlot"));
    m_plot->setMinimumSize(320, 200);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Metric:"), this));
    bar->addWidget(m_metricCombo);
    bar->addSpacing(12);
    bar->addWidget(m_caption, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);

    m_graph = m_plot->addGraph();
    m_graph->setPen(QPen(QColor(0x1f, 0x6f, 0xd0), 1.5));
    m_graph->setAdaptiveSampling(true);  // long series stay cheap to draw
    m_plot->xAxis->setLabel(tr("step"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setNoAntialiasingOnDrag(true);

    connect(m_metricCombo, &QComboBox::textActivated, this, [this](const QString& key) {
        m_preferred = key;  // a choice made by hand survives switching runs
        setMetric(key);
    });
    // Panning or zooming by hand stops the view from following new points until a double-click.
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_autoRange = true;
        afterDataChanged();
    });
    updateCaption();
}

QStringList MetricPlotPanel::availableMetrics() const {
    QStringList keys;
    for (int i = 0; i < m_metricCombo->count(); ++i) keys.append(m_metricCombo->itemText(i));
    return keys;
}

int MetricPlotPanel::pointCount() const { return m_graph->dataCount(); }

void MetricPlotPanel::showRun(qint64 runId) {
    m_runId = runId;
    m_keys.clear();
    m_metricCombo->clear();
    m_metric.clear();
    m_autoRange = true;
    if (runId != 0) {
        QStringList keys;
        try {
            for (const std::string& key : m_store.metricKeys(runId))
                keys.append(QString::fromStdString(key));
        } catch (const std::exception&) {
            // Busy for a moment: the next store change fills the chooser.
        }
        mergeKeys(keys);
    }
    reload();
}

void MetricPlotPanel::mergeKeys(const QStringList& keys) {
    bool added = false;
    for (const QString& key : keys) {
        if (m_keys.contains(key)) continue;
        m_keys.insert(key);
        added = true;
    }
    if (!added) return;
    QStringList sorted(m_keys.begin(), m_keys.end());
    std::sort(sorted.begin(), sorted.end());
    {
        const QSignalBlocker block(m_metricCombo);
        m_metricCombo->clear();
        m_metricCombo->addItems(sorted);
    }
    // Prefer what the user chose (or `reward`) as soon as the run has it.
    QString wanted = m_metric;
    if (m_keys.contains(m_preferred)) wanted = m_preferred;
    // A supervised run has no reward; its loss says more than the first key of the alphabet.
    if (wanted.isEmpty() || !m_keys.contains(wanted))
        wanted = m_keys.contains(QStringLiteral("sft/loss")) ? QStringLiteral("sft/loss") : sorted.first();
    m_metricCombo->setCurrentText(wanted);
    if (wanted != m_metric) {
        m_metric = wanted;
        reload();
    }
}

void MetricPlotPanel::setMetric(const QString& key) {
    if (key == m_metric) return;
    m_metric = key;
    if (m_metricCombo->currentText() != key) m_metricCombo->setCurrentText(key);
    m_autoRange = true;
    reload();
}

void MetricPlotPanel::setLiveRun(qint64 runId) { m_liveRunId = runId; }

void MetricPlotPanel::reload() {
    m_graph->data()->clear();
    m_storeStep = -1;
    m_liveFrom = -1;
    m_lastStep = -1;
    m_plot->yAxis->setLabel(m_metric);
    if (m_runId != 0 && !m_metric.isEmpty()) {
        try {
            addStoredPoints(m_store.metricSeries(m_runId, m_metric.toStdString(), -1));
        } catch (const std::exception&) {
        }
    }
    afterDataChanged();
}

void MetricPlotPanel::refreshFromStore() {
    if (m_runId == 0) return;
    try {
        if (m_keys.isEmpty() || m_runId != m_liveRunId) {
            QStringList keys;
            for (const std::string& key : m_store.metricKeys(m_runId))
                keys.append(QString::fromStdString(key));
            mergeKeys(keys);
        }
        if (m_metric.isEmpty()) return;
        addStoredPoints(m_store.metricSeries(m_runId, m_metric.toStdString(), m_storeStep));
    } catch (const std::exception&) {
        return;  // the next change retries from the same step
    }
    afterDataChanged();
}

void MetricPlotPanel::addStoredPoints(const std::vector<MetricPoint>& points) {
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(int(points.size()));
    values.reserve(int(points.size()));
    for (const MetricPoint& p : points) {
        m_storeStep = std::max(m_storeStep, p.step);
        if (m_liveFrom >= 0 && p.step >= m_liveFrom) continue;  // the live buffer drew it
        keys.append(double(p.step));
        values.append(p.value);
        if (p.step >= m_lastStep) {
            m_lastStep = p.step;
            m_lastValue = p.value;
        }
    }
    // Sorted unless they fill a gap below live points; the container merges either way.
    m_graph->addData(keys, values, m_liveFrom < 0);
}

void MetricPlotPanel::appendLive(qint64 runId, const MetricsBatch& batch) {
    if (runId == 0 || runId != m_runId || runId != m_liveRunId || batch.steps.empty()) return;
    // New keys first: the first batch of a run is what chooses `reward`, and it is plotted too.
    QStringList newKeys;
    for (const StepScalars& s : batch.steps) {
        for (const auto& [key, value] : s.values) {
            const QString name = QString::fromStdString(key);
            if (!m_keys.contains(name) && !newKeys.contains(name)) newKeys.append(name);
        }
    }
    if (!newKeys.isEmpty()) mergeKeys(newKeys);

    const std::string metric = m_metric.toStdString();
    QVector<double> keys;
    QVector<double> values;
    for (const StepScalars& s : batch.steps) {
        if (s.step <= m_lastStep) continue;
        for (const auto& [key, value] : s.values) {
            if (key != metric) continue;
            keys.append(double(s.step));
            values.append(value);
            if (m_liveFrom < 0) m_liveFrom = s.step;
            m_lastStep = s.step;
            m_lastValue = value;
            break;
        }
    }
    if (keys.isEmpty()) return;
    m_graph->addData(keys, values, true);
    afterDataChanged();
}

void MetricPlotPanel::afterDataChanged() {
    if (m_autoRange && m_graph->dataCount() > 0) {
        m_graph->rescaleAxes();
        // A flat series would otherwise sit on the frame.
        const QCPRange y = m_plot->yAxis->range();
        const double pad =
            y.size() > 0 ? y.size() * 0.05 : std::max(1e-3, std::abs(y.center()) * 0.05);
        m_plot->yAxis->setRange(y.lower - pad, y.upper + pad);
    }
    updateCaption();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MetricPlotPanel::updateCaption() {
    if (m_runId == 0) {
        m_caption->setText(tr("Select a run, or start one."));
        return;
    }
    QString text = tr("run %1").arg(m_runId);
    if (m_runId == m_liveRunId) text += tr(" · live");
    if (m_lastStep >= 0)
        text +=
            tr(" · %1 = %2 at step %3").arg(m_metric).arg(m_lastValue, 0, 'g', 5).arg(m_lastStep);
    else if (!m_metric.isEmpty())
        text += tr(" · no %1 yet").arg(m_metric);
    m_caption->setText(text);
}

}  // namespace sage::ui
