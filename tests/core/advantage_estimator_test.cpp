// Advantage estimators (SAGE.md section 3) and SAGE's boost eligibility (4.5), by hand.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "rewards/advantage_estimator.h"
#include "rewards/boost_eligibility.h"

namespace sage {
namespace {

constexpr double kEps = kAdvantageEpsilon;  // ε = 1e-6 of SAGE.md 3

void expectValues(const at::Tensor& actual, const std::vector<double>& expected,
                  const std::string& what, double tol = 1e-12) {
    ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size())) << what;
    const auto a = actual.to(torch::kFloat64).flatten();
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_NEAR(a[static_cast<int64_t>(i)].item<double>(), expected[i], tol)
            << what << " [" << i << "]";
}

// ---- group ----------------------------------------------------------------------------------

TEST(GroupAdvantage, MatchesHandValuesAndZeroesTiedGroups) {
    // g0 (0, 2, 2, 0): mean 1, population std 1          → (−1, 1, 1, −1)/(1 + ε)
    // g1 (3, 3, 3, 3): tied                               → 0, counted
    // g2 (1, 1, 1, 5): mean 2, var (1+1+1+9)/4 = 3, std √3 → (−1, −1, −1, 3)/(√3 + ε)
    const auto rewards =
        torch::tensor({{0., 2., 2., 0.}, {3., 3., 3., 3.}, {1., 1., 1., 5.}}, torch::kFloat64);
    const auto a = groupAdvantages(rewards);
    const double k0 = 1.0 / (1.0 + kEps), k2 = 1.0 / (std::sqrt(3.0) + kEps);
    expectValues(a.values, {-k0, k0, k0, -k0, 0, 0, 0, 0, -k2, -k2, -k2, 3 * k2}, "A");
    EXPECT_EQ(a.values.sizes(), rewards.sizes());
    EXPECT_EQ(a.zeroSignalGroups, 1);
    EXPECT_EQ(a.tiedRewardGroups, 1);
}

TEST(GroupAdvantage, RoundingNoiseInATiedGroupInventsNoSignal) {
    // 0.1 + 0.2 = 0.30000000000000004: the group is tied up to rounding; dividing that noise by
    // ε would make ±1 advantages out of nothing.
    const auto rewards = torch::tensor({{0.1 + 0.2, 0.3, 0.3}, {0.0, 1.0, 2.0}}, torch::kFloat64);
    const auto a = groupAdvantages(rewards);
    expectValues(a.values[0], {0, 0, 0}, "tied group");
    EXPECT_EQ(a.zeroSignalGroups, 1);
    EXPECT_EQ(a.tiedRewardGroups, 1);
    // g1 (0, 1, 2): mean 1, std √(2/3).
    const double k = 1.0 / (std::sqrt(2.0 / 3.0) + kEps);
    expectValues(a.values[1], {-k, 0, k}, "g1");
}

TEST(GroupAdvantage, SingleSlateGroupsCarryNoSignal) {
    const auto a = groupAdvantages(torch::tensor({{1.0}, {5.0}}, torch::kFloat64));
    expectValues(a.values, {0, 0}, "A");
    EXPECT_EQ(a.zeroSignalGroups, 2);
}

// ---- decoupled ------------------------------------------------------------------------------

// B = 2 groups of G = 2 slates, M = 2 components, weights w = (1, 0.5):
//   group 0: slate 0 (1, 0), slate 1 (0, 0)   component 1 tied (0, 0)
//   group 1: slate 0 (2, 1), slate 1 (2, 3)   component 0 tied (2, 2)
at::Tensor handComponents(double tied0 = 0.0, double tied1 = 2.0) {
    return torch::tensor({{{1.0, tied0}, {0.0, tied0}}, {{tied1, 1.0}, {tied1, 3.0}}},
                         torch::kFloat64);
}

