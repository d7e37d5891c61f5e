#include "objectives/ecpo_objective.h"

#include <cmath>

#include "objectives/clipped_surrogate.h"
#include "objectives/slate_quantities.h"

namespace sage {

ObjectiveOutput EcpoObjective::compute(const ObjectiveInput& in) const {
    const auto q = slateQuantities(in.logpNew, in.logpOld, in.mask);
    const bool token = m_level == RatioLevel::Token;
    // log p and log p_old at the configured level: per token, or the slate's geometric mean.
    const auto logp = token ? in.logpNew : q.meanLogp;
    const auto logpOld = token ? in.logpOld : q.meanLogpOld;
    const auto advantage = token ? in.advantages.unsqueeze(1).expand_as(in.logpNew) : in.advantages;
    const auto logDenominator = torch::max(logp.detach() - std::log(1.0 + m_epsilon + m_delta), logpOld);
    const auto ratio = (logp - logDenominator).exp();
    const auto low = torch::scalar_tensor(1.0 - m_epsilon, ratio.options());
    const auto high = torch::scalar_tensor(1.0 + m_epsilon, ratio.options());
    const auto s = clippedSurrogate(ratio, advantage, low, high, 0.0);
    ObjectiveOutput out;
    out.loss = -(token ? perSlateMean(s.term, in.mask) : s.term).mean();
    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyClipDiagnostics(s, ratio, advantage, low, high, token ? in.mask : at::Tensor(), out);
    out.slates.denominator = token ? perSlateMean(logDenominator.exp(), in.mask) : logDenominator.exp();
    return out;
}

}  // namespace sage
