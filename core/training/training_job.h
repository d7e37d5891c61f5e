#pragma once
#include <cstdint>
#include <string>

#include "config/run_config.h"
#include "store/run_status.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

class DistributedContext;
class RunStore;

struct JobResult {
    int64_t runId = 0;
    RunStatus status = RunStatus::Created;
    std::string error;
};

/// One run from start to end, as both sage-train and the dashboard's worker perform it: creates the
/// run in the store, trains with the store writer plus an optional extra sink, records the outcome
/// (finished, stopped, or failed with the error text). Call on the thread that will train: it opens
/// that thread's own store connection.
///
/// As one rank of a data-parallel group, only rank 0 touches the store; the other ranks train with
/// the extra sink alone and report their outcome in the result.
class TrainingJob {
public:
    TrainingJob(RunConfig config, std::string dbPath, std::string experiment,
                TrainerControl& control, TrainingSink* extraSink = nullptr,
                DistributedContext* distributed = nullptr);

    /// Creates the run row; returns its id. run() calls it when not called before.
    int64_t prepare();
    /// Trains into a run created before (by `sage-train --nproc` before it starts the ranks).
    void useRun(int64_t runId) { m_runId = runId; }
    /// run() continues this stopped, failed or interrupted run from its newest checkpoint (from
    /// step 0 when it has none): the records after that step are discarded, so each later step is
    /// logged once. Construct the job with storedConfig() of the run. One process only.
    void resumeRun(int64_t runId);
    /// Claims the run when resuming (throws std::invalid_argument when another process was
    /// quicker), trains, and records the outcome.
    JobResult run();

    /// The configuration a run was started with, for resuming it. Throws std::invalid_argument,
    /// saying why and what to do, when the run is missing or cannot resume (finished, live, or an
    /// SFT run); StoreError when the store cannot be read.
    static RunConfig storedConfig(const std::string& dbPath, int64_t runId);
    /// Where the RL trainer writes the run's resume checkpoints: run-<id> under
    /// training.checkpoint_dir, or under "<store>.checkpoints" beside the store when that is empty.
    static std::string checkpointFolder(const RunConfig& config, const std::string& dbPath, int64_t runId);

private:
    /// The configured trainer's run into `sink`: Finished or Stopped; throws on failure.
    RunStatus train(TrainingSink& sink);
    /// Takes the run back to running, picks its newest checkpoint whose file exists and discards
    /// the records after it.
    void claimForResume(RunStore& store);

    RunConfig m_config;
    std::string m_dbPath;
    std::string m_experiment;
    TrainerControl& m_control;
    TrainingSink* m_extraSink;
    DistributedContext* m_distributed;
    int64_t m_runId = 0;
    bool m_resume = false;
    std::string m_resumeCheckpoint;  // empty when resuming from step 0
};

}  // namespace sage
