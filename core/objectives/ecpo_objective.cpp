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
    out.hasClip = true;

    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(q);
    applyClipBounds(s, advantage, low, high, token ? in.mask : at::Tensor(), out);
    if (token) {
        const auto real = in.mask.gt(0);
        out.clipLowFraction = tokenShare(s.clipLow & real, in.mask);
        out.clipHighFraction = tokenShare(s.clipHigh & real, in.mask);
        out.clipRegionFraction = tokenShare(s.outside & real, in.mask);
        out.slates.denominator = perSlateMean(logDenominator.exp(), in.mask);
        out.slates.coefficient = perSlateMean(passingRatio(s, ratio), in.mask);
        // The slate's branch is that of its most-clipped side, as for GRPO.
        const auto low = (s.clipLow & real).sum(1);
        const auto high = (s.clipHigh & real).sum(1);
        out.slates.branch.masked_fill_(low.gt(0) & low.ge(high), static_cast<int64_t>(ActiveBranch::ClipLow));
        out.slates.branch.masked_fill_(high.gt(low), static_cast<int64_t>(ActiveBranch::ClipHigh));
    } else {
        const double slates = static_cast<double>(ratio.size(0));
        out.clipLowFraction = s.clipLow.sum().item<double>() / slates;
        out.clipHighFraction = s.clipHigh.sum().item<double>() / slates;
        out.clipRegionFraction = s.outside.sum().item<double>() / slates;
        out.slates.denominator = logDenominator.exp();
        out.slates.coefficient = passingRatio(s, ratio);
        out.slates.branch = clipBranch(s);
    }
    return out;
}

}  // namespace sage
