#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "suite/suite_run_label.h"
#include "suite/suite_spec.h"

namespace sage {

class RunStore;

/// One run a suite needs: the SFT stage, or one arm with one seed.
struct SuiteTask {
    SuiteRunLabel label;
    RunConfig config;  // ready to train: name, seed, threads and checkpoint paths filled in
    /// The finished run that already does this task: the suite skips it.
    std::optional<int64_t> finishedRunId;
    /// Runs of this task that never finished (interrupted, stopped, failed, or left running by a
    /// killed suite): a fresh run replaces them.
    std::vector<int64_t> staleRunIds;
};

/// What a suite still has to do in a store: every task, matched by run name ("<arm>/seed<k>",
/// "sft") against the non-deleted runs of the suite's experiment. The SFT stage trains first and
/// alone; every arm then starts from its best checkpoint. The plan is read-only; `startRun`
/// writes. Construct it only while holding the suite's lock: it takes unfinished runs for dead.
class SuitePlan {
public:
    /// `sftCheckpointDir`: where the SFT stage writes (unless the suite chose a folder).
    /// `sftThreads`, `armThreads`: the most training.threads of the SFT stage (which trains alone)
    /// and of each arm (a run's own smaller setting is kept).
    /// Throws SuiteError when a finished run of a task was trained with another configuration.
    SuitePlan(const SuiteSpec& spec, const RunStore& store, const std::string& sftCheckpointDir,
              int sftThreads, int armThreads);

    const std::optional<SuiteTask>& sftTask() const { return m_sft; }
    /// Seed-major: every arm of the first seed, then of the next.
    const std::vector<SuiteTask>& armTasks() const { return m_arms; }
    /// The file every arm loads, when the suite has an SFT stage.
    const std::string& sftCheckpoint() const { return m_sftCheckpoint; }
    int pendingCount() const;

    /// Replaces the task's stale runs (tagged "superseded", soft-deleted, with an event saying by
    /// which run) and creates its fresh run, status created, tagged with its label. Without
    /// resumable checkpoints a restarted task begins again at step 0.
    static int64_t startRun(RunStore& store, const std::string& experiment, const SuiteTask& task);

private:
    void match(SuiteTask& task, const SuiteSpec& spec, const std::vector<RunSummary>& runs,
               std::vector<ConfigIssue>& conflicts) const;

    std::optional<SuiteTask> m_sft;
    std::vector<SuiteTask> m_arms;
    std::string m_sftCheckpoint;
};

}  // namespace sage
