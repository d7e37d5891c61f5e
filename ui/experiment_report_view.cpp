#include "experiment_report_view.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "report/experiment_report.h"
#include "report/report_markdown.h"
#include "store/run_store.h"

namespace sage::ui {

namespace {

QString text(const std::string& s) { return QString::fromStdString(s); }

// Every column some data set has, in the order of the report's default columns.
std::vector<ReportColumn> unionOfColumns(const ExperimentReport& report) {
    std::vector<ReportColumn> columns;
    for (const ReportColumn& candidate : ExperimentReport::columnsFor(report.split())) {
        bool present = false;
        for (const DatasetReport& dataset : report.datasets())
            for (const ReportColumn& c : dataset.columns) present = present || c.key == candidate.key;
        if (present) columns.push_back(candidate);
    }
    return columns;
}

}  // namespace

ExperimentReportView::ExperimentReportView(RunStore& store, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_experiments(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_table(new QTableWidget(this)) {
    setObjectName(QStringLiteral("experimentReportView"));
    m_experiments->setObjectName(QStringLiteral("reportExperiment"));
    m_experiments->setToolTip(tr("The experiment (a suite's runs) to report on"));
    m_table->setObjectName(QStringLiteral("experimentReport"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_status->setWordWrap(true);
    auto* exportButton = new QPushButton(tr("Export report (Markdown)…"), this);
    exportButton->setToolTip(tr("The same report as sage-train report writes, without the plots"));
    connect(exportButton, &QPushButton::clicked, this, &ExperimentReportView::exportMarkdown);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Experiment"), this));
    controls->addWidget(m_experiments, 1);
    controls->addWidget(exportButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_status);
    connect(m_experiments, &QComboBox::currentIndexChanged, this, [this] { updateTable(); });
    refresh();
}

QString ExperimentReportView::experiment() const { return m_experiments->currentText(); }

void ExperimentReportView::refresh() {
    m_stale = false;
    std::vector<ExperimentSummary> experiments;
    try {
        experiments = m_store.listExperiments();
    } catch (const std::exception&) {
        return;  // a store being written elsewhere: the next refresh reads it
    }
    {
        const QSignalBlocker block(m_experiments);
        const QString current = m_experiments->currentText();
        m_experiments->clear();
        for (const auto& e : experiments) m_experiments->addItem(text(e.name));
        const int index = m_experiments->findText(current);
        m_experiments->setCurrentIndex(index >= 0 ? index : m_experiments->count() - 1);
    }
    updateTable();
}

void ExperimentReportView::refreshFromStore() {
    if (isVisible()) refresh();
    else m_stale = true;
}

void ExperimentReportView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        refresh();
    }
}

void ExperimentReportView::showExperiment(const QString& name) {
    const int index = m_experiments->findText(name);
    if (index >= 0) m_experiments->setCurrentIndex(index);
}

void ExperimentReportView::updateTable() {
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    if (m_experiments->currentIndex() < 0) {
        m_status->setText(tr("The store has no experiments yet."));
        return;
    }
    ExperimentReport report;
    try {
        report = ExperimentReport::build(m_store, experiment().toStdString());
    } catch (const std::exception& error) {
        m_status->setText(QString::fromUtf8(error.what()));
        return;
    }
    const auto columns = unionOfColumns(report);
    QStringList headers{tr("data set"), tr("arm"), tr("n")};
    for (const auto& c : columns)
        headers << text(c.label) + (c.source == ReportColumn::Source::TrainingTail ? QStringLiteral("†") : QString());
    m_table->setColumnCount(int(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    QStringList notes;
    for (const DatasetReport& dataset : report.datasets()) {
        for (const ArmResult& arm : dataset.arms) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, 0, new QTableWidgetItem(text(dataset.dataset)));
            m_table->setItem(row, 1, new QTableWidgetItem(text(arm.arm) + (arm.baseline ? tr(" (baseline)") : QString()) +
                                                          (arm.sft ? tr(" (shared start)") : QString())));
            m_table->setItem(row, 2, new QTableWidgetItem(QString::number(arm.seeds.size())));
            for (size_t c = 0; c < columns.size(); ++c) {
                QString cell = QStringLiteral("—");
                QString tip;
                for (size_t d = 0; d < dataset.columns.size(); ++d) {
                    if (dataset.columns[d].key != columns[c].key) continue;
                    const std::string change = formatChange(arm.changePercent[d]);
                    cell = text(formatMeanStd(arm.summaries[d])) +
                           (change.empty() ? QString() : QStringLiteral(" (%1)").arg(text(change)));
                    if (arm.paired[d].n > 0)
                        tip = tr("against %1 over %2 paired seeds: %3")
                                  .arg(text(dataset.baseline))
                                  .arg(arm.paired[d].n)
                                  .arg(text(formatPaired(arm.paired[d])));
                }
                auto* item = new QTableWidgetItem(cell);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                item->setToolTip(tip);
                m_table->setItem(row, 3 + int(c), item);
            }
        }
        if (dataset.baseline.empty())
            notes << tr("%1: no baseline arm (no run tagged baseline), so no changes.").arg(text(dataset.dataset));
        for (const auto& note : dataset.notes) notes << text(dataset.dataset) + QStringLiteral(": ") + text(note);
    }
    notes.prepend(tr("Mean ± sample std over seeds of each run's final test value († the mean over the last 10 % "
                     "of training steps); in brackets the change against the baseline arm. Hover a cell for the "
                     "paired comparison across seeds."));
    m_status->setText(notes.join(QLatin1Char('\n')));
}

void ExperimentReportView::exportMarkdown() {
    if (m_experiments->currentIndex() < 0) return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export report"),
                                                      experiment() + QStringLiteral("-report.md"),
                                                      tr("Markdown (*.md)"));
    if (path.isEmpty()) return;
    try {
        const auto report = ExperimentReport::build(m_store, experiment().toStdString());
        const std::string markdown = reportMarkdown(
            report, m_store.path(), {}, "Plots: `sage-train report --db STORE --experiment NAME --out DIR` draws them.");
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(QByteArray::fromStdString(markdown)) < 0)
            QMessageBox::warning(this, tr("Export report"), tr("Cannot write %1").arg(path));
    } catch (const std::exception& error) {
        QMessageBox::warning(this, tr("Export report"), QString::fromUtf8(error.what()));
    }
}

}  // namespace sage::ui
