// Golden values for every objective of SAGE.md section 4, computed by hand on tiny batches.
// Probabilities are picked so that every ratio, denominator and cap is a short decimal; the
// arithmetic is written out next to each batch.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "objectives/ecpo_objective.h"
#include "objectives/gbpo_objective.h"
#include "objectives/grpo_objective.h"
#include "objectives/gspo_objective.h"
#include "objectives/objective_factory.h"
#include "objectives/sage_objective.h"

namespace sage {
namespace {

constexpr double kTol = 1e-12;

// One slate written as token probabilities under π_old and π_θ.
struct HandSlate {
    std::vector<double> pOld;
    std::vector<double> pNew;
    double advantage;
    double entropy = 1.0;      // Ĥ
    double eligibility = 0.0;  // b
};

struct HandBatch {
    torch::Tensor logpNew;  // the leaf the gradient lands on
    ObjectiveInput input;
};

// Pads to the longest slate with log p = 0 under a zero mask.
HandBatch makeBatch(const std::vector<HandSlate>& slates) {
    const auto n = static_cast<int64_t>(slates.size());
    int64_t t = 0;
    for (const auto& s : slates) t = std::max<int64_t>(t, static_cast<int64_t>(s.pOld.size()));
    auto oldT = torch::zeros({n, t}, torch::kFloat64);
    auto newT = torch::zeros({n, t}, torch::kFloat64);
    auto mask = torch::zeros({n, t}, torch::kFloat64);
    auto adv = torch::zeros({n}, torch::kFloat64);
    auto entropy = torch::zeros({n}, torch::kFloat64);
    auto boost = torch::zeros({n}, torch::kFloat64);
    for (int64_t i = 0; i < n; ++i) {
        const auto& s = slates[static_cast<size_t>(i)];
        for (size_t k = 0; k < s.pOld.size(); ++k) {
            oldT[i][static_cast<int64_t>(k)] = std::log(s.pOld[k]);
            newT[i][static_cast<int64_t>(k)] = std::log(s.pNew[k]);
            mask[i][static_cast<int64_t>(k)] = 1.0;
        }
        adv[i] = s.advantage;
        entropy[i] = s.entropy;
        boost[i] = s.eligibility;
    }
    HandBatch b;
    b.logpNew = newT.requires_grad_(true);
    b.input = {b.logpNew, oldT, mask, adv, entropy, boost};
    return b;
}

void expectValues(const at::Tensor& actual, const std::vector<double>& expected,
                  const std::string& what, double tol = kTol) {
    ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size())) << what;
    const auto a = actual.to(torch::kFloat64).flatten();
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_NEAR(a[static_cast<int64_t>(i)].item<double>(), expected[i], tol)
            << what << " [" << i << "]";
}

void expectBranches(const ObjectiveOutput& out, const std::vector<ActiveBranch>& expected) {
    ASSERT_EQ(out.slates.branch.numel(), static_cast<int64_t>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(out.slates.branch[static_cast<int64_t>(i)].item<int64_t>(),
                  static_cast<int64_t>(expected[i]))
            << "slate " << i << ": expected " << toString(expected[i]) << ", got "
            << toString(static_cast<ActiveBranch>(
                   out.slates.branch[static_cast<int64_t>(i)].item<int64_t>()));
}

void expectBools(const at::Tensor& actual, const std::vector<bool>& expected,
                 const std::string& what) {
    ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size())) << what;
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_EQ(actual[static_cast<int64_t>(i)].item<bool>(), expected[i])
            << what << " [" << i << "]";
}

// The gradient the loss gives for logpNew, padding included, row-major.
void expectGradient(HandBatch& b, const at::Tensor& loss, const std::vector<double>& expected) {
    loss.backward();
    expectValues(b.logpNew.grad(), expected, "dL/dlogpNew");
}

constexpr auto kRatio = ActiveBranch::Ratio;
constexpr auto kLow = ActiveBranch::ClipLow;
constexpr auto kHigh = ActiveBranch::ClipHigh;
constexpr auto kDual = ActiveBranch::DualClip;
constexpr auto kPosCap = ActiveBranch::PosCap;
constexpr auto kNegCap = ActiveBranch::NegCap;

// ---------------------------------------------------------------------------------------------
// GRPO's section-5 bound metrics (its loss and clip shares are pinned in grpo_objective_test).