TEST(DecoupledAdvantage, MatchesHandValues) {
    // z per component inside its group, 0 where the group is tied on it:
    //   g0 c0 (1, 0): mean 0.5, std 0.5 → ±0.5/(0.5 + ε) = ±k0;  g0 c1 tied → 0
    //   g1 c0 tied → 0;  g1 c1 (1, 3): mean 2, std 1 → ∓1/(1 + ε) = ∓k1
    // a = z·w: g0 (k0, −k0), g1 (−0.5 k1, 0.5 k1); batch mean 0,
    // population std s = √((2k0² + 2·0.25k1²)/4) ≈ √0.625 = 0.790569;
    // A = a/(s + ε) ≈ (1.264911, −1.264911, −0.632456, 0.632456).
    const auto w = torch::tensor({1.0, 0.5}, torch::kFloat64);
    const auto a = decoupledAdvantages(handComponents(), w);
    const double k0 = 0.5 / (0.5 + kEps), k1 = 1.0 / (1.0 + kEps);
    const double s = std::sqrt((2 * k0 * k0 + 0.5 * k1 * k1) / 4.0);
    expectValues(a.values,
                 {k0 / (s + kEps), -k0 / (s + kEps), -0.5 * k1 / (s + kEps), 0.5 * k1 / (s + kEps)},
                 "A");
    expectValues(a.values, {1.264911, -1.264911, -0.632456, 0.632456}, "A (rounded)", 1e-5);
    EXPECT_EQ(a.values.sizes(), (std::vector<int64_t>{2, 2}));
    // Totals R = c·w: g0 (1, 0), g1 (2.5, 3.5): no group tied.
    EXPECT_EQ(a.zeroSignalGroups, 0);
    EXPECT_EQ(a.tiedRewardGroups, 0);
}

TEST(DecoupledAdvantage, ATiedComponentContributesNothing) {
    // Moving a component's common value inside a group changes nothing.
    const auto w = torch::tensor({1.0, 0.5}, torch::kFloat64);
    const auto base = decoupledAdvantages(handComponents(), w).values;
    const auto moved = decoupledAdvantages(handComponents(-4.0, 7.0), w).values;
    EXPECT_TRUE(torch::allclose(base, moved, 0, 1e-15)) << base << moved;
    // With w = (1, 0) only component 0 counts, and group 1 is tied on it.
    const auto onlyC0 =
        decoupledAdvantages(handComponents(), torch::tensor({1.0, 0.0}, torch::kFloat64)).values;
    // With w = (1, 0) group 1 has a = 0 throughout; batch: (k0, −k0, 0, 0), mean 0,
    // std = k0/√2 → A = (√2, −√2, 0, 0)·k0/(k0/√2 + ε).
    const double k0 = 0.5 / (0.5 + kEps);
    const double scale = k0 / (k0 / std::sqrt(2.0) + kEps);
    expectValues(onlyC0, {scale, -scale, 0, 0}, "w = (1, 0)");
}

TEST(DecoupledAdvantage, DecouplingKeepsEachComponentsSignal) {
    // g: slate 0 (1, 0), slate 1 (0, 2) with w = (2, 1): totals tie at 2, so the group advantage
    // is 0 ("reward collapse"), yet each component still orders the slates: z = (±1, ∓1)·k,
    // a = 2k·(1, −1) + k·(−1, 1) = k·(1, −1) ≠ 0.
    const auto components =
        torch::tensor({{{1.0, 0.0}, {0.0, 2.0}}, {{0.0, 0.0}, {1.0, 1.0}}}, torch::kFloat64);
    const auto w = torch::tensor({2.0, 1.0}, torch::kFloat64);
    const auto totals = components.matmul(w);
    EXPECT_TRUE(groupAdvantages(totals).values[0].eq(0).all().item<bool>());
    const auto a = decoupledAdvantages(components, w);
    EXPECT_GT(a.values[0][0].item<double>(), 0.0);
    EXPECT_LT(a.values[0][1].item<double>(), 0.0);
    EXPECT_EQ(a.tiedRewardGroups, 1);  // totals of group 0 are tied
}

