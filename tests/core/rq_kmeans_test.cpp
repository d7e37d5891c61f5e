#include "semantic_id/rq_kmeans.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>

namespace sage {
namespace {

torch::Tensor randomPoints(int64_t n, int64_t dim, uint64_t seed) {
    torch::manual_seed(seed);
    return torch::randn({n, dim});
}

RqKMeansOptions smallOptions(uint64_t seed) {
    RqKMeansOptions options;
    options.levels = 2;
    options.codebookSize = 8;
    options.iterations = 20;
    options.seed = seed;
    return options;
}

TEST(RqKMeans, CodesAreUniqueAfterTheCollisionLevel) {
    const SemanticIds ids = rqKMeans(randomPoints(500, 16, 1), smallOptions(7));
    ASSERT_EQ(ids.itemCount(), 500);
    EXPECT_EQ(ids.levels, 2);
    ASSERT_EQ(ids.codebookSizes.size(), 3u);
    std::set<std::vector<int32_t>> tuples;
    std::map<std::vector<int32_t>, int> prefixGroups;
    for (const auto& code : ids.codes) {
        ASSERT_EQ(code.size(), 3u);
        for (size_t l = 0; l < code.size(); ++l) {
            EXPECT_GE(code[l], 0);
            EXPECT_LT(code[l], ids.codebookSizes[l]);
        }
        tuples.insert(code);
        ++prefixGroups[{code[0], code[1]}];
    }
    EXPECT_EQ(tuples.size(), 500u);
    // 500 points in at most 64 cells must collide; the reported figures agree with the codes.
    int colliding = 0, largest = 0;
    for (const auto& [prefix, count] : prefixGroups) {
        if (count > 1) colliding += count;
        largest = std::max(largest, count);
    }
    EXPECT_DOUBLE_EQ(ids.collisionRate, colliding / 500.0);
    EXPECT_EQ(ids.maxCollisionGroup, largest);
    EXPECT_EQ(ids.codebookSizes[2], largest);
    EXPECT_GT(ids.collisionRate, 0.5);
}

TEST(RqKMeans, DeterministicPerSeed) {
    const torch::Tensor points = randomPoints(300, 8, 2);
    const SemanticIds a = rqKMeans(points, smallOptions(1));
    const SemanticIds b = rqKMeans(points, smallOptions(1));
    const SemanticIds c = rqKMeans(points, smallOptions(2));
    EXPECT_EQ(a.codes, b.codes);
    EXPECT_NE(a.codes, c.codes);
}

TEST(RqKMeans, UtilisationAndResidualsAreSane) {
    const SemanticIds ids = rqKMeans(randomPoints(400, 12, 3), smallOptions(4));
    ASSERT_EQ(ids.utilisation.size(), 2u);
    for (double u : ids.utilisation) EXPECT_DOUBLE_EQ(u, 1.0);  // 400 points fill 8 codes
    ASSERT_EQ(ids.residualError.size(), 2u);
    const double start = randomPoints(400, 12, 3).pow(2).sum(1).mean().item<double>();
    EXPECT_LT(ids.residualError[0], start);
    EXPECT_LT(ids.residualError[1], ids.residualError[0]);
    ASSERT_EQ(ids.codebooks.size(), 2u);
    EXPECT_EQ(ids.codebooks[0].sizes(), (std::vector<int64_t>{8, 12}));
    EXPECT_EQ(ids.levelCodes(0).size(), 400u);
}

TEST(RqKMeans, RecoversSeparatedClusters) {
    // Four tight clusters far apart: one level of four codes must give one code per cluster.
    torch::manual_seed(9);
    const torch::Tensor centres = 10.0 * torch::eye(4);
    const torch::Tensor points = centres.repeat_interleave(25, 0) + 0.1 * torch::randn({100, 4});
    RqKMeansOptions options;
    options.levels = 1;
    options.codebookSize = 4;
    const SemanticIds ids = rqKMeans(points, options);
    for (int cluster = 0; cluster < 4; ++cluster)
        for (int i = 1; i < 25; ++i)
            EXPECT_EQ(ids.codes[cluster * 25 + i][0], ids.codes[cluster * 25][0]);
    EXPECT_DOUBLE_EQ(ids.utilisation[0], 1.0);
    EXPECT_EQ(ids.maxCollisionGroup, 25);
    EXPECT_DOUBLE_EQ(ids.collisionRate, 1.0);
}

TEST(RqKMeans, FewerPointsThanCodesAndIdenticalPoints) {
    RqKMeansOptions options = smallOptions(0);
    options.codebookSize = 16;
    const SemanticIds few = rqKMeans(randomPoints(5, 3, 5), options);
    std::set<std::vector<int32_t>> tuples(few.codes.begin(), few.codes.end());
    EXPECT_EQ(tuples.size(), 5u);
    EXPECT_LE(few.utilisation[0], 5.0 / 16.0);

    const SemanticIds same = rqKMeans(torch::ones({6, 3}), options);
    tuples = std::set<std::vector<int32_t>>(same.codes.begin(), same.codes.end());
    EXPECT_EQ(tuples.size(), 6u);
    EXPECT_EQ(same.maxCollisionGroup, 6);
    EXPECT_THROW(rqKMeans(torch::ones({0, 3}), options), std::invalid_argument);
}

}  // namespace
}  // namespace sage
