#pragma once
#include <vector>

#include <QSet>
#include <QWidget>

#include "metrics_buffer.h"

class QTreeWidget;

namespace sage {
class RunStore;
}

namespace sage::ui {

/// The trainer's events (info, warnings, errors) of the shown run: from the store, and for the
/// in-process run also straight from the drained buffer. An event reaches the view from both
/// sources, so each is keyed by step, level and text and shown once.
class EventLogView : public QWidget {
    Q_OBJECT
public:
    enum Column { StepColumn, TimeColumn, LevelColumn, MessageColumn };

    /// `store` is the GUI thread's connection and must outlive the view.
    explicit EventLogView(RunStore& store, QWidget* parent = nullptr);

    qint64 runId() const { return m_runId; }
    int eventCount() const;

public Q_SLOTS:
    void showRun(qint64 runId);
    void setLiveRun(qint64 runId);
    void appendLive(qint64 runId, const sage::ui::MetricsBatch& batch);
    void refreshFromStore();

private:
    void addEvents(const std::vector<EventRecord>& events);

    RunStore& m_store;
    QTreeWidget* m_tree;
    qint64 m_runId = 0;
    qint64 m_liveRunId = 0;
    QSet<QString> m_seen;
};

}  // namespace sage::ui
