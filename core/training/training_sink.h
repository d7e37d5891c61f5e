#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "training/training_records.h"

namespace sage {

/// Where a trainer reports. Implementations must not block the training step for long: the store
/// writer batches and the UI buffer only appends under a short lock.
class TrainingSink {
public:
    virtual ~TrainingSink() = default;
    /// Called once before the first step with the number of steps the run will take.
    virtual void onRunStarted(int64_t totalSteps) {}
    virtual void onStep(const StepScalars& scalars) = 0;
    virtual void onHistogram(const HistogramRecord& histogram) = 0;
    virtual void onSlates(const std::vector<SlateRecord>& slates) = 0;
    virtual void onEval(const EvalRecord& eval) = 0;
    virtual void onEvent(const EventRecord& event) = 0;
    /// A resume checkpoint of the state after `step` steps now lies, complete, at `path`. The
    /// store writer commits it together with every record reported before it.
    virtual void onCheckpoint(int64_t step, const std::string& path) {}
    /// Called at the end of a run (and by writers when they choose): persist what is buffered.
    virtual void flush() {}
};

}  // namespace sage
