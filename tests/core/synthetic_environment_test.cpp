#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
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

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double weighted(const std::vector<double>& components) {
    const auto& w = SyntheticEnvironment::defaultWeights();
    return std::inner_product(w.begin(), w.end(), components.begin(), 0.0);
}

TEST(SyntheticEnvironment, RlContextsHoldOutTheLastTwoLoggedItems) {
    const SyntheticEnvironment env(smallWorld(), 4);
    std::mt19937_64 rng(3);
    for (const auto& context : env.drawContexts(100, rng)) {
        const auto& log = env.history(static_cast<int>(context.user));
        ASSERT_EQ(context.history.size(), log.size() - 2);
        EXPECT_TRUE(std::equal(context.history.begin(), context.history.end(), log.begin()));
        EXPECT_EQ(env.split().validationTarget(context.user), log[log.size() - 2]);
        EXPECT_EQ(env.split().testTarget(context.user), log.back());
    }
    // The evaluation's cold start is the simulator's: items released late.
    EXPECT_EQ(env.coldItems().size(), static_cast<size_t>(env.itemCount()));
    for (int64_t j = 0; j < env.itemCount(); ++j) EXPECT_EQ(env.coldItems()[j] != 0, env.isCold(j));
    EXPECT_EQ(env.logged().itemAttributes.at(5), std::vector<int64_t>{env.category(5)});
}

TEST(SyntheticEnvironment, ExpectedResponseHandComputed) {
    const SyntheticEnvironment env(smallWorld(), 6);
    // Slate {a, b, c, d}: categories X, Y, X, Y; d is cold, the others are not.
    int64_t a = -1, b = -1, c = -1, d = -1;
    for (int64_t j = 0; j < env.itemCount() && d < 0; ++j)
        if (env.isCold(j)) d = j;
    for (int64_t j = 0; j < env.itemCount(); ++j) {
        if (env.isCold(j)) continue;
        if (a < 0 && env.category(j) != env.category(d)) a = j;
        else if (a >= 0 && c < 0 && env.category(j) == env.category(a)) c = j;
        if (b < 0 && env.category(j) == env.category(d)) b = j;
    }
    ASSERT_TRUE(a >= 0 && b >= 0 && c >= 0 && d >= 0);
    const int user = 7;
    const double b0 = env.clickBias();
    const double sa = env.affinity(user, a), sb = env.affinity(user, b), sc = env.affinity(user, c),
                 sd = env.affinity(user, d);
    // P(click | examined) = σ(s + b₀)·0.7^n, n = earlier items of the same category.
    const double pa = sigmoid(sa + b0);        // position 1, n = 0
    const double pb = sigmoid(sb + b0);        // position 2, n = 0
    const double pc = sigmoid(sc + b0) * 0.7;  // position 3, n = 1 (a)
    const double pd = sigmoid(sd + b0) * 0.7;  // position 4, n = 1 (b)
    // P(examined) = 0.85^(k−1): 1, 0.85, 0.7225, 0.614125.
    const double ca = 1.0 * pa, cb = 0.85 * pb, cc = 0.7225 * pc, cd = 0.614125 * pd;
    const double clicks = ca + cb + cc + cd;
    // A click buys with σ(2s − 1) and holds a dwell of σ(s).
    const double purchases = ca * sigmoid(2 * sa - 1) + cb * sigmoid(2 * sb - 1) +
                             cc * sigmoid(2 * sc - 1) + cd * sigmoid(2 * sd - 1);
    const double dwell = ca * sigmoid(sa) + cb * sigmoid(sb) + cc * sigmoid(sc) + cd * sigmoid(sd);
    // An examined item not clicked draws a dislike with σ(−s − 2).
    const double dislikes = 1.0 * (1 - pa) * sigmoid(-sa - 2) + 0.85 * (1 - pb) * sigmoid(-sb - 2) +
                            0.7225 * (1 - pc) * sigmoid(-sc - 2) +
                            0.614125 * (1 - pd) * sigmoid(-sd - 2);
    // Two categories, two items each, over min(4 items, 8 categories) levels: ln 2 / ln 4.
    const double diversity = 0.5;
    const double coldClicks = cd;

    const auto expected = env.expectedResponse(user, {a, b, c, d});
    const std::vector<double> byHand{clicks, purchases, dwell, dislikes, diversity, coldClicks};
    ASSERT_EQ(expected.components.size(), byHand.size());
    for (size_t m = 0; m < byHand.size(); ++m)
        EXPECT_NEAR(expected.components[m], byHand[m], 1e-12) << SyntheticEnvironment::componentNames()[m];
    const std::vector<double> coldByHand{cd, cd * sigmoid(2 * sd - 1), cd * sigmoid(sd), 0.0, 0.0, cd};
    for (size_t m = 0; m < coldByHand.size(); ++m) EXPECT_NEAR(expected.coldComponents[m], coldByHand[m], 1e-12);
    // Default weights 1, 1, 0.5, −1, 0.2, 0.
    EXPECT_NEAR(weighted(expected.components),
                clicks + purchases + 0.5 * dwell - dislikes + 0.2 * diversity, 1e-12);
    EXPECT_THROW(env.expectedResponse(user, {a, env.itemCount()}), std::out_of_range);
}

