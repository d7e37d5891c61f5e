#include "compare_view.h"

#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include "compare_summary.h"
#include "config_diff.h"
#include "experiment_report_view.h"
#include "experiments_model.h"
#include "metrics_csv_export.h"
#include "panel_spec.h"
#include "plot_group_view.h"
#include "run_palette.h"
#include "seed_groups.h"
#include "store/run_store.h"

namespace sage::ui {

namespace {

PanelGroupSpec compareGroup() {
    return {QStringLiteral("compare"),
            QObject::tr("Compare"),
            {PanelSpec::ofKeys(QObject::tr("Reward"), {QStringLiteral("reward")}),
             PanelSpec::ofKeys(QObject::tr("Slate entropy Ĥ"), {QStringLiteral("slate/entropy_mean")}),
             // Exposure as well as recall: recall needs cold targets among the evaluated users,
             // which a small validation subset may not have.
             PanelSpec::ofKeys(QObject::tr("Cold start: recall@10 and exposure@10"),
                               evaluatedKeys({QStringLiteral("cold_recall@10"), QStringLiteral("cold_exposure@10")})),
             PanelSpec::ofKeys(QObject::tr("Entropy@10"), evaluatedKeys({QStringLiteral("entropy@10")}))}};
}

QIcon swatch(const QColor& color) {
    QPixmap pixmap(12, 12);
    pixmap.fill(color);
    return QIcon(pixmap);
}

}  // namespace

CompareView::CompareView(RunStore& store, SeriesCache& cache, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_runs(new QListWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_plots(new PlotGroupView(cache, compareGroup(), this)),
      m_diff(new QTableWidget(this)),
      m_summary(new QTableWidget(this)),
      m_report(new ExperimentReportView(store, this)),
      m_groupSeeds(new QCheckBox(tr("Group seeds"), this)),
      m_baseline(new QComboBox(this)),
      m_mode(new QComboBox(this)),
      m_metrics(new QLineEdit(this)) {
    setObjectName(QStringLiteral("compareView"));
    m_runs->setObjectName(QStringLiteral("compareRuns"));
    m_runs->setToolTip(tr("Tick the runs to compare; each keeps its colour in every panel"));
    m_groupSeeds->setObjectName(QStringLiteral("groupSeeds"));
    m_groupSeeds->setToolTip(tr("Draw runs whose configurations differ only in training.seed as one "
                                "curve: their mean, inside a band from the lowest to the highest seed"));
    m_diff->setObjectName(QStringLiteral("configDiff"));
    m_diff->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diff->verticalHeader()->setVisible(false);
    m_diff->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_summary->verticalHeader()->setVisible(false);
    m_summary->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_baseline->setObjectName(QStringLiteral("baselineCombo"));
    m_baseline->setToolTip(tr("Changes are given in % against this run"));
    m_mode->addItems({tr("Final value"), tr("Best value")});
    m_mode->setToolTip(tr("Best: highest, or lowest for losses, KL, gradient norm and Gini"));
    m_metrics->setObjectName(QStringLiteral("summaryMetrics"));
    m_metrics->setText(QStringLiteral(
        "reward, slate/entropy_mean, eval/recall@10, eval/cold_recall@10, eval/entropy@10"));
    m_metrics->setToolTip(tr("Metrics of the summary table, comma-separated"));

    auto* summaryPage = new QWidget(this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Baseline"), summaryPage));
    controls->addWidget(m_baseline);
    controls->addWidget(m_mode);
    controls->addWidget(new QLabel(tr("Metrics"), summaryPage));
    controls->addWidget(m_metrics, 1);
    auto* exports = new QHBoxLayout;
    for (const QString& format : {QStringLiteral("CSV"), QStringLiteral("Markdown"), QStringLiteral("LaTeX")}) {
        auto* b = new QPushButton(tr("Export %1…").arg(format), summaryPage);
        b->setToolTip(tr("Save the summary table as %1").arg(format));
        connect(b, &QPushButton::clicked, this, [this, format] { exportSummary(format); });
        exports->addWidget(b);
    }
    exports->addStretch(1);
    auto* all = new QPushButton(tr("Export all metrics (CSV)…"), summaryPage);
    all->setToolTip(tr("Every metric of the ticked runs in one long-format CSV"));
    connect(all, &QPushButton::clicked, this, &CompareView::exportAllMetrics);
    exports->addWidget(all);
    auto* summaryLayout = new QVBoxLayout(summaryPage);
    summaryLayout->setContentsMargins(0, 4, 0, 0);
    summaryLayout->addLayout(controls);
    summaryLayout->addWidget(m_summary, 1);
    summaryLayout->addLayout(exports);

    m_tabs->addTab(m_plots, tr("Plots"));
    m_tabs->addTab(m_diff, tr("Configuration diff"));
    m_tabs->addTab(summaryPage, tr("Summary"));
    m_tabs->addTab(m_report, tr("Experiment report"));

    auto* runsColumn = new QWidget(this);
    auto* runsLayout = new QVBoxLayout(runsColumn);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    runsLayout->addWidget(m_runs, 1);
    runsLayout->addWidget(m_groupSeeds);
    auto* split = new QSplitter(this);
    split->addWidget(runsColumn);
    split->addWidget(m_tabs);
    split->setStretchFactor(1, 5);
    split->setSizes({220, 1000});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_runs, &QListWidget::itemChanged, this, [this] { updateAll(); });
    connect(m_groupSeeds, &QCheckBox::toggled, this, [this] { updatePlots(); });
    connect(m_baseline, &QComboBox::currentIndexChanged, this, [this] { updateSummary(); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { updateSummary(); });
    connect(m_metrics, &QLineEdit::editingFinished, this, [this] { updateSummary(); });
    refreshRuns();
}

void CompareView::refreshRuns() {
    m_report->refreshFromStore();  // a suite's runs that finished change its table
    std::vector<RunSummary> runs;
    try {
        runs = m_store.listRuns();
    } catch (const std::exception&) {
        return;
    }
    const QList<qint64> checked = checkedRuns();
    {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
            auto* item = new QListWidgetItem(
                QStringLiteral("%1 · %2 (%3)")
                    .arg(it->id)
                    .arg(QString::fromStdString(it->name))
                    .arg(ExperimentsModel::objectiveOf(it->configJson)),
                m_runs);
            item->setData(Qt::UserRole, qint64(it->id));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(checked.contains(it->id) ? Qt::Checked : Qt::Unchecked);
            item->setIcon(swatch(RunPalette::shared().color(it->id)));
        }
    }
}

QList<qint64> CompareView::checkedRuns() const {
    QList<qint64> ids;
    for (int i = m_runs->count() - 1; i >= 0; --i)  // oldest first
        if (m_runs->item(i)->checkState() == Qt::Checked)
            ids.append(m_runs->item(i)->data(Qt::UserRole).toLongLong());
    return ids;
}

QList<qint64> CompareView::listedRuns() const {
    QList<qint64> ids;
    for (int i = 0; i < m_runs->count(); ++i) ids.append(m_runs->item(i)->data(Qt::UserRole).toLongLong());
    return ids;
}

void CompareView::setCheckedRuns(const QList<qint64>& runs) {
    {
        const QSignalBlocker block(m_runs);
        for (int i = 0; i < m_runs->count(); ++i)
            m_runs->item(i)->setCheckState(
                runs.contains(m_runs->item(i)->data(Qt::UserRole).toLongLong()) ? Qt::Checked
                                                                                 : Qt::Unchecked);
    }
    updateAll();
}

void CompareView::setBaseline(qint64 runId) {
    const int index = m_baseline->findData(runId);
    if (index >= 0) m_baseline->setCurrentIndex(index);
}

void CompareView::setSummaryMetrics(const QString& commaSeparated) {
    m_metrics->setText(commaSeparated);
    updateSummary();
}

void CompareView::updateAll() {
    const QList<qint64> runs = checkedRuns();
    // Colours are handed out in run order, so a run keeps its colour whatever else is ticked.
    for (qint64 id : runs) RunPalette::shared().color(id);
    updatePlots();
    {
        const QSignalBlocker block(m_baseline);
        const qint64 current = m_baseline->currentData().toLongLong();
        m_baseline->clear();
        for (qint64 id : runs) m_baseline->addItem(QStringLiteral("run %1").arg(id), id);
        const int index = m_baseline->findData(current);
        m_baseline->setCurrentIndex(index >= 0 ? index : 0);
    }
    updateDiff();
    updateSummary();
}

void CompareView::updatePlots() {
    const QList<qint64> runs = checkedRuns();
    if (!m_groupSeeds->isChecked()) {
        m_plots->setRuns(runs);
        return;
    }
    QList<QString> configs;
    for (qint64 id : runs) configs.append(configJsonOf(id));
    m_plots->setRunGroups(SeedGroups::of(runs, configs));
}

QString CompareView::configJsonOf(qint64 runId) const {
    try {
        if (const std::optional<RunSummary> r = m_store.run(runId)) return QString::fromStdString(r->configJson);
    } catch (const std::exception&) {
        // A writer holds the file for a moment: shown as no configuration until the next refresh.
    }
    return {};
}

void CompareView::updateDiff() {
    const QList<qint64> runs = checkedRuns();
    QList<QMap<QString, QString>> configs;
    QStringList headers{tr("key")};
    for (qint64 id : runs) {
        configs.append(ConfigDiff::flatten(configJsonOf(id)));
        headers.append(QStringLiteral("run %1").arg(id));
    }
    const QList<ConfigDiff::Row> rows = ConfigDiff::differing(configs);
    m_diff->clear();
    m_diff->setColumnCount(int(headers.size()));
    m_diff->setHorizontalHeaderLabels(headers);
    m_diff->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        m_diff->setItem(r, 0, new QTableWidgetItem(rows[r].key));
        for (int c = 0; c < rows[r].values.size(); ++c) {
            auto* item = new QTableWidgetItem(rows[r].values[c]);
            item->setForeground(RunPalette::shared().color(runs[c]));
            m_diff->setItem(r, c + 1, item);
        }
    }
}

CompareSummary CompareView::summary() const {
    QStringList metrics;
    for (const QString& k : m_metrics->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!k.trimmed().isEmpty()) metrics.append(k.trimmed());
    return CompareSummary::fromStore(
        m_store, checkedRuns(), metrics,
        m_mode->currentIndex() == 1 ? CompareSummary::Mode::Best : CompareSummary::Mode::Final,
        m_baseline->currentData().toLongLong());
}

void CompareView::updateSummary() {
    const CompareSummary s = summary();
    QStringList headers{tr("run")};
    for (const QString& m : s.metrics()) headers << m << tr("Δ %");
    m_summary->clear();
    m_summary->setColumnCount(int(headers.size()));
    m_summary->setHorizontalHeaderLabels(headers);
    m_summary->setRowCount(int(s.runs().size()));
    for (int r = 0; r < s.runs().size(); ++r) {
        auto* name = new QTableWidgetItem(
            QStringLiteral("%1 · %2%3")
                .arg(s.runs()[r])
                .arg(s.runNames()[r])
                .arg(s.runs()[r] == s.baseline() ? tr(" (baseline)") : QString()));
        name->setIcon(swatch(RunPalette::shared().color(s.runs()[r])));
        m_summary->setItem(r, 0, name);
        for (int m = 0; m < s.metrics().size(); ++m) {
            const double v = s.value(r, m);
            const double c = s.changePercent(r, m);
            auto* value = new QTableWidgetItem(std::isnan(v) ? QString() : QString::number(v, 'g', 5));
            auto* change = new QTableWidgetItem(
                std::isnan(c) ? QString() : QStringLiteral("%1%2%").arg(c >= 0 ? "+" : "").arg(c, 0, 'f', 1));
            value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            change->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (!std::isnan(c)) change->setForeground(c >= 0 ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc0, 0x30, 0x30));
            m_summary->setItem(r, 1 + 2 * m, value);
            m_summary->setItem(r, 2 + 2 * m, change);
        }
    }
}

void CompareView::exportSummary(const QString& format) {
    const QString suffix = format == QLatin1String("CSV") ? QStringLiteral("csv")
                           : format == QLatin1String("Markdown") ? QStringLiteral("md")
                                                                 : QStringLiteral("tex");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export summary"), QStringLiteral("compare-summary.%1").arg(suffix),
        QStringLiteral("%1 (*.%2)").arg(format, suffix));
    if (path.isEmpty()) return;
    const CompareSummary s = summary();
    const QString text = suffix == QLatin1String("csv") ? s.toCsv()
                         : suffix == QLatin1String("md") ? s.toMarkdown()
                                                         : s.toLatex();
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
        file.write(text.toUtf8()) < 0)
        QMessageBox::warning(this, tr("Export summary"), tr("Cannot write %1").arg(path));
}

void CompareView::exportAllMetrics() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export all metrics"), QStringLiteral("runs-metrics.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    try {
        if (exportRunsMetricsCsv(m_store, checkedRuns(), path) < 0)
            QMessageBox::warning(this, tr("Export all metrics"), tr("Cannot write %1").arg(path));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export all metrics"), QString::fromUtf8(e.what()));
    }
}

}  // namespace sage::ui