TEST(GrpoObjectiveGolden, ReportsClipEdgesAsCaps) {
    // ε = 0.2, dual clip c = 3, token level:
    //   s0 A=+1: 0.5→(0.75, 0.45), r (1.5, 0.9): token 0 clipped high; terms (1.2, 0.9) → 1.05
    //   s1 A=−1: 0.5→(0.25, 0.55), r (0.5, 1.1): token 0 clipped low; terms (−0.8, −1.1) → −0.95
    //   s2 A=−1: 0.125→0.5, r 4: min(−4, −1.2) = −4 < −3 → dual clip, −3
    // L = −(1.05 − 0.95 − 3)/3 = 2.9/3. Active: positives 1 of 2 tokens; negatives 2 of 3 (the
    // low clip and the dual clip).
    auto b = makeBatch({{{0.5, 0.5}, {0.75, 0.45}, 1.0},
                        {{0.5, 0.5}, {0.25, 0.55}, -1.0},
                        {{0.125}, {0.5}, -1.0}});
    const auto out = GrpoObjective({0.2, 0.2, true, 3.0}).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), 2.9 / 3.0, kTol);
    expectValues(out.slates.coefficient, {0.45, 0.55, 0.0}, "c");
    expectBranches(out, {kHigh, kLow, kDual});
    expectValues(out.slates.posCap, {1.2, 1.2, 1.2}, "upper clip");
    expectValues(out.slates.negCap, {0.8, 0.8, 0.8}, "lower clip");
    expectValues(out.slates.negScale, {1.0, 1.0, 1.0}, "Lambda");
    EXPECT_NEAR(out.posActiveFraction, 1.0 / 2.0, kTol);
    EXPECT_NEAR(out.negActiveFraction, 2.0 / 3.0, kTol);
    EXPECT_NEAR(out.clipLowFraction, 1.0 / 5.0, kTol);
    EXPECT_NEAR(out.clipHighFraction, 1.0 / 5.0, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 3.0 / 5.0, kTol);
}

// ---------------------------------------------------------------------------------------------
// GSPO (4.2) and ECPO at sequence level (4.3) share one batch:
//   s0 T=1, A=+1: p 0.5 → 0.8, r = 1.6          (above 1+ε)
//   s1 T=2, A=+1: p (0.5, 0.5) → (0.5, 0.605); ρ = ½·log 1.21 = log 1.1, r = 1.1 (inside);
//                 p̄_old = 0.5, p̄ = √(0.5·0.605) = 0.55
//   s2 T=2, A=−1: p (0.5, 0.25) → (0.25, 0.125), r = 0.5 (below 1−ε);
//                 p̄_old = √0.125, p̄ = √0.03125
//   s3 T=3, A=−2: p 0.5 → 0.75 each, r = 1.5 (above 1+ε, but A < 0)
std::vector<HandSlate> sequenceClipSlates() {
    return {{{0.5}, {0.8}, 1.0},
            {{0.5, 0.5}, {0.5, 0.605}, 1.0},
            {{0.5, 0.25}, {0.25, 0.125}, -1.0},
            {{0.5, 0.5, 0.5}, {0.75, 0.75, 0.75}, -2.0}};
}

TEST(GspoObjectiveGolden, ClipsEachSideOfTheSequenceRatio) {
    // ε_low = ε_high = 0.2, clip range [0.8, 1.2]; term_i = min(r A, clip(r) A):
    //   s0: min(1.6, 1.2) = 1.2   clipped high, c = 0
    //   s1: min(1.1, 1.1) = 1.1   passes, c = 1.1
    //   s2: min(−0.5, −0.8) = −0.8 clipped low, c = 0
    //   s3: min(−3, −2.4) = −3    passes (pessimistic side), c = 1.5
    // L = −(1.2 + 1.1 − 0.8 − 3)/4 = 0.375.
    auto b = makeBatch(sequenceClipSlates());
    const auto out = GspoObjective(0.2, 0.2).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), 0.375, kTol);
    expectValues(out.slates.ratio, {1.6, 1.1, 0.5, 1.5}, "r");
    expectValues(out.slates.logRatio, {std::log(1.6), std::log(1.1), std::log(0.5), std::log(1.5)},
                 "rho");
    expectValues(out.slates.pbarOld, {0.5, 0.5, std::sqrt(0.125), 0.5}, "pbarOld");
    expectValues(out.slates.pbarNew, {0.8, 0.55, std::sqrt(0.03125), 0.75}, "pbarNew");
    expectValues(out.slates.coefficient, {0.0, 1.1, 0.0, 1.5}, "c");
    expectValues(out.slates.denominator, {0.0, 0.0, 0.0, 0.0}, "D (none)");
    expectBranches(out, {kHigh, kRatio, kLow, kRatio});
    // Sequence level: shares of slates. Outside [0.8, 1.2]: s0, s2, s3.
    EXPECT_NEAR(out.clipLowFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipHighFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 0.75, kTol);
    EXPECT_TRUE(out.hasClip);
    // Section 5's bound metrics for a clip objective: the clip edges play the caps, and a cap is
    // active where the clip set c. Positives s0, s1: s0 clipped; negatives s2, s3: s2 clipped.
    expectValues(out.slates.posCap, {1.2, 1.2, 1.2, 1.2}, "upper clip");
    expectValues(out.slates.negCap, {0.8, 0.8, 0.8, 0.8}, "lower clip");
    expectValues(out.slates.negScale, {1.0, 1.0, 1.0, 1.0}, "Lambda");
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    // ∂L/∂ℓ_it = −(1/N)·A_i·r_i/T_i where the ratio passes:
    //   s1: −(1/4)(1)(1.1)/2 = −0.1375;  s3: −(1/4)(−2)(1.5)/3 = 0.25.
    expectGradient(b, out.loss, {0, 0, 0, -0.1375, -0.1375, 0, 0, 0, 0, 0.25, 0.25, 0.25});
}

