#include "objectives/gspo_objective.h"

#include "objectives/clipped_surrogate.h"
#include "objectives/slate_quantities.h"

namespace sage {

ObjectiveOutput GspoObjective::compute(const ObjectiveInput& in) const {
    const auto q = slateQuantities(in.logpNew, in.logpOld, in.mask);
    // r_i = exp(clamp(ρ_i)) with ρ differentiable: ∇r_i = r_i·(1/T_i)Σ_t∇ℓ_it inside the clamp.
    const auto ratio = (q.meanLogp - q.meanLogpOld)
                           .clamp(-kSequenceLogRatioClamp, kSequenceLogRatioClamp)
                           .exp();
    const auto low = torch::scalar_tensor(1.0 - m_clipLow, ratio.options());
    const auto high = torch::scalar_tensor(1.0 + m_clipHigh, ratio.options());
    const auto s = clippedSurrogate(ratio, in.advantages, low, high, 0.0);
    ObjectiveOutput out;
    out.loss = -s.term.mean();
    out.hasClip = true;

    torch::NoGradGuard noGrad;
    const double slates = static_cast<double>(ratio.size(0));
    out.clipLowFraction = s.clipLow.sum().item<double>() / slates;
    out.clipHighFraction = s.clipHigh.sum().item<double>() / slates;
    out.clipRegionFraction = s.outside.sum().item<double>() / slates;
    out.slates = baseDiagnostics(q);
    out.slates.coefficient = passingRatio(s, ratio);
    out.slates.branch = clipBranch(s);
    applyClipBounds(s, in.advantages, low, high, at::Tensor(), out);
    return out;
}

}  // namespace sage
