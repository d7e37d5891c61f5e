// The gradient each objective gives for logpNew against a central finite difference of the
// objective as SAGE.md writes it. The reference objectives below are plain double arithmetic,
// independent of the production code; stop-gradient terms (the denominators D) are computed at
// the base point and held fixed while ℓ is perturbed.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "objectives/ecpo_objective.h"
#include "objectives/gbpo_objective.h"
#include "objectives/gspo_objective.h"
#include "objectives/sage_objective.h"

namespace sage {
namespace {

constexpr double kStep = 1e-6;
constexpr double kRelTol = 1e-6;

// A batch as plain vectors, row-major [n, t].
struct PlainBatch {
    int n = 0;
    int t = 0;
    std::vector<double> logpNew, logpOld, mask;
    std::vector<double> adv, entropy, elig;

    double at(const std::vector<double>& v, int i, int k) const {
        return v[static_cast<size_t>(i * t + k)];
    }
    double tokens(int i) const {
        double s = 0;
        for (int k = 0; k < t; ++k) s += at(mask, i, k);
        return std::max(1.0, s);
    }
    double meanLog(const std::vector<double>& l, int i) const {
        double s = 0;
        for (int k = 0; k < t; ++k) s += at(l, i, k) * at(mask, i, k);
        return s / tokens(i);
    }
};

double clampTo(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }

// min(rA, clip(r, lo, hi)A), then max(·, cA) for A < 0 when the dual clip is on (c > 0).
double clipTerm(double r, double a, double lo, double hi, double dualC) {
    double term = std::min(r * a, clampTo(r, lo, hi) * a);
    if (dualC > 0 && a < 0) term = std::max(term, dualC * a);
    return term;
}

// ---- reference objectives (SAGE.md section 4) -----------------------------------------------

// 4.2: L = −(1/N) Σ min(r A, clip(r, 1−ε_low, 1+ε_high) A), r = exp(clamp(ρ, −10, 10)).
double gspoLoss(const PlainBatch& b, const std::vector<double>& l, double low, double high) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        const double r = std::exp(clampTo(b.meanLog(l, i) - b.meanLog(b.logpOld, i), -10.0, 10.0));
        sum += clipTerm(r, b.adv[i], 1 - low, 1 + high, 0.0);
    }
    return -sum / b.n;
}

// 4.3 at sequence level: D = max(sg(p̄)/(1+ε+δ), p̄_old) from `base`, r' = p̄/D.
double ecpoSequenceLoss(const PlainBatch& b, const std::vector<double>& base,
                        const std::vector<double>& l, double eps, double delta) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        const double d = std::max(std::exp(b.meanLog(base, i)) / (1 + eps + delta),
                                  std::exp(b.meanLog(b.logpOld, i)));
        sum += clipTerm(std::exp(b.meanLog(l, i)) / d, b.adv[i], 1 - eps, 1 + eps, 0.0);
    }
    return -sum / b.n;
}

// 4.3 at token level (4.6): the same per token, averaged over tokens then slates.
double ecpoTokenLoss(const PlainBatch& b, const std::vector<double>& base,
                     const std::vector<double>& l, double eps, double delta) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        double slate = 0;
        for (int k = 0; k < b.t; ++k) {
            if (b.at(b.mask, i, k) == 0) continue;
            const double d = std::max(std::exp(b.at(base, i, k)) / (1 + eps + delta),
                                      std::exp(b.at(b.logpOld, i, k)));
            slate += clipTerm(std::exp(b.at(l, i, k)) / d, b.adv[i], 1 - eps, 1 + eps, 0.0);
        }
        sum += slate / b.tokens(i);
    }
    return -sum / b.n;
}

// GBPO/SAGE denominator: max(p_old, sg(p)/Γ) for A ≥ 0, max(p_old, (1 − sg(p))/Λ) for A < 0.
double boundedDenominator(double pBase, double pOld, double a, double gamma, double lambda) {
    return a >= 0 ? std::max(pOld, pBase / gamma) : std::max(pOld, (1 - pBase) / lambda);
}

