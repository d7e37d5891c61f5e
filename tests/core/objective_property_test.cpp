// Properties every objective must keep on any batch (fixed seeds, 200 random cases each), and
// numerics at the edges: extreme log-ratios, probabilities near 0 and 1, one-token slates and
// tied groups.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "objectives/ecpo_objective.h"
#include "objectives/gbpo_objective.h"
#include "objectives/grpo_objective.h"
#include "objectives/gspo_objective.h"
#include "objectives/sage_objective.h"
#include "rewards/advantage_estimator.h"

namespace sage {
namespace {

constexpr int kCases = 200;

struct Batch {
    torch::Tensor logpNew, logpOld, mask, adv, entropy, elig;
    ObjectiveInput input(torch::Tensor* leaf = nullptr) const {
        auto l = logpNew.clone();
        if (leaf != nullptr) {
            l.requires_grad_(true);
            *leaf = l;
        }
        return {l, logpOld, mask, adv, entropy, elig};
    }
};

// Random N in [1, 12], T in [1, 5], log p_old in [−6, −1e-6], log-ratios within ±spread with
// spread up to 3, a fifth of the advantages exactly 0, Ĥ in [0, 1], b binary or in [0, 1].
Batch randomBatch(std::mt19937& rng) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int64_t n = std::uniform_int_distribution<int64_t>(1, 12)(rng);
    const int64_t t = std::uniform_int_distribution<int64_t>(1, 5)(rng);
    const double spread = 3.0 * u(rng);
    const bool fractional = u(rng) < 0.5;
    std::vector<double> logNew, logOld, mask, adv, entropy, elig;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t len = std::uniform_int_distribution<int64_t>(1, t)(rng);
        for (int64_t k = 0; k < t; ++k) {
            const double old = -1e-6 - 6.0 * u(rng);
            logOld.push_back(old);
            logNew.push_back(std::min(old + spread * (2 * u(rng) - 1), 0.0));
            mask.push_back(k < len ? 1.0 : 0.0);
        }
        adv.push_back(u(rng) < 0.2 ? 0.0 : 4 * u(rng) - 2);
        entropy.push_back(u(rng));
        elig.push_back(fractional ? u(rng) : (u(rng) < 0.5 ? 0.0 : 1.0));
    }
    const auto f64 = torch::kFloat64;
    return {torch::tensor(logNew, f64).view({n, t}),
            torch::tensor(logOld, f64).view({n, t}),
            torch::tensor(mask, f64).view({n, t}),
            torch::tensor(adv, f64),
            torch::tensor(entropy, f64),
            torch::tensor(elig, f64)};
}

// Independent per-slate quantities in double: mean log-probabilities over the real tokens.
struct Plain {
    std::vector<double> meanNew, meanOld, adv, entropy, elig;
};
Plain plain(const Batch& b) {
    Plain p;
    const auto n = b.logpNew.size(0), t = b.logpNew.size(1);
    for (int64_t i = 0; i < n; ++i) {
        double sn = 0, so = 0, count = 0;
        for (int64_t k = 0; k < t; ++k) {
            const double m = b.mask[i][k].item<double>();
            sn += m * b.logpNew[i][k].item<double>();
            so += m * b.logpOld[i][k].item<double>();
            count += m;
        }
        p.meanNew.push_back(sn / count);
        p.meanOld.push_back(so / count);
        p.adv.push_back(b.adv[i].item<double>());
        p.entropy.push_back(b.entropy[i].item<double>());
        p.elig.push_back(b.elig[i].item<double>());
    }
    return p;
}

double lambdaOf(SageObjective::PenaltyShape shape, double kappa, double tau, double h) {
    switch (shape) {
        case SageObjective::PenaltyShape::Linear:
            return 1 + kappa * (1 - h);
        case SageObjective::PenaltyShape::Threshold:
            return 1 + kappa * std::max(0.0, tau - h) / tau;
        case SageObjective::PenaltyShape::Exp:
            return std::exp(kappa * (1 - h));
    }
    return 1;
}

const std::vector<SageObjective::PenaltyShape> kShapes{SageObjective::PenaltyShape::Linear,
                                                       SageObjective::PenaltyShape::Threshold,
                                                       SageObjective::PenaltyShape::Exp};
