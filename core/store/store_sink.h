#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "store/run_store.h"
#include "training/training_sink.h"

namespace sage {

/// The store writer of the trainer (ARCHITECTURE.md "Threads"): lives on the training thread with
/// its own connection, buffers records in memory and writes them as one transaction every
/// `flushEverySteps` steps or `flushEverySeconds`, whichever comes first, so a training step never
/// pays for SQL. A failed flush throws StoreError and keeps the records for the next attempt.
class StoreSink final : public TrainingSink {
public:
    /// Checkpoint files kept per run; older ones are forgotten and deleted as new ones land.
    static constexpr int kCheckpointsKept = 2;

    StoreSink(const std::string& dbPath, int64_t runId, int flushEverySteps,
              double flushEverySeconds = 2.0);
    /// Flushes what is left; errors are reported on stderr since a destructor cannot throw.
    ~StoreSink() override;
    StoreSink(const StoreSink&) = delete;
    StoreSink& operator=(const StoreSink&) = delete;

    void onStep(const StepScalars& scalars) override;
    void onHistogram(const HistogramRecord& histogram) override;
    void onSlates(const std::vector<SlateRecord>& slates) override;
    void onEval(const EvalRecord& eval) override;
    void onEvent(const EventRecord& event) override;
    /// Flushes at once, the checkpoint row in the same transaction as everything before it,
    /// then deletes the files of checkpoints beyond kCheckpointsKept.
    void onCheckpoint(int64_t step, const std::string& path) override;
    void flush() override;

    int64_t runId() const { return m_runId; }
    /// The sink's own connection (tests cap it with PRAGMA max_page_count to fill the disk).
    RunStore& store() { return m_store; }
    /// Steps buffered and not yet written.
    int pendingSteps() const { return static_cast<int>(m_pending.steps.size()); }

private:
    void flushIfDue();

    RunStore m_store;
    int64_t m_runId;
    int m_flushEverySteps;
    std::chrono::steady_clock::duration m_flushInterval;
    std::chrono::steady_clock::time_point m_lastFlush;
    RunStore::Batch m_pending;
};

}  // namespace sage
