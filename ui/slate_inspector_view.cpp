#include "slate_inspector_view.h"

#include <cmath>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include "qcustomplot_no_keywords.h"

#include "slate_filter_proxy.h"
#include "slate_table_model.h"
#include "store/run_store.h"

namespace sage::ui {

namespace {

QTableWidgetItem* numberItem(double v) {
    auto* item = new QTableWidgetItem(std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'g', 5));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

SlateInspectorView::SlateInspectorView(RunStore& store, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_run(new QComboBox(this)),
      m_step(new QComboBox(this)),
      m_filter(new QComboBox(this)),
      m_search(new QLineEdit(this)),
      m_count(new QLabel(this)),
      m_model(new SlateTableModel(this)),
      m_proxy(new SlateFilterProxy(this)),
      m_table(new QTableView(this)),
      m_tokens(new QTableWidget(this)),
      m_tokenPlot(new QCustomPlot(this)),
      m_summary(new QLabel(this)) {
    setObjectName(QStringLiteral("slateInspector"));
    m_run->setObjectName(QStringLiteral("slateRunCombo"));
    m_run->setToolTip(tr("The run whose slates to inspect"));
    m_run->setMinimumContentsLength(18);
    m_step->setObjectName(QStringLiteral("slateStepCombo"));
    m_step->setToolTip(tr("Steps that stored per-slate records (logging.slates_every_steps)"));
    m_step->setMinimumContentsLength(6);
    m_filter->setObjectName(QStringLiteral("slateFilterCombo"));
    m_filter->addItems(SlateFilterProxy::filterNames());
    m_filter->setToolTip(tr("Keep only slates of one kind"));
    m_search->setPlaceholderText(tr("user, item or branch"));
    m_search->setClearButtonEnabled(true);

    m_proxy->setSourceModel(m_model);
    m_table->setObjectName(QStringLiteral("slateTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SlateTableModel::IndexColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(20);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_tokens->setObjectName(QStringLiteral("tokenTable"));
    m_tokens->setColumnCount(8);
    m_tokens->setHorizontalHeaderLabels({tr("t"), tr("item"), tr("ℓ old"), tr("ℓ new"),
                                         tr("ratio"), tr("GBPO cap"), tr("GBPO caps?"),
                                         tr("SAGE caps?")});
    m_tokens->horizontalHeaderItem(5)->setToolTip(
        tr("GBPO's token-level cap: 1 for A ≥ 0, p/(1−p) for A < 0 with p = exp(ℓ new)"));
    m_tokens->horizontalHeaderItem(7)->setToolTip(
        tr("SAGE caps the slate: ratio above Γ⁺ (A ≥ 0) or above Λ·p̄/(1−p̄) (A < 0)"));
    m_tokens->verticalHeader()->setVisible(false);
    m_tokens->verticalHeader()->setDefaultSectionSize(20);
    m_tokens->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tokens->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_tokenPlot->setObjectName(QStringLiteral("tokenPlot"));
    m_tokenPlot->setMinimumSize(300, 180);
    m_tokenPlot->xAxis->setLabel(tr("token"));
    m_tokenPlot->yAxis->setLabel(tr("ratio"));
    m_tokenPlot->legend->setVisible(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_tokenPlot->legend->setFont(small);
    m_summary->setObjectName(QStringLiteral("capSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run"), this));
    bar->addWidget(m_run);
    bar->addWidget(new QLabel(tr("Step"), this));
    bar->addWidget(m_step);
    bar->addWidget(new QLabel(tr("Show"), this));
    bar->addWidget(m_filter);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_count);

    auto* detail = new QWidget(this);
    auto* detailLayout = new QHBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_tokens, 3);
    auto* right = new QVBoxLayout;
    right->addWidget(m_tokenPlot, 1);
    right->addWidget(m_summary);
    detailLayout->addLayout(right, 2);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_run, &QComboBox::activated, this,
            [this](int i) { showRun(m_run->itemData(i).toLongLong()); });
    connect(m_step, &QComboBox::currentIndexChanged, this, [this] { loadSlates(); });
    connect(m_filter, &QComboBox::currentIndexChanged, this, &SlateInspectorView::setFilter);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setText(text);
        m_count->setText(tr("%1 of %2 slates").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) showSlate(m_proxy->mapToSource(current).row());
            });
    reloadRuns();
}