const std::vector<SageObjective::BoostForm> kBoostForms{SageObjective::BoostForm::Bound,
                                                        SageObjective::BoostForm::Advantage};

SageObjective::Options sageOptions(SageObjective::PenaltyShape shape,
                                   SageObjective::BoostForm boost, double boostEpsilon = 0.5,
                                   double kappa = 1.0, double tau = 0.5) {
    SageObjective::Options o;
    o.boostEpsilon = boostEpsilon;
    o.kappa = kappa;
    o.penaltyShape = shape;
    o.penaltyTau = tau;
    o.boostForm = boost;
    return o;
}

SageObjective::Options asymOptions(double boostEpsilon = 0.5, double entropyEpsilon = 0.2) {
    SageObjective::Options o;
    o.form = SageObjective::Form::AsymClip;
    o.boostEpsilon = boostEpsilon;
    o.entropyClipEpsilon = entropyEpsilon;
    return o;
}

// Relative slack for comparisons of exp() of values up to ~20 in magnitude.
bool leq(double a, double b) { return a <= b * (1 + 1e-12) + 1e-300; }

// ---- caps ------------------------------------------------------------------------------------

TEST(ObjectiveProperty, GbpoCoefficientsStayWithinTheirCaps) {
    std::mt19937 rng(21);
    const GbpoObjective sequence(RatioLevel::Sequence);
    const GbpoObjective token(RatioLevel::Token);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng);
        const auto p = plain(b);
        const auto out = sequence.compute(b.input());
        ASSERT_TRUE(std::isfinite(out.loss.item<double>())) << "case " << c;
        for (size_t i = 0; i < p.adv.size(); ++i) {
            const auto at = static_cast<int64_t>(i);
            const double coef = out.slates.coefficient[at].item<double>();
            const double r = std::exp(p.meanNew[i] - p.meanOld[i]);
            const double pbar = std::exp(p.meanNew[i]);
            // c = min(r, 1) for A ≥ 0, min(r, p̄/(1−p̄)) for A < 0.
            const double cap = p.adv[i] >= 0 ? 1.0 : pbar / (1 - pbar);
            EXPECT_TRUE(leq(coef, cap))
                << "case " << c << " slate " << i << ": c " << coef << " cap " << cap;
            EXPECT_TRUE(leq(coef, r))
                << "case " << c << " slate " << i << ": c " << coef << " r " << r;
            EXPECT_NEAR(coef, std::min(r, cap), 1e-12 * std::max(1.0, coef))
                << "case " << c << " slate " << i;
        }
        const auto tok = token.compute(b.input());
        ASSERT_TRUE(std::isfinite(tok.loss.item<double>())) << "case " << c;
        // Token level: the slate's c is the mean of per-token min(r_t, cap_t) ≤ the token cap's
        // mean.
        const auto tokenRatio = (b.logpNew - b.logpOld).exp();
        const auto meanRatio = (tokenRatio * b.mask).sum(1) / b.mask.sum(1);
        for (size_t i = 0; i < p.adv.size(); ++i) {
            const auto at = static_cast<int64_t>(i);
            const double coef = tok.slates.coefficient[at].item<double>();
            EXPECT_TRUE(leq(coef, meanRatio[at].item<double>())) << "case " << c << " slate " << i;
            const double cap = p.adv[i] >= 0 ? 1.0 : tok.slates.negCap[at].item<double>();
            EXPECT_TRUE(leq(coef, cap))
                << "case " << c << " slate " << i << ": c " << coef << " cap " << cap;
        }
    }
}