TEST(GspoObjectiveGolden, FactoryDefaultsClipAtGspoPaperValues) {
    // ε_low = 3e-4, ε_high = 4e-4: range [0.9997, 1.0004].
    //   s0 A=+1 r=1.00035 inside;  s1 A=+1 r=1.0005 clipped high (term 1.0004);
    //   s2 A=−1 r=0.9996 clipped low (term −0.9997);  s3 A=−1 r=0.9998 inside.
    // L = −(1.00035 + 1.0004 − 0.9997 − 0.9998)/4 = −0.00125/4 = −0.0003125.
    const std::vector<double> ratios{1.00035, 1.0005, 0.9996, 0.9998};
    std::vector<HandSlate> slates;
    const std::vector<double> adv{1.0, 1.0, -1.0, -1.0};
    for (size_t i = 0; i < ratios.size(); ++i) slates.push_back({{0.5}, {0.5 * ratios[i]}, adv[i]});
    auto b = makeBatch(slates);
    RunConfig::Objective config;
    config.kind = "gspo";
    const auto objective = makeObjective(config);
    EXPECT_EQ(objective->name(), "gspo");
    const auto out = objective->compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), -0.0003125, 1e-12);
    expectValues(out.slates.coefficient, {1.00035, 0.0, 0.0, 0.9998}, "c", 1e-12);
    expectBranches(out, {kRatio, kHigh, kLow, kRatio});
    EXPECT_NEAR(out.clipLowFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipHighFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 0.5, kTol);
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    expectValues(out.slates.posCap, {1.0004, 1.0004, 1.0004, 1.0004}, "upper clip");
    expectValues(out.slates.negCap, {0.9997, 0.9997, 0.9997, 0.9997}, "lower clip");
}

TEST(EcpoObjectiveGolden, SequenceLevelLiftsTheDenominatorEarly) {
    // ε = 0.2, δ = 0.1: D = max(p̄/1.3, p̄_old), r' = p̄/D = min(r, 1.3), clip range [0.8, 1.2]:
    //   s0: D = max(0.8/1.3, 0.5) = 0.8/1.3, r' = 1.3 → clipped high, term 1.2, c = 0
    //   s1: D = max(0.55/1.3 = 0.423, 0.5) = 0.5, r' = 1.1 → passes, term 1.1, c = 1.1
    //   s2: D = max(√0.03125/1.3, √0.125) = √0.125, r' = 0.5 → clipped low, term −0.8, c = 0
    //   s3: D = max(0.75/1.3 = 0.577, 0.5) = 0.75/1.3, r' = 1.3; A<0: min(−2.6, −2.4) = −2.6, c
    //   = 1.3
    // L = −(1.2 + 1.1 − 0.8 − 2.6)/4 = 0.275.
    auto b = makeBatch(sequenceClipSlates());
    const auto out = EcpoObjective(0.2, 0.1, RatioLevel::Sequence).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), 0.275, kTol);
    expectValues(out.slates.denominator, {0.8 / 1.3, 0.5, std::sqrt(0.125), 0.75 / 1.3}, "D");
    expectValues(out.slates.coefficient, {0.0, 1.1, 0.0, 1.3}, "c");
    expectValues(out.slates.ratio, {1.6, 1.1, 0.5, 1.5}, "r (the plain ratio)");
    expectBranches(out, {kHigh, kRatio, kLow, kRatio});
    // r' outside [0.8, 1.2]: s0 (1.3), s2 (0.5), s3 (1.3).
    EXPECT_NEAR(out.clipLowFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipHighFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 0.75, kTol);
    EXPECT_TRUE(out.hasClip);
    expectValues(out.slates.posCap, {1.2, 1.2, 1.2, 1.2}, "upper clip");
    expectValues(out.slates.negCap, {0.8, 0.8, 0.8, 0.8}, "lower clip");
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);  // s0 of (s0, s1)
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);  // s2 of (s2, s3)
    // ∂L/∂ℓ_it = −(1/N)·A·r'/T where r' passes: s1 −(1/4)(1.1)/2 = −0.1375; s3 (1/4)(2)(1.3)/3.
    const double s3 = 2.0 * 1.3 / 12.0;
    expectGradient(b, out.loss, {0, 0, 0, -0.1375, -0.1375, 0, 0, 0, 0, s3, s3, s3});
}

