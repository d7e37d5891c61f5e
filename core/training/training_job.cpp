#include "training/training_job.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "config/config_error.h"
#include "distributed/distributed_context.h"
#include "store/run_lease.h"
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

void TrainingJob::resumeRun(int64_t runId) {
    m_runId = runId;
    m_resume = true;
}

RunConfig TrainingJob::storedConfig(const std::string& dbPath, int64_t runId) {
    if (!std::filesystem::exists(dbPath))
        throw std::invalid_argument("no run store at " + dbPath + " (--db names the store the run was logged to)");
    RunStore store(dbPath);  // opening marks the runs of dead processes interrupted
    const auto run = store.run(runId);
    const std::string label = "run " + std::to_string(runId);
    if (!run || run->deleted)
        throw std::invalid_argument(label + " is not in " + dbPath + " (sage-dashboard --db lists its runs)");
    if (!isResumable(run->status)) {
        throw std::invalid_argument(label + " is " + toString(run->status) +
                                    "; only stopped, failed or interrupted runs resume" +
                                    (run->status == RunStatus::Finished ? "" : " (stop it first)"));
    }
    RunConfig config;
    try {
        config = configFromJsonText(run->configJson, label + "'s stored configuration");
    } catch (const ConfigError& error) {
        throw std::invalid_argument(std::string(error.what()) + " (a run of another version; start it again instead)");
    }
    if (config.training.stage != "rl") {
        throw std::invalid_argument(label + " is an SFT run; SFT keeps only its best model, so start the "
                                            "SFT stage again instead of resuming it");
    }
    return config;
}

std::string TrainingJob::checkpointFolder(const RunConfig& config, const std::string& dbPath, int64_t runId) {
    const std::filesystem::path base =
        config.training.checkpointDir.empty() ? dbPath + ".checkpoints" : config.training.checkpointDir;
    return (base / ("run-" + std::to_string(runId))).string();
}

void TrainingJob::claimForResume(RunStore& store) {
    if (!store.claimResumableRun(m_runId)) {
        const auto run = store.run(m_runId);
        throw std::invalid_argument("run " + std::to_string(m_runId) + " cannot resume: it is " +
                                    (run ? toString(run->status) : std::string("not in the store")) +
                                    " (another process may have resumed it first)");
    }
    int64_t step = 0;
    const auto records = store.checkpoints(m_runId);
    // Newest first; a file deleted by hand is skipped rather than failing the resume.
    for (auto record = records.rbegin(); record != records.rend(); ++record) {
        if (std::filesystem::exists(record->path)) {
            m_resumeCheckpoint = record->path;
            step = record->step;
            break;
        }
    }
    store.truncateRun(m_runId, step);
    // A process killed while it saved left its temporary file, which nothing names.
    std::error_code error;
    const std::filesystem::path folder = checkpointFolder(m_config, m_dbPath, m_runId);
    for (auto entry = std::filesystem::directory_iterator(folder, error);
         !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
        if (entry->path().extension() == Trainer::kPartialSuffix) std::filesystem::remove(entry->path(), error);
    }
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
        Trainer trainer(m_config, sink, m_control, m_distributed);
        if (!m_distributed || m_distributed->isLeader())
            trainer.setCheckpointFolder(checkpointFolder(m_config, m_dbPath, m_runId));
        if (!m_resumeCheckpoint.empty()) trainer.restoreCheckpoint(m_resumeCheckpoint);
        outcome = trainer.run();
    }
    return outcome == Trainer::Outcome::Finished ? RunStatus::Finished : RunStatus::Stopped;
}

JobResult TrainingJob::run() {
    if (m_resume && m_distributed) {
        throw std::invalid_argument("a run resumes in one process; start the resume without --nproc or "
                                    "WORLD_SIZE (every rank holds the same state, so one process continues it)");
    }
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
    if (!m_resume) prepare();
    RunStore store(m_dbPath);
    if (m_resume) claimForResume(store);
    else store.setRunStatus(m_runId, RunStatus::Running);
    RunLease lease(m_dbPath, m_runId);
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
    try {
        store.setRunStatus(m_runId, result.status, result.error);
    } catch (const StoreError& error) {
        // Still `running` in the file, owned by this process: the next open marks it interrupted.
        result.status = RunStatus::Failed;
        result.error += std::string(result.error.empty() ? "" : "; ") + "the run's status could not be saved: " +
                        error.what();
    }
    return result;
}

}  // namespace sage
