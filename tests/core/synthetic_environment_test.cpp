#include <gtest/gtest.h>

#include <set>

#include "data/synthetic_environment.h"

namespace sage {
namespace {

RunConfig::Environment smallWorld() {
    RunConfig::Environment env;
    env.users = 300;
    env.items = 200;
    env.categories = 8;
    env.latentDim = 8;
    return env;
}

TEST(SyntheticEnvironment, DeterministicPerSeed) {
    const SyntheticEnvironment a(smallWorld(), 5), b(smallWorld(), 5), c(smallWorld(), 6);
    bool anyDifferent = false;
    for (int u = 0; u < a.userCount(); ++u) {
        EXPECT_EQ(a.history(u), b.history(u));
        anyDifferent |= a.history(u) != c.history(u);
    }
    EXPECT_TRUE(anyDifferent);
    std::mt19937_64 r1(9), r2(9);
    const std::vector<int64_t> slate{1, 2, 3, 4, 5};
    for (int u = 0; u < 20; ++u) EXPECT_EQ(a.respond(u, slate, r1).components, b.respond(u, slate, r2).components);
}

TEST(SyntheticEnvironment, HistoriesFollowTheSpecification) {
    const SyntheticEnvironment env(smallWorld(), 1);
    std::vector<int> coldCounts(env.itemCount(), 0);
    for (int u = 0; u < env.userCount(); ++u) {
        const auto& history = env.history(u);
        EXPECT_GE(history.size(), 8u);
        EXPECT_LE(history.size(), 40u);
        EXPECT_EQ(std::set<int64_t>(history.begin(), history.end()).size(), history.size());
        for (int64_t item : history)
            if (env.isCold(item)) ++coldCounts[item];
    }
    int cold = 0;
    for (int j = 0; j < env.itemCount(); ++j) {
        if (!env.isCold(j)) continue;
        ++cold;
        EXPECT_LE(coldCounts[j], 3) << "cold item " << j;
    }
    EXPECT_EQ(cold, 30);  // 15 % of 200 items
}

TEST(SyntheticEnvironment, FeedbackIsRejectionDominated) {
    const SyntheticEnvironment env(smallWorld(), 2);
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<int64_t> item(0, env.itemCount() - 1);
    double clicks = 0.0;
    const int slates = 4000;
    for (int s = 0; s < slates; ++s) {
        // One-item slates are always examined: the click share is the base click rate.
        clicks += env.respond(s % env.userCount(), {item(rng)}, rng).components[0];
    }
    const double rate = clicks / slates;
    EXPECT_GT(rate, 0.02);
    EXPECT_LT(rate, 0.15);
}

TEST(SyntheticEnvironment, CategoryEntropy) {
    const SyntheticEnvironment env(smallWorld(), 3);
    std::vector<int64_t> sameCategory, distinct;
    std::set<int> seen;
    for (int64_t j = 0; j < env.itemCount(); ++j) {
        if (env.category(j) == env.category(0) && sameCategory.size() < 4) sameCategory.push_back(j);
        if (seen.insert(env.category(j)).second && distinct.size() < 4) distinct.push_back(j);
    }
    EXPECT_DOUBLE_EQ(env.normalisedCategoryEntropy(sameCategory), 0.0);
    EXPECT_NEAR(env.normalisedCategoryEntropy(distinct), 1.0, 1e-12);
    EXPECT_DOUBLE_EQ(env.normalisedCategoryEntropy({distinct[0]}), 0.0);
    EXPECT_THROW(
        { std::mt19937_64 rng(1); env.respond(0, {env.itemCount()}, rng); }, std::out_of_range);
}

}  // namespace
}  // namespace sage
