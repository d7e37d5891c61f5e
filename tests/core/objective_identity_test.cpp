// Identities between objectives that SAGE.md states or implies, on random batches.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "objectives/ecpo_objective.h"
#include "objectives/gbpo_objective.h"
#include "objectives/grpo_objective.h"
#include "objectives/gspo_objective.h"
#include "objectives/objective_factory.h"
#include "objectives/sage_objective.h"
#include "rewards/advantage_estimator.h"

namespace sage {
namespace {

struct RandomBatch {
    torch::Tensor logpNew, logpOld, mask, adv, entropy, elig;

    // A fresh leaf each time, so that gradients of two objectives do not mix.
    ObjectiveInput input(torch::Tensor& leaf) const {
        leaf = logpNew.clone().requires_grad_(true);
        return {leaf, logpOld, mask, adv, entropy, elig};
    }
};

// N slates of up to T tokens; log p_old in [−4, −0.01], log-ratios within ±spread; some
// advantages exactly 0; Ĥ in [0, 1]; b in {0, 1} or [0, 1].
RandomBatch randomBatch(int64_t n, int64_t t, double spread, bool fullMask = false) {
    RandomBatch b;
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    b.logpOld = -0.01 - 3.99 * torch::rand({n, t}, opts);
    b.logpNew = (b.logpOld + spread * (2 * torch::rand({n, t}, opts) - 1)).clamp_max(-1e-3);
    if (fullMask) {
        b.mask = torch::ones({n, t}, opts);
    } else {
        const auto lengths = torch::randint(1, t + 1, {n, 1});
        b.mask = torch::arange(t).unsqueeze(0).lt(lengths).to(torch::kFloat64);
    }
    b.adv = torch::randn({n}, opts);
    b.adv.masked_fill_(torch::rand({n}).lt(0.15), 0.0);
    b.entropy = torch::rand({n}, opts);
    // Half the batches get fractional eligibility (cold_share), half binary.
    b.elig = torch::rand({1}).item<double>() < 0.5
                 ? torch::rand({n}, opts)
                 : torch::rand({n}, opts).lt(0.5).to(torch::kFloat64);
    return b;
}

void expectTensorsEqual(const at::Tensor& a, const at::Tensor& b, const std::string& what,
                        double tol = 1e-12) {
    ASSERT_EQ(a.sizes(), b.sizes()) << what;
    EXPECT_TRUE(torch::allclose(a.to(torch::kFloat64), b.to(torch::kFloat64), tol, tol))
        << what << "\n"
        << a << "\nvs\n"
        << b;
}

// Loss, gradient and the shared per-slate diagnostics of two objectives on one batch.
void expectSameObjective(const PolicyObjective& a, const PolicyObjective& b,
                         const RandomBatch& batch, const std::string& label,
                         bool compareDenominators = true) {
    torch::Tensor leafA, leafB;
    const auto outA = a.compute(batch.input(leafA));
    const auto outB = b.compute(batch.input(leafB));
    EXPECT_NEAR(outA.loss.item<double>(), outB.loss.item<double>(), 1e-12) << label << ": loss";
    outA.loss.backward();
    outB.loss.backward();
    expectTensorsEqual(leafA.grad(), leafB.grad(), label + ": gradient");
    expectTensorsEqual(outA.slates.coefficient, outB.slates.coefficient, label + ": c");
    expectTensorsEqual(outA.slates.branch, outB.slates.branch, label + ": branch", 0.0);
    expectTensorsEqual(outA.slates.ratio, outB.slates.ratio, label + ": r");
    if (compareDenominators) {
        expectTensorsEqual(outA.slates.denominator, outB.slates.denominator, label + ": D");
        expectTensorsEqual(outA.slates.negCap, outB.slates.negCap, label + ": neg cap");
    }
}

// ---- SAGE with ε_boost = κ = 0 is GBPO at slate level (SAGE.md 4.5) ----------------------------

TEST(ObjectiveIdentity, SageWithoutBoostOrPenaltyIsSequenceGbpo) {
    torch::manual_seed(11);
    const GbpoObjective gbpo(RatioLevel::Sequence);
    for (const auto shape :
         {SageObjective::PenaltyShape::Linear, SageObjective::PenaltyShape::Threshold,
          SageObjective::PenaltyShape::Exp}) {
        for (const auto boostForm :
             {SageObjective::BoostForm::Bound, SageObjective::BoostForm::Advantage}) {
            SageObjective::Options o;
            o.boostEpsilon = 0.0;
            o.kappa = 0.0;
            o.penaltyShape = shape;
            o.boostForm = boostForm;
            o.form = SageObjective::Form::GbpoBounds;
            const SageObjective sage(o);
            for (int c = 0; c < 20; ++c) {
                const auto batch = randomBatch(2 + c % 7, 1 + c % 4, 1.5);
                const std::string label =
                    "shape " + std::to_string(static_cast<int>(shape)) + " boost form " +
                    std::to_string(static_cast<int>(boostForm)) + " case " + std::to_string(c);
                expectSameObjective(sage, gbpo, batch, label);
                torch::Tensor leafA, leafB;
                const auto s = sage.compute(batch.input(leafA));
                const auto g = gbpo.compute(batch.input(leafB));
                EXPECT_NEAR(s.posActiveFraction, g.posActiveFraction, 1e-15) << label;
                EXPECT_NEAR(s.negActiveFraction, g.negActiveFraction, 1e-15) << label;
                expectTensorsEqual(s.slates.posCap, torch::ones_like(s.slates.posCap),
                                   label + ": Γ⁺ = 1");
                expectTensorsEqual(s.slates.negScale, torch::ones_like(s.slates.negScale),
                                   label + ": Λ = 1");
                EXPECT_FALSE(s.slates.boostApplied.any().item<bool>()) << label;
            }
        }
    }
}

// ---- GSPO is GRPO when every slate has one token ---------------------------------------------

TEST(ObjectiveIdentity, GspoIsGrpoOnSingleTokenSlates) {
    torch::manual_seed(12);
    for (const auto& eps :
         std::vector<std::pair<double, double>>{{0.2, 0.2}, {0.1, 0.28}, {3e-4, 4e-4}}) {
        const GspoObjective gspo(eps.first, eps.second);
        const GrpoObjective grpo({eps.first, eps.second, false, 3.0});
        for (int c = 0; c < 30; ++c) {
            const std::string label = "eps (" + std::to_string(eps.first) + ", " +
                                      std::to_string(eps.second) + ") case " + std::to_string(c);
            // T = 1 exactly, and T = 3 with only the first token real.
            auto batch = randomBatch(1 + c % 8, 1, 0.6, true);
            expectSameObjective(gspo, grpo, batch, label + " T=1", false);
            auto padded = randomBatch(1 + c % 8, 3, 0.6);
            padded.mask = torch::zeros_like(padded.mask);
            padded.mask.select(1, 0).fill_(1.0);
            expectSameObjective(gspo, grpo, padded, label + " padded", false);
            for (const auto* b : {&batch, &padded}) {
                torch::Tensor leafA, leafB;
                const auto s = gspo.compute(b->input(leafA));
                const auto g = grpo.compute(b->input(leafB));
                EXPECT_NEAR(s.clipLowFraction, g.clipLowFraction, 1e-15) << label;
                EXPECT_NEAR(s.clipHighFraction, g.clipHighFraction, 1e-15) << label;
                EXPECT_NEAR(s.clipRegionFraction, g.clipRegionFraction, 1e-15) << label;
                EXPECT_NEAR(s.posActiveFraction, g.posActiveFraction, 1e-15) << label;
                EXPECT_NEAR(s.negActiveFraction, g.negActiveFraction, 1e-15) << label;
                expectTensorsEqual(s.slates.posCap, g.slates.posCap, label + ": upper clip");
                expectTensorsEqual(s.slates.negCap, g.slates.negCap, label + ": lower clip");
            }
        }
    }
}

// ---- With every ratio 1, positive coefficients are 1 ------------------------------------------

TEST(ObjectiveIdentity, UnitRatiosGiveUnitPositiveCoefficients) {
    torch::manual_seed(13);
    std::vector<std::pair<std::string, std::unique_ptr<PolicyObjective>>> bounded;
    bounded.emplace_back("gbpo/token", std::make_unique<GbpoObjective>(RatioLevel::Token));
    bounded.emplace_back("gbpo/sequence", std::make_unique<GbpoObjective>(RatioLevel::Sequence));
    for (const auto shape :
         {SageObjective::PenaltyShape::Linear, SageObjective::PenaltyShape::Threshold,
          SageObjective::PenaltyShape::Exp}) {
        for (const auto boostForm :
             {SageObjective::BoostForm::Bound, SageObjective::BoostForm::Advantage}) {
            SageObjective::Options o;
            o.boostEpsilon = 0.7;
            o.kappa = 2.0;
            o.penaltyShape = shape;
            o.boostForm = boostForm;
            bounded.emplace_back("sage/" + std::to_string(static_cast<int>(shape)) + "/" +
                                     std::to_string(static_cast<int>(boostForm)),
                                 std::make_unique<SageObjective>(o));
        }
    }
    for (int c = 0; c < 20; ++c) {
        auto batch = randomBatch(2 + c % 6, 1 + c % 3, 0.0);
        batch.logpNew = batch.logpOld.clone();
        const auto nonNegative = batch.adv.ge(0);
        for (const auto& [name, objective] : bounded) {
            torch::Tensor leaf;
            const auto out = objective->compute(batch.input(leaf));
            const auto c0 = out.slates.coefficient;
            const std::string label = name + " case " + std::to_string(c);
            EXPECT_TRUE(torch::allclose(
                c0.masked_select(nonNegative),
                torch::ones({nonNegative.sum().item<int64_t>()}, torch::kFloat64), 1e-14, 1e-14))
                << label << "\n"
                << c0 << "\n"
                << batch.adv;
            // Negatives: c = min(1, Λp̄/(1−p̄)) ≤ 1.
            EXPECT_TRUE(c0.masked_select(batch.adv.lt(0)).le(1.0 + 1e-14).all().item<bool>())
                << label;
            // r = 1 is no cap: the positive cap does not act, nor (bound form) does the boost.
            EXPECT_EQ(out.posActiveFraction, 0.0) << label;
            const bool boundBoost = name.rfind("sage/", 0) == 0 && name.back() == '0';
            if (boundBoost) {
                EXPECT_FALSE(out.slates.boostApplied.any().item<bool>()) << label;
            }
        }
        // The clip objectives pass every ratio of 1: c = 1 for every slate.
        std::vector<std::unique_ptr<PolicyObjective>> clipped;
        clipped.push_back(std::make_unique<GspoObjective>(3e-4, 4e-4));
        clipped.push_back(std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Token));
        clipped.push_back(std::make_unique<EcpoObjective>(0.2, 0.1, RatioLevel::Sequence));
        SageObjective::Options asym;
        asym.form = SageObjective::Form::AsymClip;
        clipped.push_back(std::make_unique<SageObjective>(asym));
        for (const auto& objective : clipped) {
            torch::Tensor leaf;
            const auto out = objective->compute(batch.input(leaf));
            expectTensorsEqual(out.slates.coefficient, torch::ones_like(out.slates.coefficient),
                               objective->name() + ": c = 1 at r = 1");
            EXPECT_EQ(out.clipRegionFraction, 0.0) << objective->name();
        }
    }
}

// ---- Decoupled advantages with one component are group advantages, batch-normalised -----------

TEST(AdvantageIdentity, DecoupledWithOneComponentIsRenormalisedGroupAdvantage) {
    torch::manual_seed(14);
    for (const double w : {0.5, 1.0, 3.0}) {
        for (int c = 0; c < 10; ++c) {
            const int64_t groups = 2 + c % 4, size = 2 + c % 5;
            auto rewards = torch::randn({groups, size}, torch::kFloat64);
            if (c % 3 == 0) rewards[0].fill_(0.7);  // a tied group
            const auto group = groupAdvantages(rewards).values;
            const auto decoupled =
                decoupledAdvantages(rewards.unsqueeze(2), torch::tensor({w}, torch::kFloat64));
            // a = w·g, so (a − mean a)/(std a + ε) = (g − mean g)/(std g + ε/w) (population std).
            const auto g = group.flatten();
            const double mean = g.mean().item<double>();
            const double std = g.std(/*unbiased=*/false).item<double>();
            const auto expected = ((g - mean) / (std + kAdvantageEpsilon / w)).view({groups, size});
            expectTensorsEqual(decoupled.values, expected,
                               "w " + std::to_string(w) + " case " + std::to_string(c), 1e-10);
            EXPECT_EQ(decoupled.tiedRewardGroups, groupAdvantages(rewards).tiedRewardGroups);
        }
    }
}

// ---- The factory builds what the configuration names -----------------------------------------

TEST(ObjectiveIdentity, FactoryBuildsTheConfiguredObjective) {
    torch::manual_seed(15);
    struct Case {
        RunConfig::Objective config;
        std::shared_ptr<PolicyObjective> expected;
    };
    std::vector<Case> cases;
    RunConfig::Objective base;
    {
        auto o = base;
        o.kind = "grpo";
        o.clipLow = 0.1;
        o.clipHigh = 0.3;
        o.dualClip = true;
        o.dualClipC = 2.0;
        cases.push_back(
            {o, std::make_shared<GrpoObjective>(GrpoObjective::Options{0.1, 0.3, true, 2.0})});
    }
    {
        auto o = base;
        o.kind = "gspo";
        o.gspoClipLow = 0.05;
        o.gspoClipHigh = 0.15;
        cases.push_back({o, std::make_shared<GspoObjective>(0.05, 0.15)});
    }
    for (const std::string level : {"token", "sequence"}) {
        auto o = base;
        o.kind = "ecpo";
        o.ratioLevel = level;
        o.ecpoEpsilon = 0.15;
        o.ecpoDelta = 0.05;
        const auto l = level == "token" ? RatioLevel::Token : RatioLevel::Sequence;
        cases.push_back({o, std::make_shared<EcpoObjective>(0.15, 0.05, l)});
        o.kind = "gbpo";
        cases.push_back({o, std::make_shared<GbpoObjective>(l)});
    }
    for (const std::string shape : {"linear", "threshold", "exp"}) {
        for (const std::string boost : {"bound", "advantage"}) {
            auto o = base;
            o.kind = "sage";
            o.penaltyShape = shape;
            o.boostForm = boost;
            o.boostEpsilon = 0.4;
            o.kappa = 1.5;
            o.penaltyTau = 0.7;
            SageObjective::Options s;
            s.boostEpsilon = 0.4;
            s.kappa = 1.5;
            s.penaltyTau = 0.7;
            s.penaltyShape = shape == "linear"      ? SageObjective::PenaltyShape::Linear
                             : shape == "threshold" ? SageObjective::PenaltyShape::Threshold
                                                    : SageObjective::PenaltyShape::Exp;
            s.boostForm = boost == "bound" ? SageObjective::BoostForm::Bound
                                           : SageObjective::BoostForm::Advantage;
            cases.push_back({o, std::make_shared<SageObjective>(s)});
        }
    }
    {
        auto o = base;
        o.kind = "sage";
        o.sageForm = "asym_clip";
        o.asymEpsilon = 0.15;
        o.asymEntropyEpsilon = 0.3;
        o.dualClipC = 2.5;
        SageObjective::Options s;
        s.form = SageObjective::Form::AsymClip;
        s.clipEpsilon = 0.15;
        s.entropyClipEpsilon = 0.3;
        s.dualClipC = 2.5;
        cases.push_back({o, std::make_shared<SageObjective>(s)});
    }
    for (size_t k = 0; k < cases.size(); ++k) {
        const auto made = makeObjective(cases[k].config);
        EXPECT_EQ(made->name(), cases[k].config.kind);
        for (int c = 0; c < 3; ++c)
            expectSameObjective(*made, *cases[k].expected, randomBatch(6, 3, 1.0),
                                "factory case " + std::to_string(k) + "/" + std::to_string(c));
    }
    auto unknown = base;
    unknown.kind = "ppo";
    EXPECT_THROW(makeObjective(unknown), std::invalid_argument);
}

TEST(AdvantageIdentity, EstimatorForAutoIsDecoupledOnlyForSage) {
    RunConfig::Objective o;
    for (const std::string kind : {"sage", "gbpo", "gspo", "grpo", "ecpo"}) {
        o.kind = kind;
        o.advantage = "auto";
        EXPECT_EQ(advantageEstimatorFor(o), kind == "sage" ? "decoupled" : "group") << kind;
        for (const std::string explicitChoice : {"group", "decoupled", "sign"}) {
            o.advantage = explicitChoice;
            EXPECT_EQ(advantageEstimatorFor(o), explicitChoice) << kind;
        }
    }
}

}  // namespace
}  // namespace sage
