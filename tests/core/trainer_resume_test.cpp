// Issue #8, crash safety and failure handling of the RL stage: a checkpoint continues a run exactly
// where it stopped, `TrainingJob::resumeRun` logs every step once, and a diverging run, a checkpoint
// that cannot be written or a full store stop the run with a message and an intact store.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "recording_sink.h"
#include "store/run_store.h"
#include "store/store_error.h"
#include "store/store_sink.h"
#include "training/trainer.h"
#include "training/training_job.h"

namespace sage {
namespace {

namespace fs = std::filesystem;
using testing::RecordingSink;
using testing::tinyConfig;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class TrainerResumeTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = fs::temp_directory_path() / ("sage_resume_" + std::string(info->name()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
        m_db = (m_dir / "runs.sqlite").string();
    }
    void TearDown() override { fs::remove_all(m_dir); }

    /// A job that asks to stop once `stopAfter` steps are reported (0: never).
    JobResult runJob(const RunConfig& config, int64_t stopAfter, int64_t resumeId = 0) {
        TrainerControl control;
        RecordingSink extra;
        extra.onStepHook = [&](const StepScalars& s) {
            if (s.step == stopAfter) control.stopRequested.store(true);
        };
        TrainingJob job(config, m_db, "resume", control, &extra);
        if (resumeId > 0) job.resumeRun(resumeId);
        return job.run();
    }
    std::vector<MetricPoint> rewards(int64_t runId) { return RunStore(m_db).metricSeries(runId, "reward"); }
    std::string integrity() {
        SQLite::Database db(m_db, SQLite::OPEN_READONLY);
        return db.execAndGet("PRAGMA integrity_check").getString();
    }

    /// Trains `config` straight through into m_straight, and again in m_first until a stop after
    /// step `stopAfter` (whose checkpoint the stop writes), then continues that checkpoint with a
    /// new trainer into m_second.
    void trainStoppedAndResumed(const RunConfig& config, int64_t stopAfter) {
        TrainerControl control;
        Trainer whole(config, m_straight, control);
        ASSERT_EQ(Trainer::Outcome::Finished, whole.run());
        m_straightParameters = whole.parameterValues();

        TrainerControl stopping;
        m_first.onStepHook = [&](const StepScalars& s) {
            if (s.step == stopAfter) stopping.stopRequested.store(true);
        };
        Trainer interrupted(config, m_first, stopping);
        interrupted.setCheckpointFolder((m_dir / "ckpt").string());
        ASSERT_EQ(Trainer::Outcome::Stopped, interrupted.run());
        ASSERT_EQ(stopAfter, interrupted.completedSteps());

        Trainer resumed(config, m_second, control);
        resumed.restoreCheckpoint((m_dir / "ckpt" / ("step-" + std::to_string(stopAfter) + ".ckpt")).string());
        ASSERT_EQ(stopAfter, resumed.completedSteps());
        ASSERT_EQ(Trainer::Outcome::Finished, resumed.run());
        m_resumedParameters = resumed.parameterValues();
    }

    fs::path m_dir;
    std::string m_db;
    RecordingSink m_straight, m_first, m_second;
    std::vector<float> m_straightParameters, m_resumedParameters;
};

TEST_F(TrainerResumeTest, RestoredCheckpointTakesTheStepsTheUninterruptedRunTakes) {
    ASSERT_NO_FATAL_FAILURE(trainStoppedAndResumed(tinyConfig(6), 3));
    const std::string checkpoint = (m_dir / "ckpt" / "step-3.ckpt").string();
    EXPECT_FALSE(fs::exists(checkpoint + ".partial"));
    // Training steps only: the final evaluations are reported as steps too.
    ASSERT_EQ(3, std::count_if(m_second.steps.begin(), m_second.steps.end(), [](const StepScalars& s) {
                  return std::any_of(s.values.begin(), s.values.end(), [](const auto& v) { return v.first == "reward"; });
              }));
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(int64_t(i + 4), m_second.steps[i].step);
        for (const char* key : {"reward", "loss/total", "grad_norm", "entropy"})
            EXPECT_EQ(m_straight.value(i + 3, key), m_second.value(i, key)) << key << " at step " << i + 4;
        EXPECT_GE(m_second.steps[i].wallTime, m_first.steps.back().wallTime) << "wall time goes on, not from 0";
    }
    EXPECT_EQ(m_straightParameters, m_resumedParameters);
    EXPECT_TRUE(contains(m_second.events.at(1).message, "resumed after step 3 from " + checkpoint))
        << m_second.events.at(1).message;
}

/// RL with the Transformer on logged sequences in `folder` (the Amazon environment), with
/// validation metrics.
RunConfig amazonConfig(const fs::path& folder) {
    std::string sequences;
    for (int u = 1; u <= 40; ++u) {
        sequences += std::to_string(u);
        for (int i = 0; i < 7; ++i) sequences += " " + std::to_string(1 + (u * 5 + i * (u % 3 + 1)) % 20);
        sequences += "\n";
    }
    RunConfig config;
    config.environment.kind = "amazon";
    config.environment.dataPath = (folder / "sequences.txt").string();
    std::ofstream(config.environment.dataPath) << sequences;
    config.model.kind = "transformer";
    config.model.embeddingDim = 16;
    config.model.hiddenDim = 32;
    config.model.layers = 1;
    config.model.heads = 2;
    config.model.historyWindow = 6;
    config.training.slateLength = 3;
    config.training.steps = 4;
    config.training.contexts = 6;
    config.training.groupSize = 4;
    config.training.threads = 1;
    config.training.seed = 3;
    config.objective.sftAlpha = 0.1;  // the SFT mix draws from the context stream inside updates
    config.logging.evalEverySteps = 2;
    return config;
}

TEST_F(TrainerResumeTest, AmazonTransformerRunResumesWithTheSameUpdatesAndEvaluations) {
    ASSERT_NO_FATAL_FAILURE(trainStoppedAndResumed(amazonConfig(m_dir), 2));
    EXPECT_EQ(m_straightParameters, m_resumedParameters);
    ASSERT_FALSE(m_second.evals.empty());
    ASSERT_FALSE(m_straight.evals.empty());
    EXPECT_EQ(m_straight.evals.back().values, m_second.evals.back().values) << "the final test evaluation";
}

TEST_F(TrainerResumeTest, CheckpointOfAnotherModelIsRefusedWithThePath) {
    auto config = tinyConfig(2);
    TrainerControl control;
    RecordingSink sink;
    Trainer small(config, sink, control);
    const std::string path = (m_dir / "small.ckpt").string();
    small.saveCheckpoint(path);
    config.model.hiddenDim = 32;
    Trainer wider(config, sink, control);
    try {
        wider.restoreCheckpoint(path);
        FAIL() << "a checkpoint of another shape was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_TRUE(contains(error.what(), path)) << error.what();
        EXPECT_TRUE(contains(error.what(), "shape")) << error.what();
    }
    std::ofstream(path, std::ios::trunc) << "not a checkpoint";
    EXPECT_THROW(small.restoreCheckpoint(path), std::runtime_error);
}

TEST_F(TrainerResumeTest, ResumedJobLogsEveryStepOnceWithTheUninterruptedValues) {
    auto config = tinyConfig(7);
    config.training.checkpointEverySteps = 2;
    config.logging.flushEverySteps = 1;
    const JobResult straight = runJob(config, 0);
    ASSERT_EQ(RunStatus::Finished, straight.status);

    // Stopped after step 5 with checkpoints of steps 2, 4 and 5 (at the stop); the file of step 5
    // is lost, as when a process dies before the checkpoint of its last steps is written.
    const JobResult stopped = runJob(config, 5);
    ASSERT_EQ(RunStatus::Stopped, stopped.status);
    RunStore store(m_db);
    auto checkpoints = store.checkpoints(stopped.runId);
    ASSERT_EQ(size_t(StoreSink::kCheckpointsKept), checkpoints.size());
    EXPECT_EQ(4, checkpoints[0].step);
    EXPECT_EQ(5, checkpoints[1].step);
    EXPECT_EQ(TrainingJob::checkpointFolder(config, m_db, stopped.runId),
              fs::path(checkpoints[1].path).parent_path().string());
    fs::remove(checkpoints[1].path);
    const fs::path partial = fs::path(checkpoints[1].path).parent_path() / "step-5.ckpt.partial";
    std::ofstream(partial.string()) << "half a checkpoint";  // as a kill during a save leaves it

    const RunConfig stored = TrainingJob::storedConfig(m_db, stopped.runId);
    EXPECT_EQ(toJson(config), toJson(stored));
    const JobResult resumed = runJob(stored, 0, stopped.runId);
    ASSERT_EQ(RunStatus::Finished, resumed.status) << resumed.error;
    EXPECT_EQ(stopped.runId, resumed.runId);
    EXPECT_FALSE(fs::exists(partial));

    const auto expected = rewards(straight.runId);
    const auto actual = rewards(stopped.runId);
    ASSERT_EQ(7u, actual.size());
    for (size_t i = 0; i < actual.size(); ++i) {
        EXPECT_EQ(int64_t(i + 1), actual[i].step);
        EXPECT_EQ(expected[i].value, actual[i].value) << "step " << i + 1;
    }
    const auto run = store.run(stopped.runId);
    EXPECT_EQ(RunStatus::Finished, run->status);
    EXPECT_EQ(7, run->lastStep);
    checkpoints = store.checkpoints(stopped.runId);
    ASSERT_FALSE(checkpoints.empty());
    EXPECT_EQ(7, checkpoints.back().step) << "the end of a run is checkpointed too";
    EXPECT_THROW(TrainingJob::storedConfig(m_db, stopped.runId), std::invalid_argument) << "finished";
    EXPECT_THROW(TrainingJob::storedConfig(m_db, 999), std::invalid_argument);
}

TEST_F(TrainerResumeTest, RunWithoutACheckpointResumesFromTheStart) {
    auto config = tinyConfig(4);
    config.training.checkpointEverySteps = 0;
    const JobResult failed = [&] {
        TrainerControl control;
        RecordingSink extra;
        extra.onStepHook = [](const StepScalars& s) {
            if (s.step == 3) throw std::runtime_error("sink exploded");
        };
        return TrainingJob(config, m_db, "resume", control, &extra).run();
    }();
    ASSERT_EQ(RunStatus::Failed, failed.status);
    ASSERT_TRUE(RunStore(m_db).checkpoints(failed.runId).empty()) << "a failure writes no checkpoint";
    const JobResult resumed = runJob(config, 0, failed.runId);
    ASSERT_EQ(RunStatus::Finished, resumed.status) << resumed.error;
    const auto series = rewards(failed.runId);
    ASSERT_EQ(4u, series.size());
    EXPECT_EQ(1, series.front().step);
    EXPECT_EQ(4, series.back().step);
}

TEST_F(TrainerResumeTest, DivergingRunFailsNamingTheStepAndKeepsItsLastGoodCheckpoint) {
    auto config = tinyConfig(6);
    config.optimizer.learningRate = 1e30;  // the first update throws every parameter to ±1e30
    config.training.innerEpochs = 1;       // one update per step: step 1 ends with finite values
    config.training.minibatches = 1;
    config.training.checkpointEverySteps = 1;
    const JobResult result = runJob(config, 0);
    ASSERT_EQ(RunStatus::Failed, result.status);
    RecordProperty("error", result.error);  // --gtest_output=xml shows which guard caught it
    EXPECT_TRUE(contains(result.error, "step 2: ")) << result.error;
    EXPECT_TRUE(contains(result.error, "non-finite")) << result.error;
    RunStore store(m_db);
    EXPECT_EQ(result.error, store.run(result.runId)->error);
    const auto checkpoints = store.checkpoints(result.runId);
    ASSERT_EQ(1u, checkpoints.size());
    EXPECT_EQ(1, checkpoints[0].step);
    EXPECT_TRUE(fs::exists(checkpoints[0].path));
    EXPECT_EQ(1u, rewards(result.runId).size());
    EXPECT_EQ("ok", integrity());
}

TEST_F(TrainerResumeTest, NonFiniteLossFailsTheRunBeforeTheUpdate) {
    auto config = tinyConfig(3);
    config.rewards.click = std::numeric_limits<double>::infinity();  // advantages ∞ − ∞ = NaN
    const JobResult result = runJob(config, 0);
    ASSERT_EQ(RunStatus::Failed, result.status);
    EXPECT_TRUE(contains(result.error, "step 1: loss/total is nan")) << result.error;
    EXPECT_TRUE(contains(result.error, "the update was not applied")) << result.error;
    RunStore store(m_db);
    EXPECT_EQ(RunStatus::Failed, store.run(result.runId)->status);
    EXPECT_TRUE(store.checkpoints(result.runId).empty()) << "a failed step is never checkpointed";
    EXPECT_EQ("ok", integrity());
}

TEST_F(TrainerResumeTest, NonFiniteGradientFailsTheRunWhileTheLossIsFinite) {
    auto config = tinyConfig(3);
    // α·L_sft ≈ 1e37 fits a float, the squares of its gradients in the norm do not.
    config.objective.sftAlpha = 1e37;
    const JobResult result = runJob(config, 0);
    ASSERT_EQ(RunStatus::Failed, result.status);
    EXPECT_TRUE(contains(result.error, "step 1: grad_norm is inf")) << result.error;
    EXPECT_EQ(result.error, RunStore(m_db).run(result.runId)->error);
}

TEST_F(TrainerResumeTest, CheckpointThatCannotBeWrittenFailsTheRunWithThePathAndKeepsTheStore) {
    auto config = tinyConfig(6);
    config.training.checkpointEverySteps = 2;
    config.logging.flushEverySteps = 1;
    // A folder that cannot be made: its parent is a file (root may write anywhere, so no chmod).
    std::ofstream((m_dir / "file").string()) << "x";
    config.training.checkpointDir = (m_dir / "file" / "ckpt").string();
    const JobResult result = runJob(config, 0);
    ASSERT_EQ(RunStatus::Failed, result.status);
    EXPECT_TRUE(contains(result.error, "cannot write the checkpoint " + config.training.checkpointDir))
        << result.error;
    EXPECT_TRUE(contains(result.error, "after step 2")) << result.error;
    EXPECT_EQ(2u, rewards(result.runId).size()) << "the steps before the failure are kept";
    EXPECT_EQ("ok", integrity());
}

TEST_F(TrainerResumeTest, FullStoreStopsTrainingWithTheRemedyAndKeepsEveryCommittedStep) {
    const int64_t runId = RunStore(m_db).createRun("resume", "full", "{}", 1);
    TrainerControl control;
    {
        StoreSink sink(m_db, runId, 1, 3600.0);
        // The file may not grow beyond its size now plus a few pages: the disk is full.
        auto& db = sink.store().database();
        const int64_t pages = db.execAndGet("PRAGMA page_count").getInt64();
        db.exec("PRAGMA max_page_count = " + std::to_string(pages + 4));
        Trainer trainer(tinyConfig(200), sink, control);
        try {
            trainer.run();
            FAIL() << "200 steps fitted into 4 pages";
        } catch (const StoreError& error) {
            EXPECT_TRUE(contains(error.what(), "full")) << error.what();
            EXPECT_TRUE(contains(error.what(), m_db)) << error.what();
        }
        db.exec("PRAGMA max_page_count = 1000000");  // space again: the sink's last flush succeeds
    }
    EXPECT_EQ("ok", integrity());
    const auto series = rewards(runId);
    ASSERT_FALSE(series.empty());
    for (size_t i = 0; i < series.size(); ++i) EXPECT_EQ(int64_t(i + 1), series[i].step);
}

}  // namespace
}  // namespace sage
