#pragma once
#include <vector>

#include "training/training_sink.h"

namespace sage {

/// Forwards every record to several sinks, in order.
class FanOutSink final : public TrainingSink {
public:
    explicit FanOutSink(std::vector<TrainingSink*> sinks) : m_sinks(std::move(sinks)) {}
    void onRunStarted(int64_t total) override { for (auto* k : m_sinks) k->onRunStarted(total); }
    void onStep(const StepScalars& s) override { for (auto* k : m_sinks) k->onStep(s); }
    void onHistogram(const HistogramRecord& h) override { for (auto* k : m_sinks) k->onHistogram(h); }
    void onSlates(const std::vector<SlateRecord>& s) override { for (auto* k : m_sinks) k->onSlates(s); }
    void onEval(const EvalRecord& e) override { for (auto* k : m_sinks) k->onEval(e); }
    void onEvent(const EventRecord& e) override { for (auto* k : m_sinks) k->onEvent(e); }
    void onCheckpoint(int64_t step, const std::string& path) override {
        for (auto* k : m_sinks) k->onCheckpoint(step, path);
    }
    void flush() override { for (auto* k : m_sinks) k->flush(); }

private:
    std::vector<TrainingSink*> m_sinks;
};

}  // namespace sage