TEST(EcpoObjectiveGolden, TokenLevelAppliesTheDenominatorPerToken) {
    // Per token D = max(p/1.3, p_old), r' = p/D, clip [0.8, 1.2]:
    //   s0 A=+1: 0.5→0.8: D = 0.8/1.3, r' = 1.3 clipped high, term 1.2, c 0
    //   s1 A=+1: (0.5→0.5, 0.5→0.55): D (0.5, 0.5), r' (1, 1.1), terms (1, 1.1) → 1.05, c 1.05
    //   s2 A=−1: (0.5→0.25, 0.25→0.25): D (0.5, 0.25), r' (0.5, 1): token 0 clipped low (−0.8),
    //            token 1 −1 → −0.9; c = (0 + 1)/2 = 0.5; D mean 0.375
    //   s3 A=−2: (0.5→0.75, 0.5→0.8, 0.5→0.5): D (0.75/1.3, 0.8/1.3, 0.5), r' (1.3, 1.3, 1);
    //            A<0 so min(−2.6, −2.4) = −2.6 passes: terms (−2.6, −2.6, −2) → −2.4, c = 1.2
    // L = −(1.2 + 1.05 − 0.9 − 2.4)/4 = 0.2625.
    auto b = makeBatch({{{0.5}, {0.8}, 1.0},
                        {{0.5, 0.5}, {0.5, 0.55}, 1.0},
                        {{0.5, 0.25}, {0.25, 0.25}, -1.0},
                        {{0.5, 0.5, 0.5}, {0.75, 0.8, 0.5}, -2.0}});
    const auto out = EcpoObjective(0.2, 0.1, RatioLevel::Token).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), 0.2625, kTol);
    expectValues(out.slates.denominator,
                 {0.8 / 1.3, 0.5, 0.375, (0.75 / 1.3 + 0.8 / 1.3 + 0.5) / 3.0}, "D");
    expectValues(out.slates.coefficient, {0.0, 1.05, 0.5, 1.2}, "c");
    expectBranches(out, {kHigh, kRatio, kLow, kRatio});
    // Token shares over 8 real tokens: low s2t0; high s0t0; outside s0t0, s2t0, s3t0, s3t1.
    EXPECT_NEAR(out.clipLowFraction, 1.0 / 8.0, kTol);
    EXPECT_NEAR(out.clipHighFraction, 1.0 / 8.0, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 4.0 / 8.0, kTol);
    // Active shares over tokens: positives s0t0, s1t0, s1t1 (1 clipped); negatives s2, s3 (5
    // tokens, s2t0 clipped).
    EXPECT_NEAR(out.posActiveFraction, 1.0 / 3.0, kTol);
    EXPECT_NEAR(out.negActiveFraction, 1.0 / 5.0, kTol);
    expectValues(out.slates.posCap, {1.2, 1.2, 1.2, 1.2}, "upper clip");
    expectValues(out.slates.negCap, {0.8, 0.8, 0.8, 0.8}, "lower clip");
    // ∂L/∂ℓ_it = −(1/N)(1/T_i)·A_i·r'_it where r' passes:
    //   s1 (−1/8, −1.1/8); s2 (0, 1/8); s3 (2.6/12, 2.6/12, 2/12).
    expectGradient(b, out.loss,
                   {0, 0, 0, -0.125, -0.1375, 0, 0, 0.125, 0, 2.6 / 12, 2.6 / 12, 2.0 / 12});
}

// ---------------------------------------------------------------------------------------------
// GBPO (4.4).