TEST(SyntheticEnvironment, ExpectedResponseMatchesMonteCarlo) {
    const auto started = std::chrono::steady_clock::now();
    const SyntheticEnvironment env(smallWorld(), 8);
    std::vector<std::pair<int, std::vector<int64_t>>> cases;
    for (int user : {0, 1, 2}) {
        std::vector<int64_t> byAffinity(env.itemCount());
        std::iota(byAffinity.begin(), byAffinity.end(), 0);
        std::sort(byAffinity.begin(), byAffinity.end(),
                  [&](int64_t x, int64_t y) { return env.affinity(user, x) > env.affinity(user, y); });
        // The user's best items (many clicks), the best of one category (fatigue at every later
        // position), the best cold items (cold_click), and eight mixed items (long examination decay).
        cases.push_back({user, {byAffinity.begin(), byAffinity.begin() + 5}});
        std::vector<int64_t> sameCategory, cold, mixed;
        for (int64_t j : byAffinity) {
            if (env.category(j) == env.category(byAffinity[0]) && sameCategory.size() < 5) sameCategory.push_back(j);
            if (env.isCold(j) && cold.size() < 5) cold.push_back(j);
        }
        for (int64_t j = user; mixed.size() < 8; j += 23) mixed.push_back(j % env.itemCount());
        cases.push_back({user, sameCategory});
        cases.push_back({user, cold});
        cases.push_back({user, mixed});
    }
    const int draws = 150000;
    std::mt19937_64 rng(2024);
    const size_t components = SyntheticEnvironment::componentNames().size();
    for (const auto& [user, slate] : cases) {
        const auto exact = env.expectedResponse(user, slate);
        std::vector<double> sum(components + 1, 0.0), squares(components + 1, 0.0);
        for (int n = 0; n < draws; ++n) {
            auto sampled = env.respond(user, slate, rng).components;
            sampled.push_back(weighted(sampled));
            for (size_t m = 0; m <= components; ++m) {
                sum[m] += sampled[m];
                squares[m] += sampled[m] * sampled[m];
            }
        }
        auto expected = exact.components;
        expected.push_back(weighted(exact.components));
        for (size_t m = 0; m <= components; ++m) {
            const double mean = sum[m] / draws;
            const double variance = std::max(0.0, squares[m] / draws - mean * mean);
            // 4.5 standard errors: over 12 slates × 7 figures a correct model passes (the seed is
            // fixed anyway); a model off by a few percent of a click does not.
            // (+1e-9: summing a constant 150,000 times is exact only to rounding.)
            const double tolerance = 4.5 * std::sqrt(variance / draws) + 1e-9;
            const std::string what =
                m < components ? SyntheticEnvironment::componentNames()[m] : std::string("weighted reward");
            EXPECT_NEAR(mean, expected[m], tolerance) << what << ", user " << user;
        }
    }
    // The top-5 slates draw clicks often enough that the tolerance is a tight relative check.
    const auto best = env.expectedResponse(cases[0].first, cases[0].second).components[0];
    EXPECT_GT(best, 0.3);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace sage
