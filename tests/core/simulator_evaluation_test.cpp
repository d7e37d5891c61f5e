#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "data/synthetic_environment.h"
#include "model/mlp_rollout_policy.h"
#include "model/row_sampler.h"
#include "recording_sink.h"
#include "training/simulator_evaluation.h"

namespace sage {
namespace {

std::vector<int64_t> row(const torch::Tensor& matrix, int64_t r, int64_t length) {
    std::vector<int64_t> out;
    for (int64_t t = 0; t < length; ++t) out.push_back(matrix[r][t].item<int64_t>());
    return out;
}

TEST(RowSampler, MostProbableTakesEachRowsArgmax) {
    const auto p = torch::tensor({0.1, 0.7, 0.2, 0.5, 0.2, 0.3, 0.25, 0.25, 0.5}).view({3, 3});
    const auto drawn = RowSampler::mostProbable().draw(p);
    ASSERT_EQ(drawn.sizes(), (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(drawn[0][0].item<int64_t>(), 1);
    EXPECT_EQ(drawn[1][0].item<int64_t>(), 0);
    EXPECT_EQ(drawn[2][0].item<int64_t>(), 2);
}

TEST(SimulatorEvaluation, ScoresTheGreedySlateAndTheTopTenExactly) {
    const SyntheticEnvironment env(testing::tinyConfig().environment, 3);
    torch::manual_seed(5);
    const int64_t slateLength = 4;
    MlpRolloutPolicy policy(env.itemCount(), 16, 16, 10, slateLength);
    const std::vector<double> weights{1.0, 0.5, 0.25, -2.0, 0.3, 1.5};  // every weight matters
    const SimulatorEvaluation evaluation(env, weights);
    std::vector<int64_t> users;
    for (int64_t u = 0; u < 23; ++u) users.push_back(u * 2);
    // A batch that does not divide the users: the last batch is short.
    const auto values = evaluation.evaluate(policy, users, EvaluationSplit::Test, 7);
    ASSERT_EQ(values.size(), SimulatorEvaluation::keys().size());
    for (size_t k = 0; k < values.size(); ++k) EXPECT_EQ(values[k].first, SimulatorEvaluation::keys()[k]);

    std::vector<std::vector<int64_t>> histories;
    std::vector<SlateContext> contexts;
    for (int64_t user : users) {
        histories.push_back(env.split().training(user));
        contexts.push_back({user, histories.back(), {}});
    }
    const auto top = policy.topItems(histories, 10);
    const auto greedy = policy.sample(contexts, 1, 1.0, RowSampler::mostProbable(), nullptr)->slates;
    double reward = 0.0, clicks = 0.0, coldClicks = 0.0;
    for (size_t i = 0; i < users.size(); ++i) {
        const auto user = static_cast<int>(users[i]);
        // The MLP's item scores do not depend on the slate so far: greedy = the top K in order.
        const auto slate = row(greedy, static_cast<int64_t>(i), slateLength);
        ASSERT_EQ(slate, row(top, static_cast<int64_t>(i), slateLength));
        const auto slateResponse = env.expectedResponse(user, slate).components;
        for (size_t m = 0; m < weights.size(); ++m) reward += weights[m] * slateResponse[m];
        const auto list = env.expectedResponse(user, row(top, static_cast<int64_t>(i), 10)).components;
        clicks += list[0];
        coldClicks += list[5];
    }
    const double n = static_cast<double>(users.size());
    EXPECT_NEAR(values[0].second, reward / n, 1e-12);
    EXPECT_NEAR(values[1].second, clicks / n, 1e-12);
    EXPECT_NEAR(values[2].second, coldClicks / n, 1e-12);
    EXPECT_GT(values[1].second, 0.0);
    EXPECT_LE(values[2].second, values[1].second);

    // The same figures under the validation keys when the users are the validation subset.
    const auto validation = evaluation.evaluate(policy, users, EvaluationSplit::Validation, 7);
    ASSERT_EQ(validation.size(), values.size());
    for (size_t k = 0; k < values.size(); ++k) {
        EXPECT_EQ(validation[k].first, "val/" + values[k].first.substr(5));
        EXPECT_EQ(validation[k].second, values[k].second);
    }

    EXPECT_TRUE(evaluation.evaluate(policy, {}).empty());
    EXPECT_THROW(SimulatorEvaluation(env, {1.0, 2.0}), std::invalid_argument);
}

}  // namespace
}  // namespace sage
