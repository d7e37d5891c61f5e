#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "objectives/grpo_objective.h"

namespace sage {
namespace {

// Two slates of two tokens; π_old gives every token probability 0.5.
//   slate 0, A = +1, r = (1.5, 0.9): token 0 is above 1+ε and clipped, token 1 passes.
//   slate 1, A = −1, r = (0.5, 1.1): token 0 is below 1−ε and clipped, token 1 passes.
// Per-token terms min(rA, clip(r)A): (1.2, 0.9) and (−0.8, −1.1); slate means 1.05 and −0.95;
// loss = −(1.05 − 0.95)/2 = −0.05.
ObjectiveInput handBatch(torch::Tensor& logpNew) {
    const double half = std::log(0.5);
    const auto old = torch::full({2, 2}, half, torch::kFloat64);
    const auto ratios = torch::tensor({{1.5, 0.9}, {0.5, 1.1}}, torch::kFloat64);
    logpNew = (old + ratios.log()).requires_grad_(true);
    return {logpNew, old, torch::ones({2, 2}, torch::kFloat64),
            torch::tensor({1.0, -1.0}, torch::kFloat64), torch::ones({2}, torch::kFloat64),
            torch::zeros({2}, torch::kFloat64)};
}

TEST(GrpoObjective, LossMatchesHandComputation) {
    torch::Tensor logpNew;
    const auto out = GrpoObjective({0.2, 0.2, false, 3.0}).compute(handBatch(logpNew));
    EXPECT_NEAR(out.loss.item<double>(), -0.05, 1e-12);
    EXPECT_DOUBLE_EQ(out.clipLowFraction, 0.25);
    EXPECT_DOUBLE_EQ(out.clipHighFraction, 0.25);
    EXPECT_DOUBLE_EQ(out.clipRegionFraction, 0.5);
    EXPECT_NEAR(out.slates.coefficient[0].item<double>(), 0.45, 1e-12);
    EXPECT_NEAR(out.slates.coefficient[1].item<double>(), 0.55, 1e-12);
    EXPECT_EQ(out.slates.branch[0].item<int64_t>(), static_cast<int64_t>(ActiveBranch::ClipHigh));
    EXPECT_EQ(out.slates.branch[1].item<int64_t>(), static_cast<int64_t>(ActiveBranch::ClipLow));
}

TEST(GrpoObjective, GradientMatchesHandComputation) {
    torch::Tensor logpNew;
    GrpoObjective({0.2, 0.2, false, 3.0}).compute(handBatch(logpNew)).loss.backward();
    // ∂L/∂ℓ_it = −(1/N)(1/T)·r_it·A_i where the ratio passes, 0 where clipped.
    const auto expected = torch::tensor({{0.0, -0.25 * 0.9}, {0.0, 0.25 * 1.1}}, torch::kFloat64);
    EXPECT_TRUE(torch::allclose(logpNew.grad(), expected, 1e-12, 1e-12)) << logpNew.grad();
}

TEST(GrpoObjective, DualClipBoundsNegativeTerms) {
    // A = −1, r = 4: min(−4, −1.2) = −4; the dual clip lifts it to c·A = −3 (no gradient).
    const auto old = torch::zeros({1, 1}, torch::kFloat64);
    auto logpNew = torch::full({1, 1}, std::log(4.0), torch::kFloat64).requires_grad_(true);
    const ObjectiveInput in{logpNew, old, torch::ones({1, 1}, torch::kFloat64),
                            torch::tensor({-1.0}, torch::kFloat64), torch::ones({1}, torch::kFloat64),
                            torch::zeros({1}, torch::kFloat64)};
    const auto plain = GrpoObjective({0.2, 0.2, false, 3.0}).compute(in);
    EXPECT_NEAR(plain.loss.item<double>(), 4.0, 1e-12);
    const auto dual = GrpoObjective({0.2, 0.2, true, 3.0}).compute(in);
    EXPECT_NEAR(dual.loss.item<double>(), 3.0, 1e-12);
    EXPECT_EQ(dual.slates.branch[0].item<int64_t>(), static_cast<int64_t>(ActiveBranch::DualClip));
    dual.loss.backward();
    EXPECT_EQ(logpNew.grad().item<double>(), 0.0);
}

TEST(GrpoObjective, GradientMatchesFiniteDifferences) {
    torch::manual_seed(3);
    const auto old = torch::randn({4, 3}, torch::kFloat64) - 2.0;
    // Ratios away from the clip edges, where the objective is differentiable.
    const auto base = old + torch::tensor({{0.05, -0.1, 0.3}, {-0.5, 0.02, 0.1},
                                           {0.12, 0.4, -0.3}, {-0.04, 0.07, 0.0}}, torch::kFloat64);
    const auto mask = torch::tensor({{1., 1., 1.}, {1., 1., 0.}, {1., 0., 0.}, {1., 1., 1.}},
                                    torch::kFloat64);
    const auto adv = torch::tensor({1.3, -0.7, 0.4, -1.1}, torch::kFloat64);
    const GrpoObjective objective({0.2, 0.28, true, 3.0});
    auto logpNew = base.clone().requires_grad_(true);
    objective.compute({logpNew, old, mask, adv, torch::ones({4}), torch::zeros({4})}).loss.backward();
    const auto analytic = logpNew.grad();
    const double h = 1e-6;
    for (int64_t i = 0; i < base.size(0); ++i) {
        for (int64_t t = 0; t < base.size(1); ++t) {
            auto plus = base.clone();
            auto minus = base.clone();
            plus[i][t] += h;
            minus[i][t] -= h;
            const double numeric = (objective.compute({plus, old, mask, adv, torch::ones({4}), torch::zeros({4})}).loss.item<double>() -
                                    objective.compute({minus, old, mask, adv, torch::ones({4}), torch::zeros({4})}).loss.item<double>()) /
                                   (2 * h);
            EXPECT_NEAR(analytic[i][t].item<double>(), numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
                << "slate " << i << " token " << t;
        }
    }
}

TEST(GrpoObjective, FiniteForExtremeLogRatios) {
    const auto old = torch::zeros({2, 3});
    const auto logpNew = torch::tensor({{50.f, -50.f, 0.f}, {-50.f, 50.f, 1.f}}).requires_grad_(true);
    const auto out = GrpoObjective({0.2, 0.2, false, 3.0})
                         .compute({logpNew, old, torch::ones({2, 3}), torch::tensor({1.f, -1.f}),
                                   torch::ones({2}), torch::zeros({2})});
    EXPECT_TRUE(std::isfinite(out.loss.item<double>()));
    out.loss.backward();
    EXPECT_TRUE(torch::isfinite(logpNew.grad()).all().item<bool>());
}

}  // namespace
}  // namespace sage
