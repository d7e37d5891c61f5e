#pragma once
#include <cstdint>
#include <string>

#include "config/run_config.h"
#include "store/run_status.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

struct JobResult {
    int64_t runId = 0;
    RunStatus status = RunStatus::Created;
    std::string error;
};

/// One run from start to end, as both sage-train and the dashboard's worker perform it: creates the
/// run in the store, trains with the store writer plus an optional extra sink, records the outcome
/// (finished, stopped, or failed with the error text). Call on the thread that will train: it opens
/// that thread's own store connection.
class TrainingJob {
public:
    TrainingJob(RunConfig config, std::string dbPath, std::string experiment,
                TrainerControl& control, TrainingSink* extraSink = nullptr);

    /// Creates the run row; returns its id. run() calls it when not called before.
    int64_t prepare();
    JobResult run();

private:
    RunConfig m_config;
    std::string m_dbPath;
    std::string m_experiment;
    TrainerControl& m_control;
    TrainingSink* m_extraSink;
    int64_t m_runId = 0;
};

}  // namespace sage
