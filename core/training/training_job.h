#pragma once
#include <cstdint>
#include <string>

#include "config/run_config.h"
#include "store/run_status.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

class DistributedContext;

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
    JobResult run();

private:
    /// The configured trainer's run into `sink`: Finished or Stopped; throws on failure.
    RunStatus train(TrainingSink& sink);

    RunConfig m_config;
    std::string m_dbPath;
    std::string m_experiment;
    TrainerControl& m_control;
    TrainingSink* m_extraSink;
    DistributedContext* m_distributed;
    int64_t m_runId = 0;
};

}  // namespace sage
