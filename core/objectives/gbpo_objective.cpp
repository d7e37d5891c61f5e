#include "objectives/gbpo_objective.h"

#include "objectives/bounded_ratio.h"
#include "objectives/slate_quantities.h"

namespace sage {

ObjectiveOutput GbpoObjective::compute(const ObjectiveInput& in) const {
    const auto q = slateQuantities(in.logpNew, in.logpOld, in.mask);
    ObjectiveOutput out;
    if (m_level == RatioLevel::Sequence) {
        const auto ones = torch::ones_like(q.logRatio);
        const auto bounded = boundedRatio(q.meanLogp.detach(), q.meanLogpOld, in.advantages, ones, ones,
                                           kSequenceLogRatioClamp);
        // Value: −(1/N)Σ c_i·A_i. Gradient: −(1/N)Σ A_i·c_i·(1/T_i)Σ_t ∇ℓ_it, the exact gradient
        // of p̄/D with D held fixed (∇p̄ = p̄·(1/T)Σ∇ℓ).
        out.loss = valueWithGradientOf(-(bounded.coefficient * in.advantages).mean(),
                                       -(bounded.coefficient * in.advantages * q.meanLogp).mean());
        torch::NoGradGuard noGrad;
        out.slates = baseDiagnostics(q);
        applyBoundedDiagnostics(bounded, in.advantages, ones, ones, out);
        return out;
    }
    // Token level: the same denominator per token, p = π(y_it); averaged over tokens, then slates.
    const auto advantage = in.advantages.unsqueeze(1).expand_as(in.logpNew);
    const auto ones = torch::ones_like(in.logpNew);
    const auto bounded = boundedRatio(in.logpNew.detach(), in.logpOld, advantage, ones, ones,
                                       kTokenLogRatioClamp);
    out.loss = valueWithGradientOf(-perSlateMean(bounded.coefficient * advantage, in.mask).mean(),
                                   -perSlateMean(bounded.coefficient * advantage * in.logpNew, in.mask).mean());
    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyTokenBoundedDiagnostics(bounded, in.advantages, in.mask, out);
    return out;
}

}  // namespace sage
