#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "config/config_schema.h"
#include "recording_sink.h"
#include "store/run_store.h"
#include "training/training_job.h"

namespace sage {
namespace {

// Every per-step key of SAGE.md section 5 (clip_ratio/* only for clip objectives).
const std::vector<std::string> kStepKeys = {
    "ratio/seq_mean", "ratio/seq_std", "ratio/seq_min", "ratio/seq_max", "ratio/seq_p01",
    "ratio/seq_p50", "ratio/seq_p99", "ratio/token_mean", "ratio/token_max", "log_ratio/mean",
    "bound/pos_cap_mean", "bound/neg_scale_mean", "bound/neg_cap_mean", "bound/pos_active_frac",
    "bound/neg_active_frac", "boost/applied_frac", "coef/pos_mean", "coef/neg_mean", "reward",
    "reward_std", "frac_reward_zero_std", "adv/mean", "adv/std", "adv/min", "adv/max",
    "adv/pos_frac", "adv/zero_std_groups", "slate/entropy_mean", "entropy", "kl", "approx_kl_old",
    "loss/policy", "loss/kl", "loss/total", "grad_norm", "learning_rate",
    "rewards/click/mean", "rewards/click/std", "rewards/purchase/mean", "rewards/purchase/std",
    "rewards/dwell/mean", "rewards/dwell/std", "rewards/dislike/mean", "rewards/dislike/std",
    "rewards/diversity/mean", "rewards/diversity/std", "rewards/cold_click/mean",
    "rewards/cold_click/std"};
const std::vector<std::string> kClipKeys = {"clip_ratio/low_mean", "clip_ratio/high_mean",
                                            "clip_ratio/region_mean"};

struct Variant {
    std::string label;
    std::vector<std::string> settings;
    bool clip;
};

class ObjectiveRunTest : public ::testing::TestWithParam<Variant> {};

TEST_P(ObjectiveRunTest, LogsEverySection5KeyToTheStore) {
    const auto& variant = GetParam();
    const auto dir = std::filesystem::temp_directory_path() / ("sage_objective_run_" + variant.label);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "runs.sqlite").string();

    auto config = testing::tinyConfig(3);
    config.logging.slatesEverySteps = 1;
    config.objective.klBeta = 0.05;  // the KL term enters the loss, not only the log
    for (const auto& setting : variant.settings) ConfigSchema::instance().applyAssignment(config, setting);
    TrainerControl control;
    const auto result = TrainingJob(config, db, "objectives", control).run();
    ASSERT_EQ(result.status, RunStatus::Finished) << result.error;

    RunStore store(db);
    auto keys = kStepKeys;
    if (variant.clip) keys.insert(keys.end(), kClipKeys.begin(), kClipKeys.end());
    for (const auto& key : keys) {
        const auto series = store.metricSeries(result.runId, key);
        ASSERT_EQ(series.size(), 3u) << variant.label << ": " << key;
        for (const auto& point : series) EXPECT_TRUE(std::isfinite(point.value)) << key;
    }
    if (!variant.clip) {
        EXPECT_TRUE(store.metricSeries(result.runId, "clip_ratio/low_mean").empty()) << variant.label;
    }
    EXPECT_EQ(store.histograms(result.runId, "hist/log_ratio").size(), 3u);

    // Per-slate records: every slate of the step, every field of section 5.
    const auto slates = store.slates(result.runId, 2);
    ASSERT_EQ(slates.size(), static_cast<size_t>(config.training.contexts * config.training.groupSize));
    for (const auto& slate : slates) {
        EXPECT_EQ(slate.items.size(), static_cast<size_t>(config.training.slateLength));
        EXPECT_EQ(slate.logpOld.size(), slate.items.size());
        EXPECT_EQ(slate.logpNew.size(), slate.items.size());
        EXPECT_EQ(slate.tokenRatio.size(), slate.items.size());
        EXPECT_FALSE(slate.branch.empty());
        EXPECT_GT(slate.pbarOld, 0.0);
        EXPECT_LE(slate.pbarOld, 1.0);
        EXPECT_GE(slate.listEntropy, 0.0);
        EXPECT_LE(slate.listEntropy, 1.0);
        EXPECT_EQ(slate.rewards.size(), 6u);
        for (double v : {slate.logRatio, slate.ratio, slate.denominator, slate.coefficient,
                         slate.boost, slate.posCap, slate.negScale, slate.advantage})
            EXPECT_TRUE(std::isfinite(v));
    }
    std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    EveryObjective, ObjectiveRunTest,
    ::testing::Values(
        Variant{"sage", {"objective.kind=sage"}, false},
        Variant{"sage_threshold_cold_share",
                {"objective.kind=sage", "objective.penalty_shape=threshold",
                 "objective.boost_mode=cold_share"},
                false},
        Variant{"sage_exp_advantage_boost",
                {"objective.kind=sage", "objective.penalty_shape=exp", "objective.boost_form=advantage",
                 "objective.boost_mode=cold_hit"},
                false},
        Variant{"sage_asym_clip", {"objective.kind=sage", "objective.sage_form=asym_clip"}, true},
        Variant{"gbpo_token", {"objective.kind=gbpo", "objective.ratio_level=token"}, false},
        Variant{"gbpo_sequence", {"objective.kind=gbpo", "objective.ratio_level=sequence"}, false},
        Variant{"gspo", {"objective.kind=gspo"}, true},
        Variant{"grpo_dual_clip", {"objective.kind=grpo", "objective.dual_clip=true"}, true},
        Variant{"ecpo_token", {"objective.kind=ecpo", "objective.ratio_level=token"}, true},
        Variant{"ecpo_sequence", {"objective.kind=ecpo", "objective.ratio_level=sequence"}, true},
        Variant{"sign_advantages_sft_mix",
                {"objective.kind=gbpo", "objective.advantage=sign", "objective.sft_alpha=0.1"},
                false}),
    [](const ::testing::TestParamInfo<Variant>& info) { return info.param.label; });

}  // namespace
}  // namespace sage