// 4.4 at sequence level: L = −(1/N) Σ p̄_i(ℓ)/D_i · A_i.
double gbpoSequenceLoss(const PlainBatch& b, const std::vector<double>& base,
                        const std::vector<double>& l) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        const double d = boundedDenominator(std::exp(b.meanLog(base, i)),
                                            std::exp(b.meanLog(b.logpOld, i)), b.adv[i], 1, 1);
        sum += std::exp(b.meanLog(l, i)) / d * b.adv[i];
    }
    return -sum / b.n;
}

// 4.4 at token level: per token p/D, averaged over tokens then slates.
double gbpoTokenLoss(const PlainBatch& b, const std::vector<double>& base,
                     const std::vector<double>& l) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        double slate = 0;
        for (int k = 0; k < b.t; ++k) {
            if (b.at(b.mask, i, k) == 0) continue;
            const double d = boundedDenominator(std::exp(b.at(base, i, k)),
                                                std::exp(b.at(b.logpOld, i, k)), b.adv[i], 1, 1);
            slate += std::exp(b.at(l, i, k)) / d * b.adv[i];
        }
        sum += slate / b.tokens(i);
    }
    return -sum / b.n;
}

struct SageParams {
    double boostEpsilon = 0.5;
    double kappa = 1.0;
    SageObjective::PenaltyShape shape = SageObjective::PenaltyShape::Linear;
    double tau = 0.5;
    bool advantageBoost = false;
};

double penaltyScale(const SageParams& p, double h) {
    switch (p.shape) {
        case SageObjective::PenaltyShape::Linear:
            return 1 + p.kappa * (1 - h);
        case SageObjective::PenaltyShape::Threshold:
            return 1 + p.kappa * std::max(0.0, p.tau - h) / p.tau;
        case SageObjective::PenaltyShape::Exp:
            return std::exp(p.kappa * (1 - h));
    }
    return 1;
}

// 4.5: L = −(1/N) Σ p̄_i(ℓ)/D_i · A_i with Γ⁺ = 1 + ε_boost·b and Λ from Ĥ; boost_form = advantage
// keeps the cap at 1 and uses Γ⁺·A for A > 0.
double sageBoundsLoss(const PlainBatch& b, const SageParams& p, const std::vector<double>& base,
                      const std::vector<double>& l) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        const double gamma = 1 + p.boostEpsilon * b.elig[i];
        const double lambda = penaltyScale(p, b.entropy[i]);
        const double a = b.adv[i];
        const double d =
            boundedDenominator(std::exp(b.meanLog(base, i)), std::exp(b.meanLog(b.logpOld, i)), a,
                               p.advantageBoost ? 1.0 : gamma, lambda);
        const double weighted = p.advantageBoost && a > 0 ? gamma * a : a;
        sum += std::exp(b.meanLog(l, i)) / d * weighted;
    }
    return -sum / b.n;
}

// 4.5 asym_clip: hi = 1+ε+ε_boost·b, lo = 1−ε for A > 0; hi = 1+ε, lo = 1−ε−ε_H(1−Ĥ) for A < 0.
struct AsymParams {
    double eps = 0.2, boostEpsilon = 0.5, entropyEps = 0.2, dualC = 3.0;
};
void asymRange(const AsymParams& p, double a, double b, double h, double& lo, double& hi) {
    hi = a > 0 ? 1 + p.eps + p.boostEpsilon * b : 1 + p.eps;
    lo = a < 0 ? 1 - p.eps - p.entropyEps * (1 - h) : 1 - p.eps;
}
double asymLoss(const PlainBatch& b, const AsymParams& p, const std::vector<double>& l) {
    double sum = 0;
    for (int i = 0; i < b.n; ++i) {
        double lo, hi;
        asymRange(p, b.adv[i], b.elig[i], b.entropy[i], lo, hi);
        const double r = std::exp(clampTo(b.meanLog(l, i) - b.meanLog(b.logpOld, i), -10.0, 10.0));
        sum += clipTerm(r, b.adv[i], lo, hi, p.dualC);
    }
    return -sum / b.n;
}

// ---- harness --------------------------------------------------------------------------------

