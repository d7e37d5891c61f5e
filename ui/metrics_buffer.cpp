#include "metrics_buffer.h"

namespace sage::ui {

void MetricsBuffer::onStep(const StepScalars& scalars) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_batch.steps.push_back(scalars);
    }
    raisePending();
}

void MetricsBuffer::onEval(const EvalRecord& eval) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_batch.evals.push_back(eval);
    }
    raisePending();
}

void MetricsBuffer::onEvent(const EventRecord& event) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_batch.events.push_back(event);
    }
    raisePending();
}

void MetricsBuffer::raisePending() {
    // Only the append that finds the flag clear notifies; the rest ride on that notification.
    if (!m_pending.exchange(true, std::memory_order_acq_rel) && m_notifier) m_notifier();
}

MetricsBatch MetricsBuffer::drain() {
    MetricsBatch out;
    std::lock_guard<std::mutex> lock(m_mutex);
    // Cleared under the lock: an append after this point raises the flag again and is not lost.
    m_pending.store(false, std::memory_order_release);
    std::swap(out, m_batch);
    return out;
}

}  // namespace sage::ui
