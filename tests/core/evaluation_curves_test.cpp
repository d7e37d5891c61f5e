#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "report/evaluation_curves.h"
#include "report_store_fixture.h"
#include "temp_dir.h"

namespace sage {
namespace {

using testing::armLabel;
using testing::FakeRun;

class EvaluationCurvesTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (int64_t seed = 0; seed < 2; ++seed) {
            for (const std::string arm : {"sage", "gbpo-token"}) {
                FakeRun run;
                run.label = armLabel(arm, seed, arm == "gbpo-token");
                run.finalEvals = {{"eval/recall@10", 0.1}};
                run.validation["val/recall@10"] = {0.01 * double(seed + 1), 0.03 * double(seed + 1)};
                for (int step = 1; step <= 8; ++step) run.rewards.push_back(double(step + 10 * seed));
                writeFakeRun(store, run);
            }
        }
    }
    testing::TempDir dir{"sage_curves"};
    RunStore store{dir.file("runs.sqlite")};
};

TEST_F(EvaluationCurvesTest, ValidationTwinAndTrainingCurvesAreMeanAndStdOverSeeds) {
    const auto report = ExperimentReport::build(store, "suite");
    const auto plots = EvaluationCurves::build(store, report);
    ASSERT_EQ(plots.size(), 2u);
    EXPECT_EQ(plots[0].key, "val/recall@10");
    EXPECT_EQ(plots[0].title, "val/recall@10 (validation)");
    EXPECT_EQ(plots[0].file, "synthetic-val_recall_10.png");
    ASSERT_EQ(plots[0].arms.size(), 2u);
    const ArmCurve& sage = plots[0].arms[0];
    EXPECT_EQ(sage.arm, "sage");
    EXPECT_EQ(sage.seeds, 2);
    EXPECT_EQ(sage.steps, (std::vector<double>{10, 20}));
    EXPECT_NEAR(sage.mean[0], 0.015, 1e-12);
    EXPECT_NEAR(sage.std[0], std::sqrt(2 * 0.005 * 0.005), 1e-12);
    EXPECT_NEAR(sage.mean[1], 0.045, 1e-12);

    EXPECT_EQ(plots[1].key, "reward");
    const ArmCurve& reward = plots[1].arms[1];
    ASSERT_EQ(reward.steps.size(), 8u);
    EXPECT_DOUBLE_EQ(reward.mean[0], 6.0);  // seeds: 1 and 11
    EXPECT_NEAR(reward.std[0], std::sqrt(50.0), 1e-12);
}

TEST_F(EvaluationCurvesTest, LongSeriesAreAveragedInStepBinsPerSeed) {
    const auto report = ExperimentReport::build(store, "suite");
    const auto plots = EvaluationCurves::build(store, report, 4);
    const ArmCurve& reward = plots[1].arms[0];
    // 8 steps in 4 bins of 2: seed 0 bin 0 = 1.5, seed 1 = 11.5.
    ASSERT_EQ(reward.steps.size(), 4u);
    EXPECT_DOUBLE_EQ(reward.steps[0], 1.5);
    EXPECT_DOUBLE_EQ(reward.mean[0], 6.5);
    EXPECT_DOUBLE_EQ(reward.steps[3], 7.5);
}

TEST_F(EvaluationCurvesTest, JsonRoundTripKeepsEveryPointAndBadFilesAreNamed) {
    const auto report = ExperimentReport::build(store, "suite");
    const auto plots = EvaluationCurves::build(store, report);
    const auto back = EvaluationCurves::fromJson(nlohmann::json::parse(EvaluationCurves::toJson(plots).dump()));
    ASSERT_EQ(back.size(), plots.size());
    EXPECT_EQ(back[1].arms[1].mean, plots[1].arms[1].mean);
    EXPECT_EQ(back[0].file, plots[0].file);
    auto bad = EvaluationCurves::toJson(plots);
    bad["plots"][1]["arms"][0].erase("mean");
    try {
        EvaluationCurves::fromJson(bad);
        FAIL() << "no error";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "plots[1].arms[0] lacks \"mean\"");
    }
    bad = EvaluationCurves::toJson(plots);
    bad["plots"][0]["file"] = "../escape.png";
    EXPECT_THROW(EvaluationCurves::fromJson(bad), std::runtime_error);
}

}  // namespace
}  // namespace sage