TEST(DecoupledAdvantage, NormalisesAcrossTheWholeBatch) {
    torch::manual_seed(31);
    const auto components = torch::randn({5, 4, 3}, torch::kFloat64);
    const auto a =
        decoupledAdvantages(components, torch::tensor({1.0, 0.3, 2.0}, torch::kFloat64)).values;
    // (a − mean)/(std + ε): batch mean 0 and population std just under 1.
    EXPECT_NEAR(a.mean().item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(a.std(/*unbiased=*/false).item<double>(), 1.0, 1e-5);
    EXPECT_LT(a.std(/*unbiased=*/false).item<double>(), 1.0);
}

TEST(DecoupledAdvantage, TiedBatchGivesZeros) {
    const auto components = torch::full({3, 4, 2}, 0.7, torch::kFloat64);
    const auto a = decoupledAdvantages(components, torch::tensor({1.0, 1.0}, torch::kFloat64));
    EXPECT_TRUE(a.values.eq(0).all().item<bool>());
    EXPECT_EQ(a.zeroSignalGroups, 3);
    EXPECT_EQ(a.tiedRewardGroups, 3);
}

TEST(DecoupledAdvantage, CountsAGroupTiedOnEveryComponentAsZeroSignal) {
    // A group tied on every component has a = 0 and, since every group's z sums to 0, the batch
    // mean of a is 0: its advantages are 0 and it carries no signal (adv/zero_std_groups).
    // Rewards whose group deviations do not cancel exactly in floating point exercise this.
    const auto components = torch::tensor(
        {{{0.1}, {0.2}, {0.4}}, {{0.5}, {0.5}, {0.5}}, {{0.7}, {0.3}, {0.1}}}, torch::kFloat64);
    const auto a = decoupledAdvantages(components, torch::tensor({1.0}, torch::kFloat64));
    expectValues(a.values[1], {0, 0, 0}, "tied group", 1e-12);
    EXPECT_EQ(a.tiedRewardGroups, 1);
    EXPECT_EQ(a.zeroSignalGroups, 1) << a.values;
}

// ---- sign -----------------------------------------------------------------------------------

TEST(SignAdvantage, TopQuartileAndFloor) {
    // Batch (1..8): 0.75-quantile (linear) at position 0.75·7 = 5.25 → 6 + 0.25 = 6.25;
    // ≥ 6.25 → +1 (7, 8); below the floor 2.5 → −1 (1, 2); else 0.
    const auto rewards = torch::tensor({{1., 2., 3., 4.}, {5., 6., 7., 8.}}, torch::kFloat64);
    const auto a = signAdvantages(rewards, 2.5);
    expectValues(a.values, {-1, -1, 0, 0, 0, 0, 1, 1}, "A");
    EXPECT_EQ(a.zeroSignalGroups, 0);
    EXPECT_EQ(a.tiedRewardGroups, 0);
}

TEST(SignAdvantage, GroupWithoutSignCounts) {
    // Batch (1,1,1,1,1,2,9,10): quantile at 5.25 → 2 + 0.25·7 = 3.75: +1 for 9 and 10; nothing is
    // below the floor 0; group 0 is all 0.
    const auto rewards = torch::tensor({{1., 1., 1., 1.}, {1., 2., 9., 10.}}, torch::kFloat64);
    const auto a = signAdvantages(rewards, 0.0);
    expectValues(a.values, {0, 0, 0, 0, 0, 0, 1, 1}, "A");
    EXPECT_EQ(a.zeroSignalGroups, 1);
    EXPECT_EQ(a.tiedRewardGroups, 1);
}

TEST(SignAdvantage, TiedBatchGivesZeros) {
    const auto a = signAdvantages(torch::full({2, 3}, 2.0, torch::kFloat64), 0.0);
    EXPECT_TRUE(a.values.eq(0).all().item<bool>()) << a.values;
    EXPECT_EQ(a.zeroSignalGroups, 2);
    EXPECT_EQ(a.tiedRewardGroups, 2);
}

// ---- boost eligibility ----------------------------------------------------------------------

TEST(BoostEligibility, EachMode) {
    //             A     positive reward   cold positive reward
    //   slate 0  +1.0   2                 0.5    (a quarter of it cold)
    //   slate 1  −0.5   1                 1      (all cold, but a failure)
    //   slate 2   0     1                 1
    //   slate 3  +2.0   3                 0      (no cold hit)
    //   slate 4  +0.3   0                 0      (no positive reward at all)
    //   slate 5  +1.0   1                 1.2    (rounding above the total: capped at 1)
    const auto adv = torch::tensor({1.0, -0.5, 0.0, 2.0, 0.3, 1.0});
    const auto positive = torch::tensor({2.0, 1.0, 1.0, 3.0, 0.0, 1.0});
    const auto cold = torch::tensor({0.5, 1.0, 1.0, 0.0, 0.0, 1.2});
    // positive: 1 where A > 0.
    expectValues(boostEligibility("positive", adv, positive, cold), {1, 0, 0, 1, 1, 1}, "positive");
    // cold_hit: 1 where A > 0 and cold items earned positive reward.
    expectValues(boostEligibility("cold_hit", adv, positive, cold), {1, 0, 0, 0, 0, 1}, "cold_hit");
    // cold_share: cold/positive in [0, 1], 0 without positive reward; b only acts where A > 0.
    const auto share = boostEligibility("cold_share", adv, positive, cold);
    expectValues(share, {0.25, 1.0, 1.0, 0.0, 0.0, 1.0}, "cold_share", 1e-7);
    EXPECT_EQ(share.scalar_type(), adv.scalar_type());
    EXPECT_THROW(boostEligibility("cold", adv, positive, cold), std::invalid_argument);
}

}  // namespace
}  // namespace sage
