#include <gtest/gtest.h>

#include <torch/torch.h>

#include "distributed/context_shard.h"
#include "distributed/distributed_context.h"
#include "distributed/gradient_all_reducer.h"
#include "rank_threads.h"

namespace sage {
namespace {

using testing::runRanks;

TEST(DistributedContext, GathersUnevenRowsInRankOrderAndReduces) {
    std::vector<torch::Tensor> gathered(3), flags(3), sums(3);
    std::vector<bool> any(3);
    const auto errors = runRanks(3, [&](DistributedContext& group) {
        const int rank = group.rank();
        // Rank r holds r + 1 rows [r, r] (rank 0 one row, rank 2 three).
        gathered[rank] = group.allGatherRows(torch::full({rank + 1, 2}, rank, torch::kLong));
        flags[rank] = group.allGatherRows(torch::full({rank}, true, torch::kBool));
        auto sum = torch::tensor({1.0 + rank, 10.0}, torch::kFloat64);
        group.allReduceSum(sum);
        sums[rank] = sum;
        any[rank] = group.anyRank(rank == 2);
    });
    for (const auto& error : errors) ASSERT_EQ(error, "");
    const auto expected = torch::tensor({0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, torch::kLong).view({6, 2});
    for (int rank = 0; rank < 3; ++rank) {
        EXPECT_TRUE(torch::equal(gathered[rank], expected)) << gathered[rank];
        EXPECT_EQ(flags[rank].scalar_type(), torch::kBool);
        EXPECT_EQ(flags[rank].numel(), 3);  // 0 + 1 + 2 rows
        EXPECT_TRUE(torch::equal(sums[rank], torch::tensor({6.0, 30.0}, torch::kFloat64)));
        EXPECT_TRUE(any[rank]);
    }
}

TEST(DistributedContext, RanksWithDifferentSettingsAllFailNamingTheRank) {
    const auto errors = runRanks(2, [](DistributedContext& group) {
        group.requireSameOnAllRanks(group.rank() == 0 ? 42u : 43u, "the configuration");
    });
    for (const auto& error : errors) {
        EXPECT_NE(error.find("the configuration differs between ranks: rank(s) 1"), std::string::npos) << error;
    }
}

TEST(DistributedContext, RejectsAMalformedEnvironment) {
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("RANK", "2", 1);
    try {
        DistributedContext::fromEnvironment();
        ADD_FAILURE() << "a rank outside the group was accepted";
    } catch (const DistributedError& error) {
        EXPECT_NE(std::string(error.what()).find("RANK='2'"), std::string::npos) << error.what();
    }
    ::unsetenv("WORLD_SIZE");
    ::unsetenv("RANK");
    EXPECT_EQ(DistributedContext::fromEnvironment(), nullptr);  // no WORLD_SIZE: one process
}

TEST(GradientAllReducer, SumsEveryGradientAcrossBucketsAndCountsMissingOnesAsZero) {
    std::vector<std::vector<torch::Tensor>> reduced(2);
    std::vector<size_t> buckets(2);
    const auto errors = runRanks(2, [&](DistributedContext& group) {
        const double rank = group.rank();
        std::vector<torch::Tensor> parameters{torch::zeros({3, 4}, torch::requires_grad()),
                                              torch::zeros({5}, torch::requires_grad()),
                                              torch::zeros({2, 2}, torch::requires_grad())};
        parameters[0].mutable_grad() = torch::full({3, 4}, 1.0 + rank);
        parameters[1].mutable_grad() = torch::arange(5, torch::kFloat32) * (rank + 1.0);
        if (rank == 1) parameters[2].mutable_grad() = torch::full({2, 2}, 7.0);  // rank 0: none
        // 32 bytes a bucket: the 48-byte matrix alone, then the rest.
        GradientAllReducer reducer(group, parameters, 32);
        buckets[group.rank()] = reducer.bucketCount();
        reducer.allReduce();
        for (const auto& parameter : parameters) reduced[group.rank()].push_back(parameter.grad().clone());
    });
    for (const auto& error : errors) ASSERT_EQ(error, "");
    for (int rank = 0; rank < 2; ++rank) {
        EXPECT_GT(buckets[rank], 1u);
        EXPECT_TRUE(torch::equal(reduced[rank][0], torch::full({3, 4}, 3.0)));
        EXPECT_TRUE(torch::equal(reduced[rank][1], torch::arange(5, torch::kFloat32) * 3.0));
        EXPECT_TRUE(torch::equal(reduced[rank][2], torch::full({2, 2}, 7.0)));
    }
}

TEST(ContextShard, BlocksCoverTheBatchOnceAndMapMinibatchRows) {
    const int64_t contexts = 7, group = 3;
    int64_t covered = 0;
    for (int rank = 0; rank < 3; ++rank) {
        const ContextShard shard(rank, 3, contexts, group);
        EXPECT_EQ(shard.contextBegin(), covered);
        covered = shard.contextEnd();
        EXPECT_GE(shard.contextEnd() - shard.contextBegin(), 2);
    }
    EXPECT_EQ(covered, contexts);
    const ContextShard middle(1, 3, contexts, group);  // contexts 2..3, slates 6..11
    const auto rows = middle.localRows(torch::tensor({11, 0, 6, 20, 7}, torch::kLong));
    EXPECT_TRUE(torch::equal(rows, torch::tensor({5, 0, 1}, torch::kLong)));
    EXPECT_THROW(ContextShard(0, 4, 3, group), std::invalid_argument);  // a rank without contexts
    EXPECT_NE(ContextShard::contextSeed(1, 0, 0), ContextShard::contextSeed(1, 1, 0));
    EXPECT_NE(ContextShard::contextSeed(1, 0, 0), ContextShard::contextSeed(1, 0, 1));
}

}  // namespace
}  // namespace sage