qint64 SlateInspectorView::step() const {
    return m_step->currentIndex() < 0 ? -1 : m_step->currentData().toLongLong();
}

void SlateInspectorView::reloadRuns() {
    std::vector<RunSummary> runs;
    try {
        runs = m_store.listRuns();
    } catch (const std::exception&) {
        return;
    }
    const QSignalBlocker block(m_run);
    m_run->clear();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it)
        m_run->addItem(QStringLiteral("%1 · %2").arg(it->id).arg(QString::fromStdString(it->name)),
                       qint64(it->id));
    const int index = m_run->findData(m_runId);
    if (index >= 0) m_run->setCurrentIndex(index);
}

void SlateInspectorView::showRun(qint64 runId) {
    if (runId == m_runId && m_step->count() > 0) return;
    m_runId = runId;
    if (m_run->findData(runId) < 0) reloadRuns();
    m_run->setCurrentIndex(m_run->findData(runId));
    reloadSteps();
}

void SlateInspectorView::reloadSteps() {
    std::vector<int64_t> steps;
    try {
        if (m_runId != 0) steps = m_store.slateSteps(m_runId);
    } catch (const std::exception&) {
        return;
    }
    const qint64 current = step();
    {
        const QSignalBlocker block(m_step);
        m_step->clear();
        for (int64_t s : steps) m_step->addItem(QString::number(s), qint64(s));
        const int index = m_step->findData(current);
        m_step->setCurrentIndex(index >= 0 ? index : m_step->count() - 1);
    }
    // Another run with the same steps still needs its own slates.
    if (step() != current || m_model->rowCount() == 0 || m_loadedRunId != m_runId) loadSlates();
}

void SlateInspectorView::setStep(qint64 step) {
    const int index = m_step->findData(step);
    if (index >= 0) m_step->setCurrentIndex(index);
}

