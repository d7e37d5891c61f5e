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
    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyClipDiagnostics(s, ratio, in.advantages, low, high, at::Tensor(), out);
    return out;
}

}  // namespace sage
