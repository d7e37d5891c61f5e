#pragma once
// Writes runs with known final evaluations and training curves into a store, as a suite leaves
// them, so that report tests know every number the report must show.
#include <map>
#include <string>
#include <vector>

#include "store/run_store.h"
#include "suite/suite_run_label.h"

namespace sage::testing {

struct FakeRun {
    std::string experiment = "suite";
    SuiteRunLabel label;
    RunStatus status = RunStatus::Finished;
    std::map<std::string, double> finalEvals;                 // "eval/..." at the last step
    std::map<std::string, std::vector<double>> validation;    // "val/..." every 10 steps
    std::vector<double> rewards;                              // `reward` at steps 1..n
    std::vector<SlateRecord> slates;                          // per-slate records, at their steps
    std::string configJson = R"({"environment": {"kind": "synthetic"}, "training": {"stage": "rl"}})";
};

inline int64_t writeFakeRun(RunStore& store, const FakeRun& fake) {
    const int64_t id = store.createRun(fake.experiment, fake.label.runName(), fake.configJson, fake.label.seed);
    store.setTags(id, fake.label.tags());
    RunStore::Batch batch;
    for (size_t i = 0; i < fake.rewards.size(); ++i)
        batch.steps.push_back({int64_t(i + 1), double(i), {{"reward", fake.rewards[i]}}});
    for (const auto& [key, values] : fake.validation)
        for (size_t i = 0; i < values.size(); ++i) batch.evals.push_back({int64_t(10 * (i + 1)), {{key, values[i]}}});
    if (!fake.finalEvals.empty()) {
        EvalRecord last{int64_t(fake.rewards.size()), {}};
        for (const auto& [key, value] : fake.finalEvals) last.values.emplace_back(key, value);
        batch.evals.push_back(last);
    }
    batch.slates = fake.slates;
    store.writeBatch(id, batch);
    store.setRunStatus(id, RunStatus::Running);
    store.setRunStatus(id, fake.status);
    return id;
}

inline SuiteRunLabel armLabel(const std::string& arm, int64_t seed, bool baseline = false,
                              const std::string& dataset = "synthetic") {
    SuiteRunLabel label;
    label.dataset = dataset;
    label.arm = arm;
    label.seed = seed;
    label.baseline = baseline;
    return label;
}

}  // namespace sage::testing
