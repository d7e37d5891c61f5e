#include "training/training_job.h"

#include <nlohmann/json.hpp>

#include "store/run_store.h"
#include "store/store_sink.h"
#include "training/fan_out_sink.h"
#include "training/sft_trainer.h"
#include "training/trainer.h"

namespace sage {

TrainingJob::TrainingJob(RunConfig config, std::string dbPath, std::string experiment,
                         TrainerControl& control, TrainingSink* extraSink)
    : m_config(std::move(config)),
      m_dbPath(std::move(dbPath)),
      m_experiment(std::move(experiment)),
      m_control(control),
      m_extraSink(extraSink) {}

int64_t TrainingJob::prepare() {
    if (m_runId == 0) {
        RunStore store(m_dbPath);
        m_runId = store.createRun(m_experiment, m_config.name, toJson(m_config).dump(),
                                  m_config.training.seed);
    }
    return m_runId;
}

JobResult TrainingJob::run() {
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
            const auto outcome = m_config.training.stage == "sft"
                                     ? SftTrainer(m_config, sink, m_control).run()
                                     : Trainer(m_config, sink, m_control).run();
            result.status = outcome == Trainer::Outcome::Finished ? RunStatus::Finished
                                                                  : RunStatus::Stopped;
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
