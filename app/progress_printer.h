#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "training/training_sink.h"

namespace sage {

/// A terminal progress line with ETA for sage-train: rewritten in place on a terminal, a line every
/// 10 % otherwise (logs). Errors and warnings of the trainer are printed as they come.
class ProgressPrinter final : public TrainingSink {
public:
    ProgressPrinter(int64_t totalSteps, std::FILE* out);
    void onRunStarted(int64_t totalSteps) override { m_totalSteps = totalSteps; }
    void onStep(const StepScalars& scalars) override;
    void onHistogram(const HistogramRecord&) override {}
    void onSlates(const std::vector<SlateRecord>&) override {}
    void onEval(const EvalRecord&) override {}
    void onEvent(const EventRecord& event) override;
    /// Ends the progress line so that later output starts on a fresh line.
    void finish();

private:
    int64_t m_totalSteps;
    std::FILE* m_out;
    bool m_interactive;
    bool m_lineOpen = false;
    int m_lastDecile = -1;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastPrint;
};

}  // namespace sage