TEST(ObjectiveProperty, SageCoefficientsStayWithinTheirCaps) {
    std::mt19937 rng(22);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng);
        const auto p = plain(b);
        const auto shape = kShapes[static_cast<size_t>(c) % 3];
        const auto boostForm = kBoostForms[static_cast<size_t>(c / 3) % 2];
        const double boostEpsilon = u(rng), kappa = 3 * u(rng), tau = 0.05 + 0.95 * u(rng);
        const auto out = SageObjective(sageOptions(shape, boostForm, boostEpsilon, kappa, tau))
                             .compute(b.input());
        ASSERT_TRUE(std::isfinite(out.loss.item<double>())) << "case " << c;
        for (size_t i = 0; i < p.adv.size(); ++i) {
            const auto at = static_cast<int64_t>(i);
            const double coef = out.slates.coefficient[at].item<double>();
            const double r = std::exp(p.meanNew[i] - p.meanOld[i]);
            const double pbar = std::exp(p.meanNew[i]);
            const double gamma = 1 + boostEpsilon * p.elig[i];
            const double lambda = lambdaOf(shape, kappa, tau, p.entropy[i]);
            const double cap = p.adv[i] >= 0
                                   ? (boostForm == SageObjective::BoostForm::Bound ? gamma : 1.0)
                                   : lambda * pbar / (1 - pbar);
            const std::string where = "case " + std::to_string(c) + " slate " + std::to_string(i);
            EXPECT_TRUE(leq(coef, p.adv[i] >= 0 ? gamma : lambda * pbar / (1 - pbar))) << where;
            EXPECT_TRUE(leq(coef, cap)) << where << ": c " << coef << " cap " << cap;
            EXPECT_TRUE(leq(coef, r)) << where << ": c " << coef << " r " << r;
            EXPECT_NEAR(coef, std::min(r, cap), 1e-12 * std::max(1.0, coef)) << where;
            EXPECT_NEAR(out.slates.posCap[at].item<double>(), gamma, 1e-12) << where;
            EXPECT_NEAR(out.slates.negScale[at].item<double>(), lambda, 1e-12) << where;
        }
    }
}

TEST(ObjectiveProperty, ClipCoefficientsAreRatioOrZero) {
    // Clip objectives pass r (or r' for ECPO) or nothing; r' never exceeds 1 + ε + δ.
    std::mt19937 rng(23);
    const GspoObjective gspo(0.2, 0.2);
    const EcpoObjective ecpo(0.2, 0.1, RatioLevel::Sequence);
    const SageObjective asym(asymOptions());
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng);
        for (const PolicyObjective* objective : std::vector<const PolicyObjective*>{&gspo, &asym}) {
            const auto out = objective->compute(b.input());
            ASSERT_TRUE(std::isfinite(out.loss.item<double>()));
            const auto passing = out.slates.coefficient.ne(0);
            EXPECT_TRUE(torch::allclose(out.slates.coefficient.masked_select(passing),
                                        out.slates.ratio.masked_select(passing), 1e-12, 0))
                << objective->name() << " case " << c;
        }
        const auto out = ecpo.compute(b.input());
        ASSERT_TRUE(std::isfinite(out.loss.item<double>()));
        EXPECT_TRUE(out.slates.coefficient.le(1.3 + 1e-12).all().item<bool>()) << "ecpo case " << c;
        EXPECT_TRUE(leq(out.clipRegionFraction, 1.0) && out.clipRegionFraction >= 0.0);
    }
}

TEST(ObjectiveProperty, CoefficientNeverExceedsTheClampedRatio) {
    // SAGE.md 2 and 4.4/4.5: r_i = exp(clamp(ρ_i, −10, 10)) and c_i = min(r_i, cap_i), so c ≤ r
    // holds for any log-ratio, including a negative slate whose p̄ rose to (nearly) 1, where the
    // cap Λ·p̄/(1 − p̄) is huge or infinite and r alone must bound c.
    const auto b = [] {
        Batch x;
        const auto f64 = torch::kFloat64;
        x.logpOld = torch::tensor({{-30.0}, {-50.0}, {-25.0}, {-12.0}}, f64);
        x.logpNew = torch::tensor({{-1e-9}, {0.0}, {-0.5}, {-1e-12}}, f64);
        x.mask = torch::ones({4, 1}, f64);
        x.adv = torch::tensor({-1.0, -1.0, -1.0, -0.5}, f64);
        x.entropy = torch::tensor({0.0, 0.5, 1.0, 0.2}, f64);
        x.elig = torch::zeros({4}, f64);
        return x;
    }();
    std::vector<std::pair<std::string, std::unique_ptr<PolicyObjective>>> objectives;
    objectives.emplace_back("gbpo/sequence", std::make_unique<GbpoObjective>(RatioLevel::Sequence));
    for (const auto shape : kShapes)
        objectives.emplace_back(
            "sage/shape" + std::to_string(static_cast<int>(shape)),
            std::make_unique<SageObjective>(sageOptions(shape, kBoostForms[0])));
    for (const auto& [name, objective] : objectives) {
        const auto out = objective->compute(b.input());
        for (int64_t i = 0; i < 4; ++i) {
            const double coef = out.slates.coefficient[i].item<double>();
            const double r = out.slates.ratio[i].item<double>();
            EXPECT_TRUE(leq(coef, r))
                << name << " slate " << i << ": ρ " << out.slates.logRatio[i].item<double>()
                << ", c " << coef << " > r " << r;
        }
    }
}