TEST(GbpoObjectiveGolden, SequenceLevelBoundsBothSigns) {
    // D = max(p̄_old, p̄) for A ≥ 0 and max(p̄_old, 1 − p̄) for A < 0; c = p̄/D:
    //   s0 A=+1 T=3: 0.5→0.8 each; r = 1.6 > 1: D = 0.8, c = 1 (pos cap); p̄/(1−p̄) = 4
    //   s1 A=+1 T=2: 0.5→0.25 each; r = 0.5 < 1: D = 0.5, c = 0.5 (ratio); p̄/(1−p̄) = 1/3
    //   s2 A=−1 T=2: 0.8→0.5 each; r = 0.625; 1 − p̄ = 0.5 < 0.8: D = 0.8, c = 0.625 (ratio);
    //                cap p̄/(1−p̄) = 1
    //   s3 A=−2 T=2: (0.5, 0.125)→(0.4, 0.1): p̄_old = 0.25, p̄ = 0.2, r = 0.8;
    //                1 − p̄ = 0.8 > 0.25: D = 0.8, c = 0.25 = p̄/(1−p̄) (neg cap)
    // L = −(1·1 + 0.5·1 + 0.625·(−1) + 0.25·(−2))/4 = −0.375/4 = −0.09375.
    auto b = makeBatch({{{0.5, 0.5, 0.5}, {0.8, 0.8, 0.8}, 1.0},
                        {{0.5, 0.5}, {0.25, 0.25}, 1.0},
                        {{0.8, 0.8}, {0.5, 0.5}, -1.0},
                        {{0.5, 0.125}, {0.4, 0.1}, -2.0}});
    const auto out = GbpoObjective(RatioLevel::Sequence).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), -0.09375, kTol);
    expectValues(out.slates.ratio, {1.6, 0.5, 0.625, 0.8}, "r");
    expectValues(out.slates.pbarOld, {0.5, 0.5, 0.8, 0.25}, "pbarOld");
    expectValues(out.slates.pbarNew, {0.8, 0.25, 0.5, 0.2}, "pbarNew");
    expectValues(out.slates.denominator, {0.8, 0.5, 0.8, 0.8}, "D");
    expectValues(out.slates.coefficient, {1.0, 0.5, 0.625, 0.25}, "c");
    expectValues(out.slates.posCap, {1.0, 1.0, 1.0, 1.0}, "Gamma+");
    expectValues(out.slates.negScale, {1.0, 1.0, 1.0, 1.0}, "Lambda");
    expectValues(out.slates.negCap, {4.0, 1.0 / 3.0, 1.0, 0.25}, "neg cap");
    expectBranches(out, {kPosCap, kRatio, kRatio, kNegCap});
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    EXPECT_FALSE(out.hasClip);
    EXPECT_DOUBLE_EQ(out.clipRegionFraction, 0.0);
    // ∂L/∂ℓ_it = −(1/N)·A_i·c_i/T_i: s0 −1/12; s1 −0.0625; s2 0.078125; s3 0.0625.
    expectGradient(b, out.loss,
                   {-1.0 / 12, -1.0 / 12, -1.0 / 12, -0.0625, -0.0625, 0, 0.078125, 0.078125, 0,
                    0.0625, 0.0625, 0});
}

TEST(GbpoObjectiveGolden, TokenLevelBoundsEachToken) {
    // Same denominators per token (p = π(y_it)):
    //   s0 A=+1: 0.5→0.8: D 0.8, c 1 (cap)                       → slate c 1, D 0.8, pos cap
    //   s1 A=+1: (0.5→0.8, 0.5→0.25): c (1 cap, 0.5), D (0.8, 0.5) → c 0.75, D 0.65; half capped,
    //            not most, so branch "ratio"
    //   s2 A=−1: (0.8→0.5, 0.25→0.2): D (max(.8,.5), max(.25,.8)) = (0.8, 0.8),
    //            c (0.625 ratio, 0.25 cap)                        → c 0.4375, D 0.8, "ratio"
    //   s3 A=−2: (0.25→0.2, 0.25→0.2, 0.25→0.5): D (0.8, 0.8, 0.5), c (0.25, 0.25, 1), all capped
    //            (r = 0.8, 0.8, 2)                                → c 0.5, D 0.7, neg cap
    // L = −(1 + 0.75 − 0.4375 − 2·0.5)/4 = −0.3125/4 = −0.078125.
    // Token shares: positives 3 tokens, 2 capped → 2/3; negatives 5 tokens, 4 capped → 4/5.
    auto b = makeBatch({{{0.5}, {0.8}, 1.0},
                        {{0.5, 0.5}, {0.8, 0.25}, 1.0},
                        {{0.8, 0.25}, {0.5, 0.2}, -1.0},
                        {{0.25, 0.25, 0.25}, {0.2, 0.2, 0.5}, -2.0}});
    const auto out = GbpoObjective(RatioLevel::Token).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), -0.078125, kTol);
    expectValues(out.slates.denominator, {0.8, 0.65, 0.8, 0.7}, "D");
    expectValues(out.slates.coefficient, {1.0, 0.75, 0.4375, 0.5}, "c");
    expectValues(out.slates.posCap, {1.0, 1.0, 1.0, 1.0}, "Gamma+");
    expectValues(out.slates.negScale, {1.0, 1.0, 1.0, 1.0}, "Lambda");
    // Per-token p/(1−p) averaged over the slate's tokens.
    expectValues(out.slates.negCap, {4.0, (4.0 + 1.0 / 3.0) / 2.0, (1.0 + 0.25) / 2.0, 0.5},
                 "neg cap");
    expectBranches(out, {kPosCap, kRatio, kRatio, kNegCap});
    EXPECT_NEAR(out.posActiveFraction, 2.0 / 3.0, kTol);
    EXPECT_NEAR(out.negActiveFraction, 4.0 / 5.0, kTol);
    EXPECT_FALSE(out.hasClip);
    // ∂L/∂ℓ_it = −(1/N)(1/T_i)·A_i·c_it:
    //   s0 −0.25; s1 (−0.125, −0.0625); s2 (0.078125, 0.03125); s3 (0.25/6, 0.25/6, 1/6).
    expectGradient(
        b, out.loss,
        {-0.25, 0, 0, -0.125, -0.0625, 0, 0.078125, 0.03125, 0, 0.25 / 6, 0.25 / 6, 1.0 / 6});
}

