#include "suite/suite_plan.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "store/run_store.h"

namespace sage {
namespace {

using nlohmann::json;

constexpr const char* kSftModelFile = "sft_best_model.pt";

// Keys that may differ between a finished run and the plan: the thread count (set per invocation
// from --parallel) and checkpoint paths, which follow the store's location.
bool ignoredForMatching(const std::string& key) {
    return key == "training.threads" || key == "training.checkpoint_dir" ||
           key == "training.init_checkpoint";
}

// "key: stored → planned" for every key both configurations have and that differs.
std::string configDifference(const std::string& storedJson, const RunConfig& planned) {
    const json stored = json::parse(storedJson, nullptr, false);
    if (!stored.is_object()) return "the stored configuration is not JSON";
    const json mine = toJson(planned);
    std::string differences;
    for (const auto& [section, values] : mine.items()) {
        if (!values.is_object()) continue;
        for (const auto& [key, value] : values.items()) {
            const std::string dotted = section + "." + key;
            if (ignoredForMatching(dotted) || !stored.contains(section) ||
                !stored[section].is_object() || !stored[section].contains(key))
                continue;
            const json& old = stored[section][key];
            const bool same = old.is_number() && value.is_number()
                                  ? old.get<double>() == value.get<double>()
                                  : old == value;
            if (!same)
                differences += (differences.empty() ? "" : ", ") + dotted + " " + old.dump() +
                               " → " + value.dump();
        }
    }
    return differences;
}

int threadsWithin(int configured, int cap) {
    return configured <= 0 || configured > cap ? cap : configured;
}

}  // namespace

SuitePlan::SuitePlan(const SuiteSpec& spec, const RunStore& store,
                     const std::string& sftCheckpointDir, int sftThreads, int armThreads) {
    const auto runs = store.listRuns();
    std::vector<ConfigIssue> conflicts;
    if (spec.sft()) {
        SuiteTask task;
        task.label.dataset = spec.dataset();
        task.label.sft = true;
        task.label.arm = SuiteRunLabel::kSftRunName;
        task.label.seed = spec.sft()->training.seed;
        task.config = *spec.sft();
        task.config.name = task.label.runName();
        if (!spec.sftCheckpointDirChosen()) task.config.training.checkpointDir = sftCheckpointDir;
        task.config.training.threads = threadsWithin(task.config.training.threads, sftThreads);
        m_sftCheckpoint =
            (std::filesystem::path(task.config.training.checkpointDir) / kSftModelFile).string();
        match(task, spec, runs, conflicts);
        // A finished SFT run whose checkpoint is gone cannot seed the arms: train it again.
        if (task.finishedRunId && !std::filesystem::exists(m_sftCheckpoint)) {
            task.staleRunIds.push_back(*task.finishedRunId);
            task.finishedRunId.reset();
        }
        m_sft = std::move(task);
    }
    for (int64_t seed : spec.seeds()) {
        for (const SuiteArm& arm : spec.arms()) {
            SuiteTask task;
            task.label.dataset = spec.dataset();
            task.label.arm = arm.name;
            task.label.seed = seed;
            task.label.baseline = arm.name == spec.baseline();
            task.config = arm.config;
            task.config.name = task.label.runName();
            task.config.training.seed = seed;
            task.config.training.threads = threadsWithin(task.config.training.threads, armThreads);
            if (spec.sft()) task.config.training.initCheckpoint = m_sftCheckpoint;
            match(task, spec, runs, conflicts);
            m_arms.push_back(std::move(task));
        }
    }
    if (!conflicts.empty()) throw SuiteError(spec.path(), std::move(conflicts));
}

void SuitePlan::match(SuiteTask& task, const SuiteSpec& spec, const std::vector<RunSummary>& runs,
                      std::vector<ConfigIssue>& conflicts) const {
    const std::string name = task.label.runName();
    for (const RunSummary& run : runs) {
        if (run.experiment != spec.experiment() || run.name != name) continue;
        if (run.status != RunStatus::Finished) {
            task.staleRunIds.push_back(run.id);
            continue;
        }
        const std::string difference = configDifference(run.configJson, task.config);
        if (!difference.empty()) {
            conflicts.push_back(
                {name, "run " + std::to_string(run.id) + " of experiment '" + spec.experiment() +
                           "' finished with another configuration (" + difference +
                           "); give the suite another experiment name, or delete that run to "
                           "train it again"});
        }
        task.finishedRunId = run.id;  // the newest finished one wins
    }
}

int SuitePlan::pendingCount() const {
    int pending = m_sft && !m_sft->finishedRunId ? 1 : 0;
    for (const auto& task : m_arms) pending += task.finishedRunId ? 0 : 1;
    return pending;
}

int64_t SuitePlan::startRun(RunStore& store, const std::string& experiment, const SuiteTask& task) {
    const int64_t runId = store.createRun(experiment, task.config.name, toJson(task.config).dump(),
                                          task.config.training.seed);
    store.setTags(runId, task.label.tags());
    for (int64_t stale : task.staleRunIds) {
        const auto old = store.run(stale);
        auto tags = old ? old->tags : std::vector<std::string>{};
        tags.emplace_back(SuiteRunLabel::kSupersededTag);
        store.setTags(stale, tags);
        RunStore::Batch batch;
        batch.events.push_back({old ? std::max<int64_t>(0, old->lastStep) : 0, 0.0, EventLevel::Warning,
                                "superseded by run " + std::to_string(runId) +
                                    ": sage-train suite restarted this unfinished run from step 0"});
        store.writeBatch(stale, batch);
        if (old && (old->status == RunStatus::Running || old->status == RunStatus::Paused ||
                    old->status == RunStatus::Created))
            store.setRunStatus(stale, RunStatus::Interrupted, "its sage-train suite was stopped");
        store.softDeleteRun(stale);
    }
    return runId;
}

}  // namespace sage
