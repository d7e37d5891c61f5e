#include "event_log_view.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "store/run_store.h"

namespace sage::ui {

EventLogView::EventLogView(RunStore& store, QWidget* parent)
    : QWidget(parent), m_store(store), m_tree(new QTreeWidget(this)) {
    setObjectName(QStringLiteral("eventLog"));
    m_tree->setObjectName(QStringLiteral("eventTree"));
    m_tree->setHeaderLabels({tr("Step"), tr("Time"), tr("Level"), tr("Message")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
}

int EventLogView::eventCount() const { return m_tree->topLevelItemCount(); }

void EventLogView::showRun(qint64 runId) {
    m_runId = runId;
    m_tree->clear();
    m_seen.clear();
    refreshFromStore();
}

void EventLogView::setLiveRun(qint64 runId) { m_liveRunId = runId; }

void EventLogView::appendLive(qint64 runId, const MetricsBatch& batch) {
    if (runId == 0 || runId != m_runId || runId != m_liveRunId || batch.events.empty()) return;
    addEvents(batch.events);
}

void EventLogView::refreshFromStore() {
    if (m_runId == 0) return;
    try {
        addEvents(m_store.events(m_runId));
    } catch (const std::exception&) {
        // Busy for a moment; the next change retries.
    }
}

void EventLogView::addEvents(const std::vector<EventRecord>& events) {
    QScrollBar* bar = m_tree->verticalScrollBar();
    const bool atBottom = bar->value() == bar->maximum();
    bool added = false;
    for (const EventRecord& e : events) {
        const QString message = QString::fromStdString(e.message);
        const QString key = QStringLiteral("%1|%2|%3").arg(e.step).arg(int(e.level)).arg(message);
        if (m_seen.contains(key)) continue;
        m_seen.insert(key);
        auto* item = new QTreeWidgetItem(m_tree);
        item->setData(StepColumn, Qt::DisplayRole, qint64(e.step));
        item->setTextAlignment(StepColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(TimeColumn, QStringLiteral("%1 s").arg(e.wallTime, 0, 'f', 1));
        item->setText(LevelColumn, QString::fromStdString(toString(e.level)));
        item->setText(MessageColumn, message);
        item->setToolTip(MessageColumn, message);
        if (e.level == EventLevel::Warning)
            item->setForeground(LevelColumn, QColor(0xb0, 0x70, 0x00));
        else if (e.level == EventLevel::Error)
            item->setForeground(LevelColumn, QColor(0xc0, 0x30, 0x30));
        added = true;
    }
    if (!added) return;
    // Store events seen late (from before the view showed the run) belong above the live ones.
    m_tree->sortItems(StepColumn, Qt::AscendingOrder);
    if (atBottom) m_tree->scrollToBottom();
}

}  // namespace sage::ui
