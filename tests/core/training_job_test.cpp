#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "recording_sink.h"
#include "store/run_store.h"
#include "training/training_job.h"

namespace sage {
namespace {

class TrainingJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() /
                ("sage_job_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        m_db = (m_dir / "runs.sqlite").string();
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::filesystem::path m_dir;
    std::string m_db;
};

TEST_F(TrainingJobTest, FinishedRunIsInTheStoreWithItsConfigurationAndMetrics) {
    TrainerControl control;
    testing::RecordingSink extra;
    const auto config = testing::tinyConfig(5);
    TrainingJob job(config, m_db, "unit", control, &extra);
    const auto result = job.run();
    EXPECT_EQ(result.status, RunStatus::Finished);
    EXPECT_EQ(extra.steps.size(), 7u);  // 5 steps, the final validation and test evaluations

    RunStore store(m_db);
    const auto run = store.run(result.runId);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, RunStatus::Finished);
    EXPECT_EQ(run->experiment, "unit");
    EXPECT_EQ(nlohmann::json::parse(run->configJson), toJson(config));
    EXPECT_GT(run->finishedAt, 0.0);
    for (const char* key : {"loss/total", "reward", "ratio/token_mean"}) {
        const auto series = store.metricSeries(result.runId, key);
        ASSERT_EQ(series.size(), 5u) << key;
        EXPECT_EQ(series.front().step, 1);
        EXPECT_EQ(series.back().step, 5);
    }
    EXPECT_FALSE(store.slates(result.runId, 2).empty());
    EXPECT_FALSE(store.events(result.runId).empty());
}

TEST_F(TrainingJobTest, SyntheticRunStoresItsEvaluationsAtTheScheduledStepsAndAtTheEnd) {
    TrainerControl control;
    auto config = testing::tinyConfig(5);
    config.logging.evalEverySteps = 2;
    config.training.evalUsers = 30;  // the scheduled passes: a fixed subset of 30 of the 80 users
    const auto result = TrainingJob(config, m_db, "unit", control).run();
    ASSERT_EQ(result.status, RunStatus::Finished) << result.error;

    RunStore store(m_db);
    const auto stepsOf = [&](const std::string& key) {
        std::vector<int64_t> steps;
        for (const auto& point : store.evalSeries(result.runId, key)) {
            EXPECT_TRUE(std::isfinite(point.value)) << key << " at step " << point.step;
            steps.push_back(point.step);
        }
        return steps;
    };
    const std::vector<int64_t> scheduledAndEnd{2, 4, 5};
    // The simulator's exact figures: of the validation subset at every evaluation, of every user
    // at the end.
    for (const char* metric : {"expected_reward", "expected_clicks@10", "expected_cold_clicks@10"}) {
        const std::string validation = std::string("val/") + metric, test = std::string("eval/") + metric;
        EXPECT_EQ(stepsOf(validation), scheduledAndEnd) << validation;
        EXPECT_EQ(store.metricSeries(result.runId, validation).size(), 3u) << validation;  // plotted too
        EXPECT_EQ(stepsOf(test), std::vector<int64_t>{5}) << test;
    }
    // Ranking and diversity metrics, leave-one-out on the logged histories: validation on the
    // schedule and at the end, the test split at the end.
    for (const char* key : {"val/recall@10", "val/ndcg@10", "val/entropy@10", "val/coverage@10"})
        EXPECT_EQ(stepsOf(key), scheduledAndEnd) << key;
    for (const char* key : {"eval/recall@10", "eval/ndcg@5", "eval/entropy@10", "eval/coverage@10",
                            "eval/gini@10", "eval/cold_exposure@10", "eval/invalid_rate"})
        EXPECT_EQ(stepsOf(key), std::vector<int64_t>{5}) << key;
    const auto clicks = store.evalSeries(result.runId, "eval/expected_clicks@10").back().value;
    EXPECT_GT(clicks, 0.0);
    EXPECT_LE(store.evalSeries(result.runId, "eval/expected_cold_clicks@10").back().value, clicks);
    EXPECT_EQ(store.evalSeries(result.runId, "eval/invalid_rate").back().value, 0.0);
}

TEST_F(TrainingJobTest, StoppedRunIsMarkedStoppedAndKeepsItsSteps) {
    TrainerControl control;
    testing::RecordingSink extra;
    extra.onStepHook = [&](const StepScalars& s) {
        if (s.step == 3) control.stopRequested.store(true);
    };
    TrainingJob job(testing::tinyConfig(100), m_db, "unit", control, &extra);
    const auto result = job.run();
    EXPECT_EQ(result.status, RunStatus::Stopped);
    RunStore store(m_db);
    EXPECT_EQ(store.run(result.runId)->status, RunStatus::Stopped);
    EXPECT_EQ(store.metricSeries(result.runId, "reward").size(), 3u);
}

TEST_F(TrainingJobTest, TrainerErrorMarksTheRunFailedWithItsMessage) {
    TrainerControl control;
    testing::RecordingSink extra;
    extra.onStepHook = [](const StepScalars& s) {
        if (s.step == 2) throw std::runtime_error("sink exploded");
    };
    TrainingJob job(testing::tinyConfig(10), m_db, "unit", control, &extra);
    const auto result = job.run();
    EXPECT_EQ(result.status, RunStatus::Failed);
    RunStore store(m_db);
    const auto run = store.run(result.runId);
    EXPECT_EQ(run->status, RunStatus::Failed);
    EXPECT_NE(run->error.find("sink exploded"), std::string::npos);
    EXPECT_EQ(store.metricSeries(result.runId, "reward").size(), 2u);  // what came before is kept
}

}  // namespace
}  // namespace sage