// ---------------------------------------------------------------------------------------------
// SAGE, gbpo_bounds form (4.5): ε_boost = 0.5, κ = 1, τ = 0.5.
//   s0 A=+1 b=1   Ĥ=0.5  T=1: 0.5→0.8, r = 1.6 > Γ⁺ = 1.5: D = max(0.5, 0.8/1.5) = 0.8/1.5,
//                            c = 1.5 (pos cap; the boost let it pass GBPO's 1)
//   s1 A=+1 b=1   Ĥ=1    T=2: (0.5, 0.5)→(0.5, 0.72): p̄ = √0.36 = 0.6, r = 1.2 < 1.5:
//                            D = max(0.5, 0.6/1.5) = 0.5, c = 1.2 (ratio; still above 1: boosted)
//   s2 A=−1 b=0   Ĥ=0.75 T=2: 0.8→0.5 each: D = max(0.8, 0.5/Λ) = 0.8, c = 0.625 (ratio) for any
//                            Λ ≥ 1; cap Λ·0.5/0.5 = Λ
//   s3 A=−2 b=0   Ĥ=0.25 T=2: (0.5, 0.125)→(0.4, 0.1): p̄_old 0.25, p̄ 0.2, r = 0.8:
//                            D = max(0.25, 0.8/Λ) = 0.8/Λ while Λ < 3.2, c = Λ·0.2/0.8 = Λ/4 (neg
//                            cap)
// L = −(1.5 + 1.2 − 0.625 − 2·Λ₃/4)/4 = −(2.075 − Λ₃/2)/4.
std::vector<HandSlate> sageBoundSlates() {
    return {{{0.5}, {0.8}, 1.0, 0.5, 1.0},
            {{0.5, 0.5}, {0.5, 0.72}, 1.0, 1.0, 1.0},
            {{0.8, 0.8}, {0.5, 0.5}, -1.0, 0.75, 0.0},
            {{0.5, 0.125}, {0.4, 0.1}, -2.0, 0.25, 0.0}};
}

SageObjective::Options sageBounds(SageObjective::PenaltyShape shape) {
    SageObjective::Options o;
    o.boostEpsilon = 0.5;
    o.kappa = 1.0;
    o.penaltyShape = shape;
    o.penaltyTau = 0.5;
    o.form = SageObjective::Form::GbpoBounds;
    o.boostForm = SageObjective::BoostForm::Bound;
    return o;
}

// Checks the batch above under penalty scales Λ = (Λ₀, Λ₁, Λ₂, Λ₃).
void checkSageBounds(SageObjective::PenaltyShape shape, const std::vector<double>& lambda) {
    auto b = makeBatch(sageBoundSlates());
    const auto out = SageObjective(sageBounds(shape)).compute(b.input);
    const double l3 = lambda[3];
    EXPECT_NEAR(out.loss.item<double>(), -(2.075 - l3 / 2.0) / 4.0, kTol);
    expectValues(out.slates.ratio, {1.6, 1.2, 0.625, 0.8}, "r");
    expectValues(out.slates.denominator, {0.8 / 1.5, 0.5, 0.8, 0.8 / l3}, "D");
    expectValues(out.slates.coefficient, {1.5, 1.2, 0.625, l3 / 4.0}, "c");
    expectValues(out.slates.posCap, {1.5, 1.5, 1.0, 1.0}, "Gamma+ = 1 + 0.5 b");
    expectValues(out.slates.negScale, lambda, "Lambda");
    // Λ·p̄/(1−p̄): p̄ = 0.8, 0.6, 0.5, 0.2.
    expectValues(out.slates.negCap, {lambda[0] * 4.0, lambda[1] * 1.5, lambda[2], l3 / 4.0},
                 "neg cap");
    expectBranches(out, {kPosCap, kRatio, kRatio, kNegCap});
    expectBools(out.slates.boostApplied, {true, true, false, false}, "boost applied");
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    EXPECT_FALSE(out.hasClip);
    // ∂L/∂ℓ_it = −(1/N)·A_i·c_i/T_i: s0 −0.375; s1 −0.15; s2 0.078125; s3 (1/4)(2)(Λ₃/4)/2 = Λ₃/16.
    expectGradient(b, out.loss, {-0.375, 0, -0.15, -0.15, 0.078125, 0.078125, l3 / 16, l3 / 16});
}

