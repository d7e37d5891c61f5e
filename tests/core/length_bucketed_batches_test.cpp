#include "training/length_bucketed_batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace sage {
namespace {

std::vector<int64_t> heavyTailedLengths(int64_t users) {
    std::mt19937_64 rng(3);
    std::geometric_distribution<int64_t> extra(0.15);
    std::vector<int64_t> lengths(users);
    for (auto& l : lengths) l = 3 + extra(rng);
    return lengths;
}

int64_t paddedPositions(const std::vector<std::vector<int64_t>>& batches, const std::vector<int64_t>& lengths) {
    int64_t padded = 0;
    for (const auto& batch : batches) {
        int64_t longest = 0;
        for (auto u : batch) longest = std::max(longest, lengths[u]);
        for (auto u : batch) padded += longest - lengths[u];
    }
    return padded;
}

TEST(LengthBucketedBatches, EveryUserExactlyOnceInBatchesOfAtMostTheBatchSize) {
    const auto lengths = heavyTailedLengths(1003);
    std::vector<int64_t> users(lengths.size());
    std::iota(users.begin(), users.end(), 0);
    std::mt19937_64 rng(1);
    const auto batches = lengthBucketedBatches(users, lengths, 32, 8, rng);
    std::vector<int64_t> seen;
    for (const auto& batch : batches) {
        EXPECT_GE(batch.size(), 1u);
        EXPECT_LE(batch.size(), 32u);
        seen.insert(seen.end(), batch.begin(), batch.end());
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, users);
    EXPECT_EQ(batches.size(), 32u);  // 31 full pools' worth of batches plus the remainder of 11
}

TEST(LengthBucketedBatches, PadsFarLessThanRandomBatches) {
    const auto lengths = heavyTailedLengths(4096);
    std::vector<int64_t> users(lengths.size());
    std::iota(users.begin(), users.end(), 0);
    std::mt19937_64 rng(1);
    const auto bucketed = lengthBucketedBatches(users, lengths, 64, 16, rng);
    // A pool of one batch is exactly random batching.
    const auto random = lengthBucketedBatches(users, lengths, 64, 1, rng);
    EXPECT_LT(paddedPositions(bucketed, lengths) * 4, paddedPositions(random, lengths));
}

TEST(LengthBucketedBatches, BatchOrderChangesWithTheSeedButNotForTheSameSeed) {
    const auto lengths = heavyTailedLengths(512);
    std::vector<int64_t> users(lengths.size());
    std::iota(users.begin(), users.end(), 0);
    std::mt19937_64 a(5), b(5), c(6);
    const auto first = lengthBucketedBatches(users, lengths, 16, 4, a);
    EXPECT_EQ(first, lengthBucketedBatches(users, lengths, 16, 4, b));
    EXPECT_NE(first, lengthBucketedBatches(users, lengths, 16, 4, c));
}

TEST(LengthBucketedBatches, RejectsAnEmptyBatchSize) {
    std::mt19937_64 rng(1);
    EXPECT_THROW(lengthBucketedBatches({1, 2}, {1, 1, 1}, 0, 4, rng), std::invalid_argument);
}

}  // namespace
}  // namespace sage