// Random batch: N in [3, 6], T in [1, 4], slate lengths in [1, T], log p_old in [−3, −0.05],
// log p = log p_old + U(−spread, spread) kept ≤ −0.01, advantages in [−2, 2], Ĥ in [0, 1],
// b in {0, 1, U(0, 1)}. Padding holds garbage that must not matter.
PlainBatch randomBatch(std::mt19937& rng, double spread) {
    std::uniform_int_distribution<int> nDist(3, 6), tDist(1, 4);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    PlainBatch b;
    b.n = nDist(rng);
    b.t = tDist(rng);
    const auto size = static_cast<size_t>(b.n * b.t);
    b.logpNew.resize(size);
    b.logpOld.resize(size);
    b.mask.resize(size);
    for (int i = 0; i < b.n; ++i) {
        const int len = std::uniform_int_distribution<int>(1, b.t)(rng);
        for (int k = 0; k < b.t; ++k) {
            const auto at = static_cast<size_t>(i * b.t + k);
            const double old = -0.05 - 2.95 * u(rng);
            b.logpOld[at] = old;
            b.logpNew[at] = std::min(old + spread * (2 * u(rng) - 1), -0.01);
            b.mask[at] = k < len ? 1.0 : 0.0;
            if (k >= len) b.logpNew[at] = -5.0 * u(rng);
        }
        b.adv.push_back(4 * u(rng) - 2);
        b.entropy.push_back(u(rng));
        const double pick = u(rng);
        b.elig.push_back(pick < 0.35 ? 0.0 : pick < 0.7 ? 1.0 : u(rng));
    }
    return b;
}

torch::Tensor toTensor(const std::vector<double>& v, std::vector<int64_t> shape) {
    return torch::tensor(v, torch::kFloat64).reshape(shape);
}

struct Coverage {
    int passing = 0;  // elements whose gradient flows
    int blocked = 0;  // elements a clip held (zero gradient)
};

// Autograd gradient of `objective` against the finite difference of `reference` (whose `base`
// argument is the point the stop-gradient terms are read at); also the loss value at the base.
void checkGradient(
    const PolicyObjective& objective, const PlainBatch& b,
    const std::function<double(const std::vector<double>&, const std::vector<double>&)>& reference,
    const std::string& label, Coverage* coverage = nullptr) {
    auto logpNew = toTensor(b.logpNew, {b.n, b.t}).requires_grad_(true);
    const ObjectiveInput in{logpNew,
                            toTensor(b.logpOld, {b.n, b.t}),
                            toTensor(b.mask, {b.n, b.t}),
                            toTensor(b.adv, {b.n}),
                            toTensor(b.entropy, {b.n}),
                            toTensor(b.elig, {b.n})};
    const auto out = objective.compute(in);
    const double expectedValue = reference(b.logpNew, b.logpNew);
    EXPECT_NEAR(out.loss.item<double>(), expectedValue,
                1e-12 * std::max(1.0, std::abs(expectedValue)))
        << label << ": loss value";
    out.loss.backward();
    const auto grad = logpNew.grad().contiguous();
    const double* g = grad.data_ptr<double>();
    for (int i = 0; i < b.n; ++i) {
        bool flows = false;
        for (int k = 0; k < b.t; ++k) {
            const auto at = static_cast<size_t>(i * b.t + k);
            if (b.mask[at] == 0) {
                EXPECT_EQ(g[at], 0.0) << label << ": padding slate " << i << " token " << k;
                continue;
            }
            auto plus = b.logpNew;
            auto minus = b.logpNew;
            plus[at] += kStep;
            minus[at] -= kStep;
            const double numeric =
                (reference(b.logpNew, plus) - reference(b.logpNew, minus)) / (2 * kStep);
            EXPECT_NEAR(g[at], numeric, kRelTol * std::max(std::abs(numeric), 1e-3))
                << label << ": slate " << i << " token " << k;
            flows = flows || g[at] != 0.0;
        }
        if (coverage != nullptr && b.adv[static_cast<size_t>(i)] != 0.0)
            (flows ? coverage->passing : coverage->blocked)++;
    }
}