// ---- boost and penalty act only in their direction ---------------------------------------------

TEST(ObjectiveProperty, BoostNeverLowersAPositiveCoefficient) {
    std::mt19937 rng(24);
    for (int c = 0; c < kCases; ++c) {
        auto b = randomBatch(rng);
        const auto positive = b.adv.gt(0);
        const auto shape = kShapes[static_cast<size_t>(c) % 3];
        for (const auto boostForm : kBoostForms) {
            // b = 0 against b = 1 under ε_boost = 0.5 ...
            const SageObjective objective(sageOptions(shape, boostForm));
            auto without = b;
            without.elig = torch::zeros_like(b.elig);
            auto with = b;
            with.elig = torch::ones_like(b.elig);
            const auto c0 = objective.compute(without.input()).slates.coefficient;
            const auto c1 = objective.compute(with.input()).slates.coefficient;
            EXPECT_TRUE(c1.ge(c0 - 1e-15).masked_select(positive).all().item<bool>())
                << "case " << c << "\n"
                << c0 << c1;
            // ... and ε_boost = 0 against 0.5 at the batch's own b.
            const auto e0 = SageObjective(sageOptions(shape, boostForm, 0.0))
                                .compute(b.input())
                                .slates.coefficient;
            const auto e1 = SageObjective(sageOptions(shape, boostForm, 0.5))
                                .compute(b.input())
                                .slates.coefficient;
            EXPECT_TRUE(e1.ge(e0 - 1e-15).masked_select(positive).all().item<bool>())
                << "case " << c;
            // Negatives do not see the boost.
            EXPECT_TRUE(torch::equal(e1.masked_select(b.adv.lt(0)), e0.masked_select(b.adv.lt(0))));
        }
        // asym_clip: the boost raises hi, so fewer positives are clipped.
        const auto a0 = SageObjective(asymOptions(0.0)).compute(b.input()).slates.coefficient;
        const auto a1 = SageObjective(asymOptions(0.5)).compute(b.input()).slates.coefficient;
        EXPECT_TRUE(a1.ge(a0).masked_select(positive).all().item<bool>()) << "asym case " << c;
    }
}

TEST(ObjectiveProperty, LowerListEntropyNeverLowersANegativeCoefficient) {
    std::mt19937 rng(25);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int c = 0; c < kCases; ++c) {
        const auto b = randomBatch(rng);
        const auto negative = b.adv.lt(0);
        auto lower = b;
        lower.entropy = b.entropy * torch::rand_like(b.entropy);  // Ĥ' ≤ Ĥ slate by slate
        if (c % 10 == 0) lower.entropy = torch::zeros_like(b.entropy);
        const double kappa = 3 * u(rng), tau = 0.05 + 0.95 * u(rng);
        for (const auto shape : kShapes) {
            const SageObjective objective(
                sageOptions(shape, kBoostForms[static_cast<size_t>(c) % 2], 0.5, kappa, tau));
            const auto c0 = objective.compute(b.input()).slates.coefficient;
            const auto c1 = objective.compute(lower.input()).slates.coefficient;
            EXPECT_TRUE(c1.ge(c0 * (1 - 1e-14)).masked_select(negative).all().item<bool>())
                << "shape " << static_cast<int>(shape) << " case " << c << "\n"
                << c0 << c1;
            // Positives do not see the entropy.
            EXPECT_TRUE(torch::equal(c1.masked_select(negative.logical_not()),
                                     c0.masked_select(negative.logical_not())));
        }
        // asym_clip: a lower Ĥ lowers lo, so fewer negatives are clipped.
        const SageObjective asym(asymOptions());
        const auto a0 = asym.compute(b.input()).slates.coefficient;
        const auto a1 = asym.compute(lower.input()).slates.coefficient;
        EXPECT_TRUE(a1.ge(a0).masked_select(negative).all().item<bool>()) << "asym case " << c;
    }
}

