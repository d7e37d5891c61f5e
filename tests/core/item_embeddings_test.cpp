#include "semantic_id/item_embeddings.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "semantic_id/randomized_svd.h"

namespace sage {
namespace {

// Each training sequence gets two trailing items (validation and test targets) so that the
// leave-one-out split keeps exactly the given training part.
SequenceDataset withTargets(const std::vector<std::vector<int64_t>>& training, int64_t itemCount,
                            int64_t targetItem) {
    SequenceDataset data;
    data.itemCount = itemCount;
    data.itemAttributes.assign(itemCount, {});
    for (const auto& sequence : training) {
        data.sequences.push_back(sequence);
        data.sequences.back().push_back(targetItem);
        data.sequences.back().push_back(targetItem);
        data.userIds.push_back(std::to_string(data.userIds.size() + 1));
    }
    return data;
}

double entry(const torch::Tensor& dense, int64_t a, int64_t b) {
    return dense[a][b].item<double>();
}

TEST(ItemEmbeddings, PpmiMatrixMatchesAHandComputedCase) {
    // Window 1. Counts: c01 = 3, c23 = 3, c12 = 1 (both directions); marginals c0 = 3, c1 = 4,
    // c2 = 4, c3 = 3; D = 14. PMI(0,1) = PMI(2,3) = log(3·14 / (3·4)) = log 3.5;
    // PMI(1,2) = log(1·14 / 16) < 0, so it is dropped. Item 4 (the targets) never co-occurs.
    const SequenceDataset data =
        withTargets({{0, 1}, {0, 1}, {0, 1}, {2, 3}, {2, 3}, {2, 3}, {1, 2}}, 5, 4);
    const LeaveOneOutSplit split(data);
    const torch::Tensor ppmi = ppmiMatrix(split, 1);
    EXPECT_TRUE(ppmi.is_sparse());
    EXPECT_EQ(ppmi._nnz(), 4);
    const torch::Tensor dense = ppmi.to_dense();
    EXPECT_NEAR(entry(dense, 0, 1), std::log(3.5), 1e-6);
    EXPECT_NEAR(entry(dense, 1, 0), std::log(3.5), 1e-6);
    EXPECT_NEAR(entry(dense, 2, 3), std::log(3.5), 1e-6);
    EXPECT_EQ(entry(dense, 1, 2), 0.0);
    EXPECT_EQ(dense[4].abs().sum().item<double>(), 0.0);
}

TEST(ItemEmbeddings, WindowAndSelfPairs) {
    // [0 1 2 0]: window 1 pairs (0,1), (1,2), (2,0); window 2 adds (0,2) and (1,0); the item
    // never pairs with itself.
    const SequenceDataset data = withTargets({{0, 1, 2, 0}, {3, 3}}, 4, 3);
    const LeaveOneOutSplit split(data);
    const torch::Tensor w1 = ppmiMatrix(split, 1).to_dense();
    const torch::Tensor w3 = ppmiMatrix(split, 3).to_dense();
    EXPECT_EQ(w1.diagonal().abs().sum().item<double>(), 0.0);
    EXPECT_EQ(w3.diagonal().abs().sum().item<double>(), 0.0);
    EXPECT_TRUE(torch::equal(w1, w1.t()));
    EXPECT_EQ(w1[3].abs().sum().item<double>(), 0.0);
}

TEST(RandomizedSvd, MatchesTheExactSvdOnALowRankMatrix) {
    torch::manual_seed(3);
    const torch::Tensor a =
        torch::mm(torch::randn({60, 5}), torch::randn({5, 40})) + 0.01 * torch::randn({60, 40});
    const LowRankSvd approx = randomizedSvd(a, 5, 11);
    const torch::Tensor exact = torch::linalg::svdvals(a, c10::nullopt).narrow(0, 0, 5);
    EXPECT_TRUE(torch::allclose(approx.s, exact, 1e-3, 1e-3));
    const torch::Tensor rebuilt = torch::mm(approx.u * approx.s, approx.v.t());
    EXPECT_LT((rebuilt - a).norm().item<double>() / a.norm().item<double>(), 0.01);
    // Sparse input gives the same factors; the same seed gives the same result.
    const LowRankSvd sparse = randomizedSvd(a.to_sparse(), 5, 11);
    EXPECT_TRUE(torch::allclose(sparse.s, approx.s, 1e-4, 1e-4));
    EXPECT_TRUE(torch::allclose(sparse.u, approx.u, 1e-3, 1e-3));
    const LowRankSvd again = randomizedSvd(a, 5, 11);
    EXPECT_TRUE(torch::equal(again.u, approx.u));
    // More rank than the matrix has is capped.
    EXPECT_EQ(randomizedSvd(torch::randn({4, 3}), 10, 1).s.size(0), 3);
}

TEST(ItemEmbeddings, CoOccurrenceBlocksSeparateAndRowsAreUnitLength) {
    // Two communities of 20 items each; every user browses within one.
    std::mt19937_64 rng(5);
    std::vector<std::vector<int64_t>> training;
    for (int u = 0; u < 400; ++u) {
        const int64_t base = (u % 2) * 20;
        std::vector<int64_t> sequence;
        for (int i = 0; i < 8; ++i) sequence.push_back(base + static_cast<int64_t>(rng() % 20));
        training.push_back(sequence);
    }
    SequenceDataset data = withTargets(training, 40, 0);
    data.attributeCount = 2;
    for (int64_t j = 0; j < 40; ++j) data.itemAttributes[j] = {j < 20 ? 0 : 1};
    const LeaveOneOutSplit split(data);
    ItemEmbeddingOptions options;
    options.cooccurrenceDim = 8;
    options.attributeDim = 4;
    const torch::Tensor e = itemEmbeddings(data, split, options);
    ASSERT_EQ(e.sizes(), (std::vector<int64_t>{40, 12}));
    EXPECT_TRUE(torch::allclose(e.norm(2, 1), torch::ones({40}), 1e-5, 1e-5));
    const torch::Tensor cosine = torch::mm(e, e.t());
    const double within = cosine.narrow(0, 0, 20).narrow(1, 0, 20).mean().item<double>();
    const double across = cosine.narrow(0, 0, 20).narrow(1, 20, 20).mean().item<double>();
    EXPECT_GT(within, across + 0.3) << "within " << within << " across " << across;
    EXPECT_TRUE(torch::equal(e, itemEmbeddings(data, split, options)));

    // Without attributes only the co-occurrence block is there.
    data.attributeCount = 0;
    EXPECT_EQ(itemEmbeddings(data, split, options).size(1), 8);
}

}  // namespace
}  // namespace sage