TEST(SageObjectiveGolden, LinearPenalty) {
    // Λ = 1 + κ(1 − Ĥ) = (1.5, 1, 1.25, 1.75); L = −(2.075 − 0.875)/4 = −0.3.
    checkSageBounds(SageObjective::PenaltyShape::Linear, {1.5, 1.0, 1.25, 1.75});
    auto b = makeBatch(sageBoundSlates());
    EXPECT_NEAR(SageObjective(sageBounds(SageObjective::PenaltyShape::Linear))
                    .compute(b.input)
                    .loss.item<double>(),
                -0.3, kTol);
}

TEST(SageObjectiveGolden, ThresholdPenalty) {
    // Λ = 1 + κ·max(0, τ − Ĥ)/τ with τ = 0.5: Ĥ (0.5, 1, 0.75, 0.25) → (1, 1, 1, 1.5);
    // L = −(2.075 − 0.75)/4 = −0.33125.
    checkSageBounds(SageObjective::PenaltyShape::Threshold, {1.0, 1.0, 1.0, 1.5});
    auto b = makeBatch(sageBoundSlates());
    EXPECT_NEAR(SageObjective(sageBounds(SageObjective::PenaltyShape::Threshold))
                    .compute(b.input)
                    .loss.item<double>(),
                -0.33125, kTol);
}

TEST(SageObjectiveGolden, ExpPenalty) {
    // Λ = exp(κ(1 − Ĥ)) = (e^0.5, 1, e^0.25, e^0.75); e^0.75 = 2.117 < 3.2 keeps s3 on its cap;
    // L = −(2.075 − e^0.75/2)/4 ≈ −0.2541250.
    checkSageBounds(SageObjective::PenaltyShape::Exp,
                    {std::exp(0.5), 1.0, std::exp(0.25), std::exp(0.75)});
    auto b = makeBatch(sageBoundSlates());
    EXPECT_NEAR(SageObjective(sageBounds(SageObjective::PenaltyShape::Exp))
                    .compute(b.input)
                    .loss.item<double>(),
                -0.25412499792, 1e-10);
}

TEST(SageObjectiveGolden, AdvantageBoostScalesAdvantageUnderGbpoCap) {
    // boost_form = advantage: the positive cap stays 1 and A_i becomes Γ⁺_i·A_i for A_i > 0.
    //   s0 A=+1 b=1   (Γ⁺ 1.5):  0.5→0.8, r 1.6: D = max(0.5, 0.8) = 0.8, c = 1 (cap), term 1.5·1
    //   s1 A=+1 b=0.5 (Γ⁺ 1.25): 0.5→0.25 each, r 0.5: D 0.5, c 0.5 (ratio), term 1.25·0.5 = 0.625
    //   s2 A=−1 Ĥ=0.75 (Λ 1.25): as in the bound form, c 0.625, term −0.625
    //   s3 A=−2 Ĥ=0.25 (Λ 1.75): D = 0.8/1.75, c = 0.4375, term −0.875
    // L = −(1.5 + 0.625 − 0.625 − 0.875)/4 = −0.15625.
    auto b = makeBatch({{{0.5}, {0.8}, 1.0, 0.5, 1.0},
                        {{0.5, 0.5}, {0.25, 0.25}, 1.0, 1.0, 0.5},
                        {{0.8, 0.8}, {0.5, 0.5}, -1.0, 0.75, 0.0},
                        {{0.5, 0.125}, {0.4, 0.1}, -2.0, 0.25, 0.0}});
    auto options = sageBounds(SageObjective::PenaltyShape::Linear);
    options.boostForm = SageObjective::BoostForm::Advantage;
    const auto out = SageObjective(options).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), -0.15625, kTol);
    expectValues(out.slates.denominator, {0.8, 0.5, 0.8, 0.8 / 1.75}, "D");
    expectValues(out.slates.coefficient, {1.0, 0.5, 0.625, 0.4375}, "c");
    expectValues(out.slates.posCap, {1.5, 1.25, 1.0, 1.0}, "Gamma+ (reported)");
    expectValues(out.slates.negScale, {1.5, 1.0, 1.25, 1.75}, "Lambda");
    expectBranches(out, {kPosCap, kRatio, kRatio, kNegCap});
    // This form acts wherever a positive slate is eligible, whatever its ratio.
    expectBools(out.slates.boostApplied, {true, true, false, false}, "boost applied");
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    // ∂L/∂ℓ_it = −(1/N)·Γ⁺A·c/T: s0 −0.375; s1 −(1/4)(0.625)/2 = −0.078125; s2 0.078125;
    // s3 (1/4)(2)(0.4375)/2 = 0.109375.
    expectGradient(b, out.loss,
                   {-0.375, 0, -0.078125, -0.078125, 0.078125, 0.078125, 0.109375, 0.109375});
}

// ---------------------------------------------------------------------------------------------
// SAGE, asym_clip form: ε = 0.2, ε_boost = 0.5, ε_H = 0.2, dual clip c = 3.