TEST(ObjectiveProperty, PaddingValuesDoNotMatter) {
    // Whatever sits under a zero mask (finite) changes neither loss, gradient nor diagnostics.
    std::mt19937 rng(26);
    std::vector<std::unique_ptr<PolicyObjective>> objectives;
    objectives.push_back(
        std::make_unique<GrpoObjective>(GrpoObjective::Options{0.2, 0.2, true, 3.0}));
    objectives.push_back(std::make_unique<GspoObjective>(0.2, 0.2));
    objectives.push_back(std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Token));
    objectives.push_back(std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Sequence));
    objectives.push_back(std::make_unique<GbpoObjective>(RatioLevel::Token));
    objectives.push_back(std::make_unique<GbpoObjective>(RatioLevel::Sequence));
    objectives.push_back(std::make_unique<SageObjective>(sageOptions(kShapes[0], kBoostForms[0])));
    objectives.push_back(std::make_unique<SageObjective>(asymOptions()));
    for (int c = 0; c < 50; ++c) {
        const auto b = randomBatch(rng);
        auto garbage = b;
        const auto pad = b.mask.eq(0);
        garbage.logpNew = torch::where(pad, -40.0 * torch::rand_like(b.logpNew), b.logpNew);
        garbage.logpOld = torch::where(pad, -40.0 * torch::rand_like(b.logpOld), b.logpOld);
        for (const auto& objective : objectives) {
            torch::Tensor l0, l1;
            const auto o0 = objective->compute(b.input(&l0));
            const auto o1 = objective->compute(garbage.input(&l1));
            EXPECT_NEAR(o0.loss.item<double>(), o1.loss.item<double>(), 1e-12)
                << objective->name() << " case " << c;
            o0.loss.backward();
            o1.loss.backward();
            EXPECT_TRUE(torch::allclose(l0.grad(), l1.grad(), 1e-12, 1e-12))
                << objective->name() << " case " << c;
            EXPECT_TRUE(l1.grad().masked_select(pad).eq(0).all().item<bool>()) << objective->name();
            EXPECT_TRUE(
                torch::allclose(o0.slates.coefficient, o1.slates.coefficient, 1e-12, 1e-12));
            EXPECT_TRUE(torch::equal(o0.slates.branch, o1.slates.branch))
                << objective->name() << " case " << c;
            EXPECT_DOUBLE_EQ(o0.clipRegionFraction, o1.clipRegionFraction) << objective->name();
            EXPECT_DOUBLE_EQ(o0.posActiveFraction, o1.posActiveFraction) << objective->name();
            EXPECT_DOUBLE_EQ(o0.negActiveFraction, o1.negActiveFraction) << objective->name();
        }
    }
}

// ---- numerics --------------------------------------------------------------------------------

struct Named {
    std::string name;
    std::unique_ptr<PolicyObjective> objective;
};

std::vector<Named> everyObjective() {
    std::vector<Named> all;
    all.push_back(
        {"grpo", std::make_unique<GrpoObjective>(GrpoObjective::Options{0.2, 0.2, false, 3.0})});
    all.push_back({"grpo/dual",
                   std::make_unique<GrpoObjective>(GrpoObjective::Options{0.2, 0.2, true, 3.0})});
    all.push_back({"gspo", std::make_unique<GspoObjective>(3e-4, 4e-4)});
    all.push_back({"ecpo/token", std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Token)});
    all.push_back(
        {"ecpo/sequence", std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Sequence)});
    all.push_back({"gbpo/token", std::make_unique<GbpoObjective>(RatioLevel::Token)});
    all.push_back({"gbpo/sequence", std::make_unique<GbpoObjective>(RatioLevel::Sequence)});
    for (const auto shape : kShapes)
        for (const auto boost : kBoostForms)
            all.push_back({"sage/shape" + std::to_string(static_cast<int>(shape)) + "/boost" +
                               std::to_string(static_cast<int>(boost)),
                           std::make_unique<SageObjective>(sageOptions(shape, boost))});
    all.push_back({"sage/asym_clip", std::make_unique<SageObjective>(asymOptions())});
    return all;
}

struct EdgeSlate {
    std::vector<double> logOld, logNew;
    double advantage;
    double entropy;
    double eligibility;
};

