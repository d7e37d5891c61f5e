#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include <QMetaType>

#include "training/training_records.h"
#include "training/training_sink.h"

namespace sage::ui {

/// What the GUI takes out of a MetricsBuffer in one drain, oldest first.
struct MetricsBatch {
    std::vector<StepScalars> steps;
    std::vector<EvalRecord> evals;
    std::vector<EventRecord> events;
    bool empty() const { return steps.empty() && evals.empty() && events.empty(); }
};

/// The UI's TrainingSink (ARCHITECTURE.md "Threads"): the trainer thread appends under a short
/// lock and raises one atomic flag; the GUI thread drains everything by swap on its own timer.
/// However fast steps arrive, at most one notification is pending, so the GUI's update rate is
/// set by its drain timer alone. Histograms and slates are left to the store: the live views
/// only need scalars and events, and copying slates every step would cost the trainer.
class MetricsBuffer final : public TrainingSink {
public:
    MetricsBuffer() = default;
    MetricsBuffer(const MetricsBuffer&) = delete;
    MetricsBuffer& operator=(const MetricsBuffer&) = delete;

    /// Called (on the appending thread) each time the pending flag goes from clear to raised.
    /// Set it before any producer runs; it must only notify, never touch widgets.
    void setNotifier(std::function<void()> notifier) { m_notifier = std::move(notifier); }

    /// The trainer's own step count (an SFT run's is epochs × batches, not training.steps).
    void onRunStarted(int64_t totalSteps) override { m_totalSteps.store(totalSteps); }
    void onStep(const StepScalars& scalars) override;
    void onHistogram(const HistogramRecord&) override {}
    void onSlates(const std::vector<SlateRecord>&) override {}
    void onEval(const EvalRecord& eval) override;
    void onEvent(const EventRecord& event) override;

    /// True when something arrived since the last drain.
    bool hasPending() const { return m_pending.load(std::memory_order_acquire); }
    /// Everything appended since the previous drain, and clears the pending flag.
    MetricsBatch drain();
    /// The step count the running trainer announced; -1 before it did.
    int64_t totalSteps() const { return m_totalSteps.load(); }
    /// Drops whatever is buffered (a new run starts).
    void clear() {
        drain();
        m_totalSteps.store(-1);
    }

private:
    void raisePending();

    mutable std::mutex m_mutex;
    MetricsBatch m_batch;  // guarded by m_mutex
    std::atomic<bool> m_pending{false};
    std::atomic<int64_t> m_totalSteps{-1};
    std::function<void()> m_notifier;
};

}  // namespace sage::ui

Q_DECLARE_METATYPE(sage::ui::MetricsBatch)
