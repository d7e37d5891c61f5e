#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "config/config_schema.h"
#include "data/amazon_environment.h"
#include "data_test_files.h"
#include "store/run_store.h"
#include "training/training_job.h"

namespace sage {
namespace {

// 4 users over 8 items (1-based in the file). Item 7 never appears in training: cold.
const char* kSequences =
    "1 1 2 3 4 5 6\n"
    "2 2 3 4 5 1 2\n"
    "3 3 4 5 1 7 8\n"
    "4 1 2 3 8 4 5\n";

RunConfig::Environment environmentFor(const std::string& path) {
    RunConfig::Environment env;
    env.kind = "amazon";
    env.dataPath = path;
    return env;
}

TEST(AmazonEnvironment, RewardsMatchHandComputedValues) {
    const AmazonData data(environmentFor(testing::writeTempFile("amazon_env.txt", kSequences)));
    // Unit embeddings: items 0-3 along x, items 4-7 along y, so cosines are 1 or 0.
    auto embeddings = torch::zeros({8, 2});
    for (int i = 0; i < 8; ++i) embeddings[i][i < 4 ? 0 : 1] = 1.0;
    std::vector<int64_t> categories{0, 0, 1, 1, 2, 2, 3, 3};
    const AmazonEnvironment env(data, embeddings, categories, 3);
    ASSERT_TRUE(data.split.isCold(6));  // item "7"

    SlateContext context;
    context.history = {0, 1};
    context.future = {2, 6, 4};  // next item 2; item 6 is cold
    std::mt19937_64 rng(1);
    // Slate (5, 2, 6, 0): the next item at position 1 → hit 1/log2(3); future items 2 and 6 in the
    // slate → future_hit 2/3 and cold_hit 1; relevance: cosines of {5,2,6,0} × {2,6,4} =
    // (0,1,1),(1,0,0),(0,1,1),(1,0,0) → 6/12 = 0.5; categories (2,1,3,0): all distinct → Ĥ = 1.
    const auto r = env.respond(context, {5, 2, 6, 0}, rng);
    ASSERT_EQ(r.components.size(), 6u);
    EXPECT_NEAR(r.components[0], 1.0 / std::log2(3.0), 1e-12);
    EXPECT_NEAR(r.components[1], 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(r.components[2], 0.5, 1e-6);
    EXPECT_NEAR(r.components[3], 1.0, 1e-12);
    EXPECT_EQ(r.components[4], 1.0);
    EXPECT_EQ(r.components[5], 0.0);
    EXPECT_NEAR(r.coldComponents[1], 1.0 / 3.0, 1e-12);  // the cold future item's share

    // (4, 4, 99, 5): the repeat and 99 are invalid positions → 2/4; the in-catalogue items
    // 4, 4, 5 all have category 2 → Ĥ = 0; the next item is missing → no hit.
    const auto bad = env.respond(context, {4, 4, 99, 5}, rng);
    EXPECT_NEAR(bad.components[5], 0.5, 1e-12);
    EXPECT_EQ(bad.components[3], 0.0);
    EXPECT_EQ(bad.components[0], 0.0);
}

TEST(AmazonEnvironment, ContextsCutTrainingSequencesAndNeverSeeHeldOutItems) {
    const AmazonData data(environmentFor(testing::writeTempFile("amazon_ctx.txt", kSequences)));
    const AmazonEnvironment env(data, torch::eye(8), std::vector<int64_t>(8, 0), 2);
    std::mt19937_64 rng(3);
    for (const auto& context : env.drawContexts(200, rng)) {
        const auto& training = data.split.training(context.user);
        ASSERT_FALSE(context.history.empty());
        ASSERT_FALSE(context.future.empty());
        EXPECT_LE(context.future.size(), 2u);
        // history + future is a prefix of the training sequence: held-out targets never appear.
        std::vector<int64_t> joined = context.history;
        joined.insert(joined.end(), context.future.begin(), context.future.end());
        ASSERT_LE(joined.size(), training.size());
        EXPECT_TRUE(std::equal(joined.begin(), joined.end(), training.begin()));
    }
}

TEST(AmazonRl, StartsFromAnSftCheckpointAndLogsRewardsAndEvaluation) {
    std::string sequences;
    for (int u = 1; u <= 60; ++u) {
        sequences += std::to_string(u);
        for (int i = 0; i < 7; ++i) sequences += " " + std::to_string(1 + (u + i) % 20);
        sequences += "\n";
    }
    const auto path = testing::writeTempFile("amazon_rl.txt", sequences);
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sage_amazon_rl";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "runs.sqlite").string();

    RunConfig sft;
    sft.environment = environmentFor(path);
    sft.model.kind = "transformer";
    sft.model.embeddingDim = 16;
    sft.model.hiddenDim = 32;
    sft.model.layers = 1;
    sft.model.heads = 2;
    sft.model.dropout = 0.0;
    sft.model.historyWindow = 6;
    sft.training.stage = "sft";
    sft.training.epochs = 3;
    sft.training.batchSize = 16;
    sft.training.warmupSteps = 2;
    sft.training.slateLength = 4;
    sft.training.threads = 1;
    sft.training.checkpointDir = (dir / "ckpt").string();
    TrainerControl control;
    ASSERT_EQ(TrainingJob(sft, db, "amazon", control).run().status, RunStatus::Finished);

    for (const char* objective : {"sage", "gbpo", "grpo"}) {
        RunConfig rl = sft;
        rl.training.stage = "rl";
        rl.training.steps = 3;
        rl.training.contexts = 4;
        rl.training.groupSize = 4;
        rl.training.initCheckpoint = (dir / "ckpt" / "sft_best_model.pt").string();
        rl.logging.evalEverySteps = 2;
        rl.logging.slatesEverySteps = 1;
        ConfigSchema::instance().applyAssignment(rl, std::string("objective.kind=") + objective);
        ASSERT_TRUE(ConfigSchema::instance().validate(rl).empty()) << objective;
        const auto result = TrainingJob(rl, db, "amazon", control).run();
        ASSERT_EQ(result.status, RunStatus::Finished) << objective << ": " << result.error;
        RunStore store(db);
        for (const char* key : {"reward", "rewards/hit/mean", "rewards/relevance/mean", "adv/mean",
                                "loss/total", "ratio/seq_mean", "kl"})
            EXPECT_EQ(store.metricSeries(result.runId, key).size(), 3u) << objective << " " << key;
        // Validation at step 2 and at the end, test at the end; constrained decoding: no invalid.
        EXPECT_EQ(store.metricSeries(result.runId, "val/recall@10").size(), 2u) << objective;
        const auto invalid = store.metricSeries(result.runId, "eval/invalid_rate");
        ASSERT_EQ(invalid.size(), 1u);
        EXPECT_EQ(invalid.front().value, 0.0);
        const auto slates = store.slates(result.runId, 2);
        ASSERT_EQ(slates.size(), 16u);
        EXPECT_EQ(slates.front().items.size(), 4u);
        EXPECT_EQ(store.metricSeries(result.runId, "rewards/invalid/mean").back().value, 0.0);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sage