// True when some slate's sequence ratio lies within `gap` of one of `kinks` (or of the ±10 clamp),
// where the finite difference would straddle a kink.
bool nearSequenceKink(const PlainBatch& b, const std::function<std::vector<double>(int)>& kinks,
                      double gap = 1e-4) {
    for (int i = 0; i < b.n; ++i) {
        const double rho = b.meanLog(b.logpNew, i) - b.meanLog(b.logpOld, i);
        if (std::abs(std::abs(rho) - 10.0) < gap) return true;
        for (double k : kinks(i))
            if (std::abs(std::exp(rho) - k) < gap) return true;
    }
    return false;
}

constexpr int kCases = 25;

// ---- GSPO -----------------------------------------------------------------------------------

TEST(ObjectiveGradient, GspoMatchesFiniteDifferences) {
    std::mt19937 rng(101);
    const double low = 0.2, high = 0.28;  // asymmetric, so a swapped bound shows
    const GspoObjective objective(low, high);
    Coverage coverage;
    int checked = 0;
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.8);
        if (nearSequenceKink(b, [&](int) { return std::vector<double>{1 - low, 1 + high}; }))
            continue;
        checkGradient(
            objective, b,
            [&](const std::vector<double>&, const std::vector<double>& l) {
                return gspoLoss(b, l, low, high);
            },
            "gspo case " + std::to_string(c), &coverage);
        ++checked;
    }
    EXPECT_GE(checked, kCases - 3);
    EXPECT_GT(coverage.passing, 0);
    EXPECT_GT(coverage.blocked, 0);
}

// ---- ECPO -----------------------------------------------------------------------------------

TEST(ObjectiveGradient, EcpoSequenceMatchesFiniteDifferences) {
    std::mt19937 rng(202);
    const double eps = 0.2, delta = 0.1;
    const EcpoObjective objective(eps, delta, RatioLevel::Sequence);
    Coverage coverage;
    int checked = 0;
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.8);
        // r' = min(r, 1+ε+δ): kinks at r = 1 ± ε and at 1+ε+δ where D switches.
        if (nearSequenceKink(b, [&](int) {
                return std::vector<double>{1 - eps, 1 + eps, 1 + eps + delta};
            }))
            continue;
        checkGradient(
            objective, b,
            [&](const std::vector<double>& base, const std::vector<double>& l) {
                return ecpoSequenceLoss(b, base, l, eps, delta);
            },
            "ecpo/sequence case " + std::to_string(c), &coverage);
        ++checked;
    }
    EXPECT_GE(checked, kCases - 3);
    EXPECT_GT(coverage.passing, 0);
    EXPECT_GT(coverage.blocked, 0);
}

TEST(ObjectiveGradient, EcpoTokenMatchesFiniteDifferences) {
    std::mt19937 rng(303);
    const double eps = 0.2, delta = 0.1;
    const EcpoObjective objective(eps, delta, RatioLevel::Token);
    Coverage coverage;
    int checked = 0;
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.6);
        bool kink = false;
        for (size_t at = 0; at < b.mask.size(); ++at) {
            const double r = std::exp(b.logpNew[at] - b.logpOld[at]);
            for (double k : {1 - eps, 1 + eps, 1 + eps + delta})
                kink = kink || (b.mask[at] > 0 && std::abs(r - k) < 1e-4);
        }
        if (kink) continue;
        checkGradient(
            objective, b,
            [&](const std::vector<double>& base, const std::vector<double>& l) {
                return ecpoTokenLoss(b, base, l, eps, delta);
            },
            "ecpo/token case " + std::to_string(c), &coverage);
        ++checked;
    }
    EXPECT_GE(checked, kCases - 3);
    EXPECT_GT(coverage.passing, 0);
    EXPECT_GT(coverage.blocked, 0);
}

// ---- GBPO -----------------------------------------------------------------------------------
// With D held fixed the objective is smooth in ℓ: no kinks to avoid.

