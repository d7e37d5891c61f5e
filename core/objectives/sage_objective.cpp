#include "objectives/sage_objective.h"

#include "objectives/bounded_ratio.h"
#include "objectives/clipped_surrogate.h"
#include "objectives/slate_quantities.h"

namespace sage {

at::Tensor SageObjective::penaltyScale(const at::Tensor& listEntropy) const {
    const double kappa = m_options.kappa;
    const auto homogeneity = 1.0 - listEntropy.clamp(0.0, 1.0);
    switch (m_options.penaltyShape) {
        case PenaltyShape::Linear:
            return 1.0 + kappa * homogeneity;
        case PenaltyShape::Threshold: {
            const double tau = m_options.penaltyTau;
            return 1.0 + kappa * (tau - listEntropy.clamp(0.0, 1.0)).clamp_min(0.0) / tau;
        }
        case PenaltyShape::Exp:
            return (kappa * homogeneity).exp();
    }
    return torch::ones_like(listEntropy);
}

ObjectiveOutput SageObjective::compute(const ObjectiveInput& in) const {
    return m_options.form == Form::GbpoBounds ? computeBounds(in) : computeAsymClip(in);
}

ObjectiveOutput SageObjective::computeBounds(const ObjectiveInput& in) const {
    const auto q = slateQuantities(in.logpNew, in.logpOld, in.mask);
    const auto& advantage = in.advantages;
    const auto boost = 1.0 + m_options.boostEpsilon * in.boostEligibility.to(q.meanLogp.scalar_type());
    const bool boostAdvantage = m_options.boostForm == BoostForm::Advantage;
    // boost_form = bound relaxes the positive cap to Γ⁺; = advantage keeps GBPO's cap of 1 and
    // scales A_i by Γ⁺ instead (that one acts even on a single on-policy step).
    const auto posCap = boostAdvantage ? torch::ones_like(boost) : boost;
    const auto negScale = penaltyScale(in.listEntropy.to(q.meanLogp.scalar_type()));
    const auto bounded = boundedRatio(q.meanLogp.detach(), q.meanLogpOld, advantage, posCap, negScale,
                                       kSequenceLogRatioClamp);
    const auto weightedAdvantage =
        boostAdvantage ? torch::where(advantage.gt(0), advantage * boost, advantage) : advantage;
    const auto weight = bounded.coefficient * weightedAdvantage;
    ObjectiveOutput out;
    out.loss = valueWithGradientOf(-weight.mean(), -(weight * q.meanLogp).mean());

    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyBoundedDiagnostics(bounded, advantage, boost, negScale, out);
    const auto boosted = m_options.boostEpsilon > 0.0
                             ? advantage.gt(0) & in.boostEligibility.gt(0)
                             : torch::zeros_like(advantage, torch::kBool);
    // The boost made a difference where the coefficient passed GBPO's cap of 1 (bound form), or
    // wherever it scaled a positive advantage (advantage form).
    out.slates.boostApplied = boostAdvantage ? boosted : boosted & bounded.coefficient.gt(1.0);
    return out;
}

ObjectiveOutput SageObjective::computeAsymClip(const ObjectiveInput& in) const {
    const auto q = slateQuantities(in.logpNew, in.logpOld, in.mask);
    const auto& advantage = in.advantages;
    const auto type = q.meanLogp.scalar_type();
    const double eps = m_options.clipEpsilon;
    const auto eligibility = in.boostEligibility.to(type);
    const auto entropy = in.listEntropy.to(type).clamp(0.0, 1.0);
    // hi = 1+ε+ε_boost·b and lo = 1−ε for A > 0; hi = 1+ε and lo = 1−ε−ε_H·(1−Ĥ) for A < 0.
    const auto high = torch::where(advantage.gt(0), 1.0 + eps + m_options.boostEpsilon * eligibility,
                                   torch::full_like(eligibility, 1.0 + eps));
    const auto low = torch::where(advantage.lt(0),
                                  1.0 - eps - m_options.entropyClipEpsilon * (1.0 - entropy),
                                  torch::full_like(entropy, 1.0 - eps));
    const auto ratio = (q.meanLogp - q.meanLogpOld)
                           .clamp(-kSequenceLogRatioClamp, kSequenceLogRatioClamp)
                           .exp();
    const auto s = clippedSurrogate(ratio, advantage, low, high, m_options.dualClipC);
    ObjectiveOutput out;
    out.loss = -s.term.mean();
    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyClipDiagnostics(s, ratio, advantage, low, high, at::Tensor(), out);
    // Λ's counterpart: 1 + how much the lower clip range widened, 1 + ε_H·(1 − Ĥ) on negatives.
    out.slates.negScale = 1.0 + (1.0 - eps - low);
    out.slates.boostApplied = m_options.boostEpsilon > 0.0
                                  ? advantage.gt(0) & eligibility.gt(0) & ratio.detach().gt(1.0 + eps)
                                  : torch::zeros_like(advantage, torch::kBool);
    return out;
}

}  // namespace sage
