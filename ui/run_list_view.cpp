#include "run_list_view.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "store/run_store.h"

namespace sage::ui {

namespace {

QColor statusColor(RunStatus status) {
    switch (status) {
        case RunStatus::Running:
            return QColor(0x1f, 0x6f, 0xd0);
        case RunStatus::Paused:
            return QColor(0xb0, 0x80, 0x00);
        case RunStatus::Finished:
            return QColor(0x2e, 0x8b, 0x3e);
        case RunStatus::Failed:
            return QColor(0xc0, 0x30, 0x30);
        case RunStatus::Interrupted:
            return QColor(0xa0, 0x50, 0x20);
        case RunStatus::Stopped:
        case RunStatus::Created:
            break;
    }
    return {};
}

}  // namespace

RunListView::RunListView(RunStore& store, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_filter(new QLineEdit(this)),
      m_tree(new QTreeWidget(this)),
      m_resumeButton(new QPushButton(tr("Resume run"), this)) {
    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setPlaceholderText(tr("Filter by experiment, name or status"));
    m_filter->setClearButtonEnabled(true);

    m_tree->setObjectName(QStringLiteral("runTree"));
    m_tree->setHeaderLabels(
        {tr("ID"), tr("Experiment"), tr("Name"), tr("Status"), tr("Step"), tr("Created")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(IdColumn, Qt::DescendingOrder);
    // The name takes what is left; the experiment starts narrow and can be dragged wider.
    QHeaderView* header = m_tree->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ExperimentColumn, QHeaderView::Interactive);
    header->resizeSection(ExperimentColumn, 90);
    header->setSectionResizeMode(NameColumn, QHeaderView::Stretch);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree);
    m_resumeButton->setObjectName(QStringLiteral("resumeRunButton"));
    layout->addWidget(m_resumeButton);

    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &RunListView::onSelectionChanged);
    connect(m_resumeButton, &QPushButton::clicked, this, [this] {
        if (m_resumeButton->isEnabled() && m_selectedId != 0) Q_EMIT resumeRequested(m_selectedId);
    });
    connect(m_filter, &QLineEdit::textChanged, this, &RunListView::applyFilter);
    refresh();
}

void RunListView::selectNewest() {
    if (QTreeWidgetItem* top = m_tree->topLevelItem(0))
        selectRun(top->data(IdColumn, Qt::DisplayRole).toLongLong());
}

int RunListView::runCount() const { return m_tree->topLevelItemCount(); }

void RunListView::refresh() {
    std::vector<RunSummary> runs;
    try {
        runs = m_store.listRuns();
    } catch (const std::exception&) {
        return;  // a writer holds the file for a moment; the next change refreshes
    }
    // Updated in place rather than rebuilt so that selection, scroll and sort survive.
    m_tree->setSortingEnabled(false);
    QSet<qint64> seen;
    for (const RunSummary& run : runs) {
        seen.insert(run.id);
        QTreeWidgetItem*& item = m_items[run.id];
        if (!item) item = new QTreeWidgetItem(m_tree);
        updateItem(item, run);
    }
    for (auto it = m_items.begin(); it != m_items.end();) {
        if (seen.contains(it.key())) {
            ++it;
            continue;
        }
        if (it.key() == m_selectedId) m_selectedId = 0;
        delete it.value();
        it = m_items.erase(it);
    }
    m_tree->setSortingEnabled(true);
    applyFilter();
    updateResumeButton();
}

void RunListView::setTrainingActive(bool active) {
    m_trainingActive = active;
    updateResumeButton();
}

void RunListView::updateResumeButton() {
    QString why;
    if (m_selectedId == 0) {
        why = tr("Select a stopped, failed or interrupted run to resume it.");
    } else if (m_trainingActive) {
        why = tr("A run is training; resume another when it ends.");
    } else {
        try {
            const auto run = m_store.run(m_selectedId);
            if (!run || !isResumable(run->status))
                why = tr("Only stopped, failed or interrupted runs resume.");
            else if (m_store.checkpoints(m_selectedId).empty())
                why = tr("This run has no checkpoint to resume from.");
        } catch (const std::exception&) {
            why = tr("The store is busy; try again in a moment.");
        }
    }
    m_resumeButton->setEnabled(why.isEmpty());
    m_resumeButton->setToolTip(why.isEmpty() ? tr("Continue run %1 from its last checkpoint.").arg(m_selectedId)
                                             : why);
}

void RunListView::updateItem(QTreeWidgetItem* item, const RunSummary& run) {
    // Numbers as numbers, so the columns sort numerically.
    item->setData(IdColumn, Qt::DisplayRole, qint64(run.id));
    item->setText(ExperimentColumn, QString::fromStdString(run.experiment));
    item->setText(NameColumn, QString::fromStdString(run.name));
    item->setText(StatusColumn, QString::fromStdString(toString(run.status)));
    item->setForeground(StatusColumn, statusColor(run.status));
    if (run.lastStep >= 0)
        item->setData(StepColumn, Qt::DisplayRole, qint64(run.lastStep));
    else
        item->setData(StepColumn, Qt::DisplayRole, QVariant());
    item->setTextAlignment(IdColumn, Qt::AlignRight | Qt::AlignVCenter);
    item->setTextAlignment(StepColumn, Qt::AlignRight | Qt::AlignVCenter);
    const QDateTime created = QDateTime::fromMSecsSinceEpoch(qint64(run.createdAt * 1000.0));
    item->setText(CreatedColumn, created.toString(QStringLiteral("MM-dd hh:mm")));
    item->setToolTip(CreatedColumn, created.toString(Qt::ISODate));
    item->setToolTip(StatusColumn, QString::fromStdString(run.error));
    item->setToolTip(NameColumn, run.notes.empty() ? QString::fromStdString(run.name)
                                                   : QString::fromStdString(run.notes));
    item->setToolTip(ExperimentColumn, QString::fromStdString(run.experiment));
}

void RunListView::selectRun(qint64 runId) {
    if (!m_items.contains(runId)) refresh();
    QTreeWidgetItem* item = m_items.value(runId);
    if (!item) return;
    if (item->isHidden()) m_filter->clear();
    m_tree->setCurrentItem(item);
    m_tree->scrollToItem(item);
}

void RunListView::onSelectionChanged() {
    const QList<QTreeWidgetItem*> selected = m_tree->selectedItems();
    const qint64 id =
        selected.isEmpty() ? 0 : selected.first()->data(IdColumn, Qt::DisplayRole).toLongLong();
    // Refreshes reselect the same run; only a real change is news.
    if (id == 0 || id == m_selectedId) return;
    m_selectedId = id;
    updateResumeButton();
    Q_EMIT runSelected(id);
}

void RunListView::applyFilter() {
    const QString needle = m_filter->text().trimmed();
    for (QTreeWidgetItem* item : std::as_const(m_items)) {
        const bool match = needle.isEmpty() ||
                           item->text(ExperimentColumn).contains(needle, Qt::CaseInsensitive) ||
                           item->text(NameColumn).contains(needle, Qt::CaseInsensitive) ||
                           item->text(StatusColumn).contains(needle, Qt::CaseInsensitive);
        item->setHidden(!match);
    }
}

}  // namespace sage::ui