SageObjective::Options asymClip() {
    SageObjective::Options o;
    o.form = SageObjective::Form::AsymClip;
    o.boostEpsilon = 0.5;
    o.clipEpsilon = 0.2;
    o.entropyClipEpsilon = 0.2;
    o.dualClipC = 3.0;
    return o;
}

TEST(SageObjectiveGolden, AsymClipWidensTheBoostedAndHomogeneousSides) {
    //   s0 A=+1 b=1: hi = 1.2 + 0.5 = 1.7, lo 0.8; 0.5→0.8, r 1.6 inside → term 1.6, c 1.6
    //   s1 A=+1 b=1: hi 1.7; 0.5→0.9 each, r 1.8 → clipped high, term 1.7, c 0
    //   s2 A=−1 Ĥ=0: lo = 0.8 − 0.2 = 0.6, hi 1.2; 0.8→0.5 each, r 0.625 inside → term −0.625
    //   s3 A=−2 Ĥ=0.5: lo = 0.8 − 0.1 = 0.7; 0.5→0.25 each, r 0.5 → clipped low, term −1.4, c 0
    // L = −(1.6 + 1.7 − 0.625 − 1.4)/4 = −0.31875.
    auto b = makeBatch({{{0.5}, {0.8}, 1.0, 1.0, 1.0},
                        {{0.5, 0.5}, {0.9, 0.9}, 1.0, 1.0, 1.0},
                        {{0.8, 0.8}, {0.5, 0.5}, -1.0, 0.0, 0.0},
                        {{0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}, -2.0, 0.5, 0.0}});
    const auto out = SageObjective(asymClip()).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), -0.31875, kTol);
    expectValues(out.slates.ratio, {1.6, 1.8, 0.625, 0.5}, "r");
    expectValues(out.slates.coefficient, {1.6, 0.0, 0.625, 0.0}, "c");
    expectBranches(out, {kRatio, kHigh, kRatio, kLow});
    expectValues(out.slates.posCap, {1.7, 1.7, 1.2, 1.2}, "hi");
    // Λ's counterpart 1 + ε_H(1 − Ĥ) on negatives, 1 on positives: (1, 1, 1 + 0.2, 1 + 0.1).
    expectValues(out.slates.negScale, {1.0, 1.0, 1.2, 1.1}, "1 + eps_H (1 - H)");
    expectValues(out.slates.negCap, {0.8, 0.8, 0.6, 0.7}, "lo");
    // Boosted where b > 0, A > 0 and r passed the unboosted 1 + ε.
    expectBools(out.slates.boostApplied, {true, true, false, false}, "boost applied");
    // Outside [lo, hi]: s1, s3.
    EXPECT_NEAR(out.clipLowFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipHighFraction, 0.25, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 0.5, kTol);
    EXPECT_TRUE(out.hasClip);
    EXPECT_NEAR(out.posActiveFraction, 0.5, kTol);  // s1 of (s0, s1)
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);  // s3 of (s2, s3)
    // ∂L/∂ℓ_it = −(1/N)·A·r/T where r passes: s0 −0.4; s2 (1/4)(0.625)/2 = 0.078125.
    expectGradient(b, out.loss, {-0.4, 0, 0, 0, 0, 0, 0.078125, 0.078125, 0, 0, 0, 0});
}

TEST(SageObjectiveGolden, AsymClipDualClipHoldsLargeNegativeRatios) {
    //   s0 A=−1 Ĥ=1: 0.125→0.5 each, r 4: min(−4, −1.2) = −4 < 3·(−1) → held at −3, c 0
    //   s1 A=−1 Ĥ=1: 0.2→0.5, r 2.5: min(−2.5, −1.2) = −2.5 ≥ −3 → passes, c 2.5
    // L = −(−3 − 2.5)/2 = 2.75. Both lie above hi = 1.2, so both count as outside.
    auto b =
        makeBatch({{{0.125, 0.125}, {0.5, 0.5}, -1.0, 1.0, 0.0}, {{0.2}, {0.5}, -1.0, 1.0, 0.0}});
    const auto out = SageObjective(asymClip()).compute(b.input);
    EXPECT_NEAR(out.loss.item<double>(), 2.75, kTol);
    expectValues(out.slates.coefficient, {0.0, 2.5}, "c");
    expectBranches(out, {kDual, kRatio});
    EXPECT_NEAR(out.clipLowFraction, 0.0, kTol);
    EXPECT_NEAR(out.clipHighFraction, 0.0, kTol);
    EXPECT_NEAR(out.clipRegionFraction, 1.0, kTol);
    // The dual clip counts as the negative side's active clip; there are no positives.
    EXPECT_NEAR(out.negActiveFraction, 0.5, kTol);
    EXPECT_NEAR(out.posActiveFraction, 0.0, kTol);
    // s1: −(1/2)(−1)(2.5) = 1.25.
    expectGradient(b, out.loss, {0, 0, 1.25, 0});
}

}  // namespace
}  // namespace sage