Batch edgeBatch(const std::vector<EdgeSlate>& slates, torch::ScalarType type) {
    const auto n = static_cast<int64_t>(slates.size());
    int64_t t = 0;
    for (const auto& s : slates) t = std::max<int64_t>(t, static_cast<int64_t>(s.logOld.size()));
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    Batch b{torch::zeros({n, t}, opts), torch::zeros({n, t}, opts), torch::zeros({n, t}, opts),
            torch::zeros({n}, opts),    torch::zeros({n}, opts),    torch::zeros({n}, opts)};
    for (int64_t i = 0; i < n; ++i) {
        const auto& s = slates[static_cast<size_t>(i)];
        for (size_t k = 0; k < s.logOld.size(); ++k) {
            b.logpOld[i][static_cast<int64_t>(k)] = s.logOld[k];
            b.logpNew[i][static_cast<int64_t>(k)] = s.logNew[k];
            b.mask[i][static_cast<int64_t>(k)] = 1.0;
        }
        b.adv[i] = s.advantage;
        b.entropy[i] = s.entropy;
        b.elig[i] = s.eligibility;
    }
    for (auto* x : {&b.logpNew, &b.logpOld, &b.mask, &b.adv, &b.entropy, &b.elig}) *x = x->to(type);
    return b;
}

bool finite(const at::Tensor& x) {
    return x.is_floating_point() ? torch::isfinite(x).all().item<bool>() : true;
}

void expectFiniteEverywhere(const std::vector<EdgeSlate>& slates, const std::string& scenario) {
    for (const auto type : {torch::kFloat64, torch::kFloat32}) {
        const auto b = edgeBatch(slates, type);
        for (const auto& [name, objective] : everyObjective()) {
            const std::string label =
                scenario + " / " + name + (type == torch::kFloat32 ? " / f32" : " / f64");
            torch::Tensor leaf;
            const auto out = objective->compute(b.input(&leaf));
            EXPECT_TRUE(std::isfinite(out.loss.item<double>())) << label << ": loss " << out.loss;
            out.loss.backward();
            EXPECT_TRUE(finite(leaf.grad())) << label << ": gradient\n" << leaf.grad();
            const auto& d = out.slates;
            const std::vector<std::pair<const char*, at::Tensor>> fields{
                {"logRatio", d.logRatio},
                {"ratio", d.ratio},
                {"pbarOld", d.pbarOld},
                {"pbarNew", d.pbarNew},
                {"denominator", d.denominator},
                {"coefficient", d.coefficient},
                {"posCap", d.posCap},
                {"negScale", d.negScale},
                {"negCap", d.negCap}};
            for (const auto& [field, value] : fields)
                EXPECT_TRUE(finite(value)) << label << ": " << field << "\n" << value;
            EXPECT_TRUE(d.coefficient.ge(0).all().item<bool>()) << label;
            for (const double share :
                 {out.clipLowFraction, out.clipHighFraction, out.clipRegionFraction,
                  out.posActiveFraction, out.negActiveFraction})
                EXPECT_TRUE(std::isfinite(share) && share >= 0.0 && share <= 1.0)
                    << label << ": share " << share;
        }
    }
}

TEST(ObjectiveNumerics, FiniteForLogRatiosOfFifty) {
    expectFiniteEverywhere(
        {{{-50.2, -50.2}, {-0.2, -0.2}, 1.0, 0.5, 1.0},   // ρ = +50, A > 0
         {{-0.3}, {-50.3}, -1.0, 0.0, 0.0},               // ρ = −50, A < 0
         {{-50.2}, {-0.2}, -1.0, 0.0, 0.0},               // ρ = +50, A < 0
         {{-0.3, -0.3}, {-50.3, -50.3}, 1.0, 1.0, 1.0},   // ρ = −50, A > 0
         {{-50.5, -0.5}, {-0.5, -50.5}, -1.0, 0.2, 0.0},  // token ratios ±50, ρ = 0
         {{-50.5, -0.5}, {-0.5, -50.5}, 1.0, 0.2, 1.0}},
        "log-ratio ±50");
}

TEST(ObjectiveNumerics, FiniteForProbabilitiesNearZero) {
    expectFiniteEverywhere({{{-30.0, -30.0}, {-30.5, -29.9}, 1.0, 0.5, 1.0},
                            {{-30.0}, {-29.5}, -1.0, 0.0, 0.0},
                            {{-30.0, -30.0, -30.0}, {-30.0, -30.0, -30.0}, -2.0, 1.0, 0.0},
                            {{-29.0}, {-31.0}, 0.5, 0.3, 1.0}},
                           "p near 0");
}

