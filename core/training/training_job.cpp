#include "training/training_job.h"

#include <nlohmann/json.hpp>

#include "distributed/distributed_context.h"
#include "store/run_store.h"
#include "store/store_sink.h"
#include "training/fan_out_sink.h"
#include "training/null_sink.h"
#include "training/sft_trainer.h"
#include "training/trainer.h"

namespace sage {

TrainingJob::TrainingJob(RunConfig config, std::string dbPath, std::string experiment,
                         TrainerControl& control, TrainingSink* extraSink, DistributedContext* distributed)
    : m_config(std::move(config)),
      m_dbPath(std::move(dbPath)),
      m_experiment(std::move(experiment)),
      m_control(control),
      m_extraSink(extraSink),
      m_distributed(distributed) {}

int64_t TrainingJob::prepare() {
    if (m_runId == 0) {
        RunStore store(m_dbPath);
        m_runId = store.createRun(m_experiment, m_config.name, toJson(m_config).dump(),
                                  m_config.training.seed);
    }
    return m_runId;
}

RunStatus TrainingJob::train(TrainingSink& sink) {
    Trainer::Outcome outcome;
    if (m_config.training.stage == "sft") {
        if (m_distributed) {
            throw std::runtime_error("training.stage \"sft\" runs in a single process; start it without "
                                     "--nproc or WORLD_SIZE (data parallelism covers the RL stage)");
        }
        outcome = SftTrainer(m_config, sink, m_control).run();
    } else {
        outcome = Trainer(m_config, sink, m_control, m_distributed).run();
    }
    return outcome == Trainer::Outcome::Finished ? RunStatus::Finished : RunStatus::Stopped;
}

JobResult TrainingJob::run() {
    if (m_distributed && !m_distributed->isLeader()) {
        // Rank 0 writes the store; this rank only trains.
        NullSink silent;
        JobResult result{m_runId, RunStatus::Running, {}};
        try {
            result.status = train(m_extraSink ? *m_extraSink : silent);
        } catch (const std::exception& error) {
            result.status = RunStatus::Failed;
            result.error = error.what();
        }
        return result;
    }
    prepare();
    RunStore store(m_dbPath);
    store.setRunStatus(m_runId, RunStatus::Running);
    JobResult result{m_runId, RunStatus::Running, {}};
    try {
        StoreSink storeSink(m_dbPath, m_runId, m_config.logging.flushEverySteps);
        std::vector<TrainingSink*> sinks{&storeSink};
        if (m_extraSink) sinks.push_back(m_extraSink);
        FanOutSink sink(sinks);
        try {
            result.status = train(sink);
        } catch (const std::exception& error) {
            // Record the failure next to the metrics that led to it, then persist both.
            result.status = RunStatus::Failed;
            result.error = error.what();
            sink.onEvent({0, 0.0, EventLevel::Error, result.error});
        }
        sink.flush();
    } catch (const std::exception& error) {
        // The store writer itself failed (a full disk, say): the run is failed, not lost.
        result.status = RunStatus::Failed;
        if (!result.error.empty()) result.error += "; ";
        result.error += std::string("while writing the run store: ") + error.what();
    }
    store.setRunStatus(m_runId, result.status, result.error);
    return result;
}

}  // namespace sage
