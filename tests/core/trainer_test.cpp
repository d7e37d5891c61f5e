#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <thread>

#include "recording_sink.h"
#include "training/trainer.h"

namespace sage {
namespace {

using testing::RecordingSink;
using testing::tinyConfig;

const char* kRequiredKeys[] = {
    "loss/total", "loss/policy", "reward", "reward_std", "ratio/token_mean", "ratio/token_max",
    "ratio/seq_mean", "ratio/seq_std", "ratio/seq_min", "ratio/seq_max", "ratio/seq_p01",
    "ratio/seq_p50", "ratio/seq_p99", "log_ratio/mean", "bound/pos_cap_mean",
    "bound/neg_scale_mean", "coef/pos_mean", "adv/mean", "adv/std", "adv/min", "adv/max",
    "adv/pos_frac", "adv/zero_std_groups", "frac_reward_zero_std", "slate/entropy_mean", "entropy",
    "approx_kl_old", "grad_norm", "learning_rate", "rewards/click/mean", "rewards/click/std",
    "rewards/dislike/mean", "rewards/diversity/mean"};

TEST(Trainer, LogsEveryRequiredKeyEachStepAndFinishes) {
    RecordingSink sink;
    TrainerControl control;
    Trainer trainer(tinyConfig(4), sink, control);
    EXPECT_EQ(trainer.run(), Trainer::Outcome::Finished);
    EXPECT_EQ(trainer.completedSteps(), 4);
    // Four training steps, then the final validation and test evaluations at step 4.
    ASSERT_EQ(sink.steps.size(), 6u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(sink.steps[i].step, static_cast<int64_t>(i + 1));
        for (const char* key : kRequiredKeys) {
            const double v = sink.value(i, key);
            EXPECT_TRUE(std::isfinite(v)) << key << " at step " << i + 1;
        }
    }
    EXPECT_EQ(sink.steps[4].step, 4);
    EXPECT_TRUE(std::isfinite(sink.value(4, "val/recall@10")));
    EXPECT_TRUE(std::isfinite(sink.value(5, "eval/recall@10")));
    EXPECT_TRUE(std::isfinite(sink.value(5, "eval/expected_reward")));
    ASSERT_EQ(sink.evals.size(), 2u);
    // With μ = 2 the second epoch sees ratios that moved away from 1.
    EXPECT_GT(sink.value(3, "ratio/token_max"), 1.0);
    EXPECT_EQ(sink.histograms.size(), 4u);
    // Slates at step 1 and every 2nd step: 1, 2, 4; every slate of the step.
    ASSERT_EQ(sink.slates.size(), 3u);
    const auto& first = sink.slates[0];
    ASSERT_EQ(first.size(), 16u);
    for (const auto& slate : first) {
        EXPECT_EQ(slate.items.size(), 3u);
        EXPECT_EQ(std::set<int64_t>(slate.items.begin(), slate.items.end()).size(), 3u);
        EXPECT_EQ(slate.logpNew.size(), 3u);
        EXPECT_EQ(slate.rewards.size(), 6u);
        EXPECT_NEAR(slate.ratio, std::exp(slate.logRatio), 1e-6);
    }
}

TEST(Trainer, SameSeedSameRun) {
    RecordingSink a, b;
    TrainerControl control;
    Trainer(tinyConfig(3), a, control).run();
    Trainer(tinyConfig(3), b, control).run();
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_DOUBLE_EQ(a.value(i, "reward"), b.value(i, "reward"));
        EXPECT_DOUBLE_EQ(a.value(i, "loss/total"), b.value(i, "loss/total"));
    }
}

TEST(Trainer, LearnsToEarnMoreReward) {
    auto config = tinyConfig(120);
    config.training.contexts = 16;
    config.training.groupSize = 8;
    config.training.slateLength = 5;
    config.optimizer.learningRate = 0.01;
    config.logging.evalEverySteps = 10;
    RecordingSink sink;
    TrainerControl control;
    Trainer(config, sink, control).run();
    std::vector<double> rewards;  // the training steps' sampled rewards, evaluations left out
    for (size_t i = 0; i < sink.steps.size(); ++i)
        if (!std::isnan(sink.value(i, "reward"))) rewards.push_back(sink.value(i, "reward"));
    ASSERT_EQ(rewards.size(), 120u);
    const auto meanReward = [&](size_t from, size_t to) {
        double total = 0.0;
        for (size_t i = from; i < to; ++i) total += rewards[i];
        return total / static_cast<double>(to - from);
    };
    EXPECT_GT(meanReward(100, 120), meanReward(0, 20) + 0.05)
        << "first 20: " << meanReward(0, 20) << ", last 20: " << meanReward(100, 120);
    // The simulator's exact expected reward of the greedy slate rises with the sampled reward:
    // from the first scheduled validation to the test pass at the end.
    const auto expectedReward = [&](const EvalRecord& eval) {
        for (const auto& [key, value] : eval.values)
            if (key == "val/expected_reward" || key == "eval/expected_reward") return value;
        return std::nan("");
    };
    ASSERT_EQ(sink.evals.size(), 14u);  // steps 10, 20, ..., 120, then validation and test at the end
    EXPECT_EQ(sink.evals.front().step, 10);
    std::printf("expected reward of the greedy slate: %.4f at step 10, %.4f at the end\n",
                expectedReward(sink.evals.front()), expectedReward(sink.evals.back()));
    EXPECT_GT(expectedReward(sink.evals.back()), expectedReward(sink.evals.front()) + 0.05)
        << "step 10: " << expectedReward(sink.evals.front()) << ", end: " << expectedReward(sink.evals.back());
}

TEST(Trainer, StopFlagHonouredMidRun) {
    RecordingSink sink;
    TrainerControl control;
    sink.onStepHook = [&](const StepScalars& s) {
        if (s.step == 3) control.stopRequested.store(true);
    };
    Trainer trainer(tinyConfig(50), sink, control);
    EXPECT_EQ(trainer.run(), Trainer::Outcome::Stopped);
    EXPECT_EQ(trainer.completedSteps(), 3);
}

TEST(Trainer, StopFromAnotherThreadEndsWithinASecond) {
    auto config = tinyConfig(100000);
    RecordingSink sink;
    TrainerControl control;
    Trainer trainer(config, sink, control);
    std::thread worker([&] { trainer.run(); });
    while (sink.lastStep.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto asked = std::chrono::steady_clock::now();
    control.stopRequested.store(true);
    worker.join();
    EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(1));
    EXPECT_LT(trainer.completedSteps(), 100000);
}

TEST(Trainer, PauseHoldsAndResumeContinues) {
    RecordingSink sink;
    TrainerControl control;
    sink.onStepHook = [&](const StepScalars& s) {
        if (s.step == 2) control.pauseRequested.store(true);
    };
    Trainer trainer(tinyConfig(5), sink, control);
    std::thread worker([&] { trainer.run(); });
    while (sink.lastStep.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(trainer.completedSteps(), 2);  // held while paused
    control.pauseRequested.store(false);
    worker.join();
    EXPECT_EQ(trainer.completedSteps(), 5);
}

}  // namespace
}  // namespace sage
