#include "eval/ranking_metrics.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace sage {
namespace {

const std::vector<int64_t> kRanked{5, 3, 7, 1, 9, 2, 8, 4, 6, 0, 11};

TEST(RankingMetrics, RecallAndNdcgForOneTarget) {
    // Target 7 sits at 0-based rank 2: a hit at 5 and 10, NDCG 1/log2(4) = 0.5.
    EXPECT_EQ(targetRank(kRanked, 7, 10), 2);
    EXPECT_EQ(recallAt(kRanked, 7, 5), 1.0);
    EXPECT_DOUBLE_EQ(ndcgAt(kRanked, 7, 5), 0.5);
    EXPECT_DOUBLE_EQ(ndcgAt(kRanked, 7, 10), 0.5);
    // Target 4 at rank 7: missed at 5, NDCG@10 = 1/log2(9).
    EXPECT_EQ(recallAt(kRanked, 4, 5), 0.0);
    EXPECT_EQ(ndcgAt(kRanked, 4, 5), 0.0);
    EXPECT_EQ(recallAt(kRanked, 4, 10), 1.0);
    EXPECT_DOUBLE_EQ(ndcgAt(kRanked, 4, 10), 1.0 / std::log2(9.0));
    // First place: NDCG 1. Rank 10 (the 11th entry) is outside the top 10.
    EXPECT_DOUBLE_EQ(ndcgAt(kRanked, 5, 10), 1.0);
    EXPECT_EQ(recallAt(kRanked, 11, 10), 0.0);
    EXPECT_EQ(targetRank(kRanked, 42, 10), -1);
    EXPECT_EQ(recallAt({}, 1, 10), 0.0);
}

TEST(RankingMetrics, EntropyOfTheCategoryMultiset) {
    // {1, 1, 2, 3}: p = 1/2, 1/4, 1/4; H = ln 2 / 2 + 2 · ln 4 / 4 = 1.5 ln 2.
    EXPECT_NEAR(shannonEntropy({1, 1, 2, 3}), 1.5 * std::log(2.0), 1e-12);
    EXPECT_EQ(shannonEntropy({4, 4, 4}), 0.0);
    EXPECT_EQ(shannonEntropy({}), 0.0);
    EXPECT_NEAR(shannonEntropy({0, 1, 2, 3, 4}), std::log(5.0), 1e-12);
}

TEST(RankingMetrics, CategoryLabelsFallBackToTheFirstCode) {
    const std::vector<std::vector<int64_t>> attributes{{0, 1}, {}, {1}};
    const std::vector<int32_t> firstCodes{5, 7, 9};
    EXPECT_EQ(categoryLabels({0, 1, 2, 1}, attributes, firstCodes),
              (std::vector<int64_t>{0, 1, -8, 1, -8}));
    EXPECT_EQ(categoryLabels({1}, attributes, {}), (std::vector<int64_t>{}));
    EXPECT_EQ(categoryLabels({-1, 9}, attributes, firstCodes), (std::vector<int64_t>{}));
}

TEST(RankingMetrics, GiniOfExposure) {
    EXPECT_DOUBLE_EQ(giniCoefficient({1, 1, 1, 1}), 0.0);
    EXPECT_DOUBLE_EQ(giniCoefficient({0, 0, 0, 4}), 0.75);  // (n - 1) / n
    // Sorted 1, 2, 3, 4: Σ(2i − n − 1)x_i = −3 − 2 + 3 + 12 = 10; / (n Σx = 40) = 0.25.
    EXPECT_DOUBLE_EQ(giniCoefficient({4, 1, 3, 2}), 0.25);
    EXPECT_DOUBLE_EQ(giniCoefficient({0, 0}), 0.0);
    EXPECT_DOUBLE_EQ(giniCoefficient({}), 0.0);
}

TEST(RankingMetrics, IntraListDistanceIsMeanPairwiseCosineDistance) {
    const torch::Tensor e =
        torch::tensor({1.0f, 0.0f, 0.0f, 1.0f, 2.0f, 2.0f, 0.0f, 0.0f}).view({4, 2});
    // Pairs (0,1): 1 − 0 = 1; (0,2) and (1,2): 1 − 1/√2.
    EXPECT_NEAR(intraListDistance({0, 1, 2}, e), (1.0 + 2.0 * (1.0 - 1.0 / std::sqrt(2.0))) / 3.0,
                1e-6);
    EXPECT_NEAR(intraListDistance({0, 0}, e), 0.0, 1e-6);
    EXPECT_NEAR(intraListDistance({0, 3}, e), 1.0, 1e-6);  // a zero row is orthogonal to all
    EXPECT_EQ(intraListDistance({1}, e), 0.0);
    EXPECT_THROW(intraListDistance({0, 4}, e), std::out_of_range);
}

}  // namespace
}  // namespace sage
