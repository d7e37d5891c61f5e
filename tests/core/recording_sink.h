#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <cmath>
#include <mutex>

#include "config/run_config.h"
#include "training/training_sink.h"

namespace sage::testing {

/// Keeps everything a trainer reports, and lets a test act when a step arrives.
class RecordingSink : public TrainingSink {
public:
    void onStep(const StepScalars& s) override {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            steps.push_back(s);
        }
        lastStep.store(s.step);
        if (onStepHook) onStepHook(s);
    }
    void onHistogram(const HistogramRecord& h) override { histograms.push_back(h); }
    void onSlates(const std::vector<SlateRecord>& s) override { slates.push_back(s); }
    void onEval(const EvalRecord& e) override { evals.push_back(e); }
    void onEvent(const EventRecord& e) override { events.push_back(e); }

    double value(size_t index, const std::string& key) const {
        for (const auto& [name, v] : steps.at(index).values)
            if (name == key) return v;
        return std::nan("");
    }

    std::vector<StepScalars> steps;
    std::vector<HistogramRecord> histograms;
    std::vector<std::vector<SlateRecord>> slates;
    std::vector<EvalRecord> evals;
    std::vector<EventRecord> events;
    std::atomic<int64_t> lastStep{0};
    std::function<void(const StepScalars&)> onStepHook;

private:
    std::mutex m_mutex;
};

/// A configuration small enough for unit tests (well under a second per few steps).
inline RunConfig tinyConfig(int steps = 6) {
    RunConfig config;
    config.name = "tiny";
    config.environment.users = 80;
    config.environment.items = 60;
    config.environment.categories = 6;
    config.environment.latentDim = 8;
    config.model.embeddingDim = 16;
    config.model.hiddenDim = 16;
    config.model.historyWindow = 10;
    config.training.steps = steps;
    config.training.contexts = 4;
    config.training.groupSize = 4;
    config.training.slateLength = 3;
    config.training.threads = 1;
    config.training.seed = 11;
    config.logging.slatesEverySteps = 2;
    config.logging.flushEverySteps = 2;
    return config;
}

}  // namespace sage::testing
