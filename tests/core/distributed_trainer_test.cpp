// Acceptance of issue #8's data parallelism: W ranks with B/W contexts each make the same updates
// as one process with B, and report the same metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "distributed/distributed_context.h"
#include "rank_threads.h"
#include "recording_sink.h"
#include "training/trainer.h"

namespace sage {
namespace {

using testing::RecordingSink;
using testing::runRanks;
using testing::tinyConfig;

struct RunOutcome {
    std::vector<float> parameters;
    RecordingSink sink;
};

void runAlone(const RunConfig& config, RunOutcome& out) {
    TrainerControl control;
    Trainer trainer(config, out.sink, control);
    ASSERT_EQ(trainer.run(), Trainer::Outcome::Finished);
    out.parameters = trainer.parameterValues();
}

std::vector<RunOutcome> runData(const RunConfig& config, int ranks) {
    std::vector<RunOutcome> outs(ranks);
    const auto errors = runRanks(ranks, [&](DistributedContext& group) {
        TrainerControl control;
        Trainer trainer(config, outs[group.rank()].sink, control, &group);
        if (trainer.run() != Trainer::Outcome::Finished) throw std::runtime_error("rank did not finish");
        outs[group.rank()].parameters = trainer.parameterValues();
    });
    for (const auto& error : errors) EXPECT_EQ(error, "");
    return outs;
}

double largestDifference(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double largest = 0.0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        largest = std::max(largest, static_cast<double>(std::abs(a[i] - b[i])));
    return largest;
}

void expectSameMetrics(const RecordingSink& alone, const RecordingSink& leader) {
    ASSERT_EQ(alone.steps.size(), leader.steps.size());
    for (size_t i = 0; i < alone.steps.size(); ++i) {
        if (std::isnan(alone.value(i, "loss/total"))) continue;  // an evaluation, compared below
        for (const char* key : {"reward", "reward_std", "adv/mean", "adv/pos_frac", "loss/total", "loss/policy",
                                "grad_norm", "ratio/seq_mean", "ratio/seq_p50", "ratio/token_max",
                                "coef/pos_mean", "entropy", "slate/entropy_mean", "rewards/click/mean"}) {
            const double expected = alone.value(i, key), actual = leader.value(i, key);
            EXPECT_NEAR(actual, expected, 1e-4 * std::max(1.0, std::abs(expected)))
                << key << " at step " << alone.steps[i].step;
        }
    }
    // The ranks rank their blocks of the evaluation users; the leader reports every metric.
    ASSERT_EQ(alone.evals.size(), leader.evals.size());
    for (size_t e = 0; e < alone.evals.size(); ++e) {
        EXPECT_EQ(alone.evals[e].step, leader.evals[e].step);
        ASSERT_EQ(alone.evals[e].values.size(), leader.evals[e].values.size());
        for (size_t k = 0; k < alone.evals[e].values.size(); ++k)
            EXPECT_EQ(alone.evals[e].values[k].first, leader.evals[e].values[k].first);
    }
    ASSERT_EQ(alone.slates.size(), leader.slates.size());
    for (size_t i = 0; i < alone.slates.size(); ++i) {
        ASSERT_EQ(alone.slates[i].size(), leader.slates[i].size());
        for (size_t s = 0; s < alone.slates[i].size(); ++s) {
            EXPECT_EQ(alone.slates[i][s].items, leader.slates[i][s].items);
            EXPECT_EQ(alone.slates[i][s].user, leader.slates[i][s].user);
        }
    }
}

TEST(DataParallelTrainer, TwoRanksWithHalfTheBatchMatchOneProcessAfterFiveUpdates) {
    auto config = tinyConfig(5);
    config.training.contexts = 8;  // B: one process draws 8 contexts, each of 2 ranks rolls out 4
    config.training.innerEpochs = 1;
    config.training.minibatches = 1;  // one update per step: 5 updates
    RunOutcome alone;
    runAlone(config, alone);
    auto ranks = runData(config, 2);
    const double difference = largestDifference(alone.parameters, ranks[0].parameters);
    RecordProperty("largest_parameter_difference", std::to_string(difference));
    std::printf("largest parameter difference, 2 ranks vs 1 process: %.3g\n", difference);
    EXPECT_LE(difference, 1e-5);
    EXPECT_EQ(ranks[0].parameters, ranks[1].parameters);  // the ranks hold one model
    expectSameMetrics(alone.sink, ranks[0].sink);
    EXPECT_TRUE(ranks[1].sink.steps.empty());  // rank 0 alone reports
    // A check that can fail: training moved the parameters well beyond the tolerance.
    auto noSteps = config;
    noSteps.training.steps = 0;
    RunOutcome untrained;
    runAlone(noSteps, untrained);
    EXPECT_GT(largestDifference(alone.parameters, untrained.parameters), 1e-3);
}

TEST(DataParallelTrainer, ThreeUnevenRanksMatchWithMinibatchesKlAndSftTerms) {
    auto config = tinyConfig(2);
    config.training.contexts = 7;  // blocks of 2, 2 and 3 contexts
    config.training.innerEpochs = 2;
    config.training.minibatches = 3;  // minibatches mix the ranks' slates unevenly
    config.objective.klBeta = 0.05;
    config.objective.sftAlpha = 0.1;
    RunOutcome alone;
    runAlone(config, alone);
    auto ranks = runData(config, 3);
    EXPECT_LE(largestDifference(alone.parameters, ranks[0].parameters), 1e-5);
    EXPECT_EQ(ranks[0].parameters, ranks[2].parameters);
    expectSameMetrics(alone.sink, ranks[0].sink);
    for (size_t i = 0; i < alone.sink.steps.size(); ++i) {
        if (std::isnan(alone.sink.value(i, "loss/total"))) continue;  // an evaluation
        for (const char* key : {"loss/kl", "loss/sft", "kl"})
            EXPECT_NEAR(ranks[0].sink.value(i, key), alone.sink.value(i, key), 1e-5) << key;
    }
}

}  // namespace
}  // namespace sage
