// Data parallelism with the generative recommender: two ranks roll out, update and evaluate (each
// ranks half of the users) exactly as one process does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "data_test_files.h"
#include "distributed/distributed_context.h"
#include "rank_threads.h"
#include "recording_sink.h"
#include "training/trainer.h"

namespace sage {
namespace {

RunConfig transformerConfig() {
    std::string sequences;
    for (int u = 1; u <= 50; ++u) {
        sequences += std::to_string(u);
        for (int i = 0; i < 7; ++i) sequences += " " + std::to_string(1 + (u * 3 + i * (u % 4 + 1)) % 24);
        sequences += "\n";
    }
    RunConfig config;
    config.environment.kind = "amazon";
    config.environment.dataPath = testing::writeTempFile("distributed_amazon.txt", sequences);
    config.model.kind = "transformer";
    config.model.embeddingDim = 16;
    config.model.hiddenDim = 32;
    config.model.layers = 1;
    config.model.heads = 2;
    config.model.dropout = 0.0;
    config.model.historyWindow = 6;
    config.training.slateLength = 3;
    config.training.steps = 2;
    config.training.contexts = 6;
    config.training.groupSize = 4;
    config.training.threads = 1;
    config.training.seed = 5;
    config.training.evalUsers = 0;  // every user, at step 1, 2 and (val + test) at the end
    config.logging.evalEverySteps = 1;
    // SGD: Adam would magnify rounding in gradients that are zero in exact arithmetic (attention's
    // key bias, which the softmax ignores) up to the learning rate, whatever the split.
    config.optimizer.kind = "sgd";
    config.optimizer.learningRate = 0.05;
    return config;
}

TEST(DataParallelAmazon, TwoRanksTrainAndEvaluateLikeOneProcess) {
    const auto config = transformerConfig();
    testing::RecordingSink alone;
    TrainerControl control;
    Trainer single(config, alone, control);
    ASSERT_EQ(single.run(), Trainer::Outcome::Finished);
    const auto expected = single.parameterValues();

    std::vector<testing::RecordingSink> sinks(2);
    std::vector<std::vector<float>> parameters(2);
    const auto errors = testing::runRanks(2, [&](DistributedContext& group) {
        TrainerControl rankControl;
        Trainer trainer(config, sinks[group.rank()], rankControl, &group);
        if (trainer.run() != Trainer::Outcome::Finished) throw std::runtime_error("rank did not finish");
        parameters[group.rank()] = trainer.parameterValues();
    });
    for (const auto& error : errors) ASSERT_EQ(error, "");

    ASSERT_EQ(parameters[0].size(), expected.size());
    double largest = 0.0;
    for (size_t i = 0; i < expected.size(); ++i)
        largest = std::max(largest, static_cast<double>(std::abs(parameters[0][i] - expected[i])));
    EXPECT_LE(largest, 1e-5);
    EXPECT_EQ(parameters[0], parameters[1]);

    // Validation after steps 1 and 2 and at the end, test at the end: the same rankings.
    ASSERT_EQ(alone.evals.size(), 4u);
    ASSERT_EQ(sinks[0].evals.size(), alone.evals.size());
    EXPECT_TRUE(sinks[1].evals.empty());
    for (size_t e = 0; e < alone.evals.size(); ++e) {
        ASSERT_EQ(sinks[0].evals[e].values.size(), alone.evals[e].values.size());
        for (size_t k = 0; k < alone.evals[e].values.size(); ++k) {
            EXPECT_EQ(sinks[0].evals[e].values[k].first, alone.evals[e].values[k].first);
            EXPECT_NEAR(sinks[0].evals[e].values[k].second, alone.evals[e].values[k].second, 1e-9)
                << alone.evals[e].values[k].first << " in evaluation " << e;
        }
    }
}

}  // namespace
}  // namespace sage