void SlateInspectorView::setFilter(int filter) {
    if (m_filter->currentIndex() != filter) m_filter->setCurrentIndex(filter);
    m_proxy->setFilter(SlateFilterProxy::Filter(filter));
    m_count->setText(tr("%1 of %2 slates").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

void SlateInspectorView::refreshFromStore() {
    if (m_run->count() == 0 || m_run->findData(m_runId) < 0) reloadRuns();
    if (m_runId == 0 && m_run->count() > 0) {
        showRun(m_run->itemData(0).toLongLong());
        return;
    }
    if (m_runId != 0) reloadSteps();
}

void SlateInspectorView::loadSlates() {
    std::vector<SlateRecord> slates;
    try {
        if (m_runId != 0 && step() >= 0) slates = m_store.slates(m_runId, step());
    } catch (const std::exception&) {
    }
    m_model->setSlates(std::move(slates));
    m_loadedRunId = m_runId;
    m_tokens->setRowCount(0);
    m_tokenPlot->clearGraphs();
    m_tokenPlot->replot();
    m_summary->clear();
    m_count->setText(tr("%1 of %2 slates").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
    if (m_proxy->rowCount() > 0) selectRow(0);
}

void SlateInspectorView::selectRow(int proxyRow) {
    if (proxyRow < 0 || proxyRow >= m_proxy->rowCount()) return;
    m_table->selectRow(proxyRow);
    m_table->setCurrentIndex(m_proxy->index(proxyRow, 0));
    showSlate(m_proxy->mapToSource(m_proxy->index(proxyRow, 0)).row());
}

QString SlateInspectorView::capSummary() const { return m_summary->text(); }

void SlateInspectorView::showSlate(int sourceRow) {
    if (sourceRow < 0 || sourceRow >= m_model->rowCount()) return;
    const SlateRecord& s = m_model->slate(sourceRow);
    const bool positive = s.advantage >= 0;
    const size_t tokens = std::max({s.logpOld.size(), s.logpNew.size(), s.tokenRatio.size()});
    m_tokens->setRowCount(int(tokens));
    const double sageCap = SlateTableModel::sageCap(s);
    QVector<double> x, ratio, gbpoCap;
    for (size_t t = 0; t < tokens; ++t) {
        const double lo = t < s.logpOld.size() ? s.logpOld[t] : std::nan("");
        const double ln = t < s.logpNew.size() ? s.logpNew[t] : std::nan("");
        const double r = t < s.tokenRatio.size() ? s.tokenRatio[t] : std::exp(ln - lo);
        const double p = std::exp(ln);
        const double cap = positive ? 1.0 : (p < 1.0 ? p / (1.0 - p) : std::nan(""));
        m_tokens->setItem(int(t), 0, numberItem(double(t)));
        m_tokens->setItem(int(t), 1,
                          new QTableWidgetItem(t < s.items.size() ? QString::number(s.items[t])
                                                                  : QString()));
        m_tokens->setItem(int(t), 2, numberItem(lo));
        m_tokens->setItem(int(t), 3, numberItem(ln));
        m_tokens->setItem(int(t), 4, numberItem(r));
        m_tokens->setItem(int(t), 5, numberItem(cap));
        const bool gbpoCaps = r > cap;
        m_tokens->setItem(int(t), 6, new QTableWidgetItem(gbpoCaps ? tr("yes") : tr("no")));
        // SAGE bounds the slate as a whole: its cap is active for every token or none.
        m_tokens->setItem(int(t), 7,
                          new QTableWidgetItem(SlateTableModel::isCapped(s) ? tr("yes (slate)")
                                                                            : tr("no")));
        if (gbpoCaps) m_tokens->item(int(t), 6)->setForeground(QColor(0xa0, 0x50, 0x00));
        x.append(double(t));
        ratio.append(r);
        gbpoCap.append(cap);
    }

    m_tokenPlot->clearGraphs();
    QCPGraph* r = m_tokenPlot->addGraph();
    r->setName(tr("token ratio"));
    r->setData(x, ratio, true);
    r->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.5));
    r->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    QCPGraph* g = m_tokenPlot->addGraph();
    g->setName(positive ? tr("GBPO cap (1)") : tr("GBPO cap p/(1−p)"));
    g->setData(x, gbpoCap, true);
    g->setPen(QPen(QColor(0xd6, 0x27, 0x28), 1.2, Qt::DashLine));
    if (std::isfinite(sageCap) && !x.isEmpty()) {
        QCPGraph* sc = m_tokenPlot->addGraph();
        sc->setName(positive ? tr("slate cap Γ⁺") : tr("slate cap Λ·p̄/(1−p̄)"));
        sc->setData({x.first(), x.last()}, {sageCap, sageCap}, true);
        sc->setPen(QPen(QColor(0x2c, 0xa0, 0x2c), 1.2, Qt::DashDotLine));
    }
    m_tokenPlot->rescaleAxes();
    const QCPRange y = m_tokenPlot->yAxis->range();
    m_tokenPlot->yAxis->setRange(std::min(0.0, y.lower), y.upper + 0.1 * std::max(y.size(), 0.1));
    m_tokenPlot->xAxis->setRange(-0.5, std::max<double>(1.0, double(tokens) - 0.5));
    m_tokenPlot->replot();

    const double gbpo = SlateTableModel::gbpoCoefficient(s);
    QString text =
        tr("Slate %1, user %2: A = %3, r = %4. Stored c = %5 (branch %6); under GBPO c would be "
           "%7 (%8). The slate-level cap (Γ⁺ for A ≥ 0, Λ·p̄/(1−p̄) for A < 0) is %9.")
            .arg(sourceRow)
            .arg(s.user)
            .arg(s.advantage, 0, 'g', 4)
            .arg(s.ratio, 0, 'g', 4)
            .arg(s.coefficient, 0, 'g', 4)
            .arg(QString::fromStdString(s.branch))
            .arg(gbpo, 0, 'g', 4)
            .arg(SlateTableModel::gbpoWouldCap(s) ? tr("GBPO's cap applies") : tr("no cap"))
            .arg(sageCap, 0, 'g', 4);
    m_summary->setText(text);
}

}  // namespace sage::ui