TEST(ObjectiveNumerics, FiniteForProbabilitiesNearAndAtOne) {
    expectFiniteEverywhere({{{-1e-9, -1e-9}, {-1e-9, -1e-9}, 1.0, 0.5, 1.0},
                            {{-1e-9}, {-1e-9}, -1.0, 0.0, 0.0},
                            {{-1e-9}, {0.0}, -1.0, 0.0, 0.0},
                            {{0.0, 0.0}, {0.0, 0.0}, -1.0, 0.0, 0.0},  // p̄ = 1 exactly: 1 − p̄ = 0
                            {{0.0}, {-1e-9}, 1.0, 1.0, 1.0},
                            {{-2.0}, {0.0}, -1.5, 0.0, 0.0},  // r = e², p̄ = 1
                            {{-2.0}, {0.0}, 1.5, 0.0, 1.0}},
                           "p near and at 1");
}

TEST(ObjectiveNumerics, FiniteForOneTokenSlates) {
    expectFiniteEverywhere({{{-0.7}, {-0.2}, 1.0, 0.5, 1.0},
                            {{-0.7}, {-1.9}, -1.0, 0.0, 0.0},
                            {{-3.0}, {-3.0}, 0.0, 1.0, 0.0},
                            {{-1e-9}, {-40.0}, -1.0, 0.0, 0.0},
                            {{-40.0}, {-1e-9}, 1.0, 1.0, 1.0}},
                           "one token");
}

TEST(ObjectiveNumerics, TiedGroupsGiveZeroLossAndGradient) {
    // Every group's rewards equal: every advantage 0, so no objective may move the policy.
    const auto rewards = torch::full({2, 4}, 0.3, torch::kFloat64);
    const auto adv = groupAdvantages(rewards);
    ASSERT_EQ(adv.zeroSignalGroups, 2);
    std::mt19937 rng(27);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<EdgeSlate> slates;
    for (int64_t i = 0; i < 8; ++i) {
        const double old = -3 * u(rng), shift = 2 * u(rng) - 1;
        slates.push_back({{old, old - 0.1},
                          {std::min(old + shift, 0.0), std::min(old - 0.1 - shift, 0.0)},
                          adv.values.flatten()[i].item<double>(),
                          u(rng),
                          1.0});
    }
    expectFiniteEverywhere(slates, "tied groups");
    const auto b = edgeBatch(slates, torch::kFloat64);
    for (const auto& [name, objective] : everyObjective()) {
        torch::Tensor leaf;
        const auto out = objective->compute(b.input(&leaf));
        EXPECT_EQ(out.loss.item<double>(), 0.0) << name;
        out.loss.backward();
        EXPECT_TRUE(leaf.grad().eq(0).all().item<bool>()) << name;
        EXPECT_EQ(out.posActiveFraction, 0.0) << name;
        EXPECT_EQ(out.negActiveFraction, 0.0) << name;
        EXPECT_EQ(out.clipLowFraction, 0.0) << name;
        EXPECT_EQ(out.clipHighFraction, 0.0) << name;
    }
}

TEST(ObjectiveNumerics, AsymClipDiagnosticsFiniteAtZeroEpsilon) {
    // objective.asym_epsilon accepts 0 (config range [0, 0.9]); the clip degenerates to
    // [1 − ε_H(1−Ĥ), 1 + ε_boost·b] but every reported diagnostic must stay finite.
    auto o = asymOptions();
    o.clipEpsilon = 0.0;
    const auto b = edgeBatch({{{-0.7}, {-0.5}, 1.0, 0.5, 1.0}, {{-0.7}, {-0.9}, -1.0, 0.5, 0.0}},
                             torch::kFloat64);
    torch::Tensor leaf;
    const auto out = SageObjective(o).compute(b.input(&leaf));
    EXPECT_TRUE(std::isfinite(out.loss.item<double>()));
    out.loss.backward();
    EXPECT_TRUE(finite(leaf.grad()));
    EXPECT_TRUE(finite(out.slates.posCap)) << out.slates.posCap;
    EXPECT_TRUE(finite(out.slates.negScale)) << out.slates.negScale;
}

}  // namespace
}  // namespace sage