TEST(ObjectiveGradient, GbpoSequenceMatchesFiniteDifferences) {
    std::mt19937 rng(404);
    const GbpoObjective objective(RatioLevel::Sequence);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.8);
        checkGradient(
            objective, b,
            [&](const std::vector<double>& base, const std::vector<double>& l) {
                return gbpoSequenceLoss(b, base, l);
            },
            "gbpo/sequence case " + std::to_string(c));
    }
}

TEST(ObjectiveGradient, GbpoTokenMatchesFiniteDifferences) {
    std::mt19937 rng(505);
    const GbpoObjective objective(RatioLevel::Token);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.8);
        checkGradient(
            objective, b,
            [&](const std::vector<double>& base, const std::vector<double>& l) {
                return gbpoTokenLoss(b, base, l);
            },
            "gbpo/token case " + std::to_string(c));
    }
}

// ---- SAGE -----------------------------------------------------------------------------------

void checkSage(const SageParams& p, unsigned seed, const std::string& label) {
    SageObjective::Options o;
    o.boostEpsilon = p.boostEpsilon;
    o.kappa = p.kappa;
    o.penaltyShape = p.shape;
    o.penaltyTau = p.tau;
    o.form = SageObjective::Form::GbpoBounds;
    o.boostForm =
        p.advantageBoost ? SageObjective::BoostForm::Advantage : SageObjective::BoostForm::Bound;
    const SageObjective objective(o);
    std::mt19937 rng(seed);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 0.8);
        checkGradient(
            objective, b,
            [&](const std::vector<double>& base, const std::vector<double>& l) {
                return sageBoundsLoss(b, p, base, l);
            },
            label + " case " + std::to_string(c));
    }
}

TEST(ObjectiveGradient, SageLinearBoundMatchesFiniteDifferences) {
    checkSage({0.5, 1.0, SageObjective::PenaltyShape::Linear, 0.5, false}, 606,
              "sage/linear/bound");
}

TEST(ObjectiveGradient, SageThresholdBoundMatchesFiniteDifferences) {
    checkSage({0.5, 1.5, SageObjective::PenaltyShape::Threshold, 0.6, false}, 607,
              "sage/threshold/bound");
}

TEST(ObjectiveGradient, SageExpBoundMatchesFiniteDifferences) {
    checkSage({0.3, 0.8, SageObjective::PenaltyShape::Exp, 0.5, false}, 608, "sage/exp/bound");
}

TEST(ObjectiveGradient, SageAdvantageBoostMatchesFiniteDifferences) {
    checkSage({0.5, 1.0, SageObjective::PenaltyShape::Linear, 0.5, true}, 609,
              "sage/linear/advantage");
    checkSage({0.7, 2.0, SageObjective::PenaltyShape::Exp, 0.5, true}, 610, "sage/exp/advantage");
    checkSage({0.4, 1.0, SageObjective::PenaltyShape::Threshold, 0.3, true}, 611,
              "sage/threshold/advantage");
}

TEST(ObjectiveGradient, SageAsymClipMatchesFiniteDifferences) {
    std::mt19937 rng(707);
    SageObjective::Options o;
    o.form = SageObjective::Form::AsymClip;
    o.boostEpsilon = 0.5;
    o.clipEpsilon = 0.2;
    o.entropyClipEpsilon = 0.25;
    o.dualClipC = 1.8;  // low enough that the random ratios reach it
    const AsymParams p{0.2, 0.5, 0.25, 1.8};
    const SageObjective objective(o);
    Coverage coverage;
    int checked = 0;
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng, 1.2);
        const auto kinks = [&](int i) {
            double lo, hi;
            asymRange(p, b.adv[i], b.elig[i], b.entropy[i], lo, hi);
            return std::vector<double>{lo, hi, p.dualC};
        };
        if (nearSequenceKink(b, kinks)) continue;
        checkGradient(
            objective, b,
            [&](const std::vector<double>&, const std::vector<double>& l) {
                return asymLoss(b, p, l);
            },
            "sage/asym_clip case " + std::to_string(c), &coverage);
        ++checked;
    }
    EXPECT_GE(checked, kCases - 3);
    EXPECT_GT(coverage.passing, 0);
    EXPECT_GT(coverage.blocked, 0);
}

}  // namespace
}  // namespace sage
