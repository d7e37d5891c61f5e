#include "store/store_sink.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>

namespace sage {

StoreSink::StoreSink(const std::string& dbPath, int64_t runId, int flushEverySteps,
                     double flushEverySeconds)
    : m_store(dbPath),
      m_runId(runId),
      m_flushEverySteps(std::max(1, flushEverySteps)),
      m_flushInterval(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(std::max(0.0, flushEverySeconds)))),
      m_lastFlush(std::chrono::steady_clock::now()) {}

StoreSink::~StoreSink() {
    try {
        flush();
    } catch (const std::exception& e) {
        std::cerr << "SAGE: records of run " << m_runId << " could not be saved to "
                  << m_store.path() << ": " << e.what() << '\n';
    }
}

void StoreSink::onStep(const StepScalars& scalars) {
    m_pending.steps.push_back(scalars);
    flushIfDue();
}

void StoreSink::onHistogram(const HistogramRecord& histogram) {
    m_pending.histograms.push_back(histogram);
    flushIfDue();
}

void StoreSink::onSlates(const std::vector<SlateRecord>& slates) {
    m_pending.slates.insert(m_pending.slates.end(), slates.begin(), slates.end());
    flushIfDue();
}

void StoreSink::onEval(const EvalRecord& eval) {
    m_pending.evals.push_back(eval);
    flushIfDue();
}

void StoreSink::onEvent(const EventRecord& event) {
    m_pending.events.push_back(event);
    flushIfDue();
}

void StoreSink::onCheckpoint(int64_t step, const std::string& path) {
    m_pending.checkpoints.push_back({step, path, 0.0});
    flush();
    // The rows go first: a crash in between leaves unnamed files, never a name without its file.
    for (const std::string& old : m_store.forgetOldCheckpoints(m_runId, kCheckpointsKept)) {
        std::error_code ignored;
        std::filesystem::remove(old, ignored);
    }
}

void StoreSink::flush() {
    m_lastFlush = std::chrono::steady_clock::now();
    if (m_pending.empty()) return;
    m_store.writeBatch(m_runId, m_pending);  // throws before the clear: records stay buffered
    // clear() keeps the capacity, so the next steps append without allocating.
    m_pending.steps.clear();
    m_pending.histograms.clear();
    m_pending.slates.clear();
    m_pending.evals.clear();
    m_pending.events.clear();
    m_pending.checkpoints.clear();
}

void StoreSink::flushIfDue() {
    if (pendingSteps() >= m_flushEverySteps ||
        std::chrono::steady_clock::now() - m_lastFlush >= m_flushInterval) {
        flush();
    }
}

}  // namespace sage
