#pragma once
#include "training/training_sink.h"

namespace sage {

/// Discards everything; the baseline for measuring logging cost.
class NullSink final : public TrainingSink {
public:
    void onStep(const StepScalars&) override {}
    void onHistogram(const HistogramRecord&) override {}
    void onSlates(const std::vector<SlateRecord>&) override {}
    void onEval(const EvalRecord&) override {}
    void onEvent(const EventRecord&) override {}
};

}  // namespace sage
