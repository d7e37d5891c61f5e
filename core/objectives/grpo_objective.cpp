#include "objectives/grpo_objective.h"

#include "objectives/clipped_surrogate.h"
#include "objectives/slate_quantities.h"

namespace sage {

std::string toString(ActiveBranch branch) {
    switch (branch) {
        case ActiveBranch::Ratio: return "ratio";
        case ActiveBranch::ClipLow: return "clip_low";
        case ActiveBranch::ClipHigh: return "clip_high";
        case ActiveBranch::DualClip: return "dual_clip";
        case ActiveBranch::PosCap: return "pos_cap";
        case ActiveBranch::NegCap: return "neg_cap";
    }
    return "unknown";
}

ObjectiveOutput GrpoObjective::compute(const ObjectiveInput& in) const {
    const auto& mask = in.mask;
    const auto advantage = in.advantages.unsqueeze(1).expand_as(in.logpNew);
    const auto ratio = (in.logpNew - in.logpOld).clamp(-kTokenLogRatioClamp, kTokenLogRatioClamp).exp();
    const auto low = torch::scalar_tensor(1.0 - m_options.clipLow, ratio.options());
    const auto high = torch::scalar_tensor(1.0 + m_options.clipHigh, ratio.options());
    const auto s = clippedSurrogate(ratio, advantage, low, high,
                                    m_options.dualClip ? m_options.dualClipC : 0.0);

    ObjectiveOutput out;
    out.loss = -perSlateMean(s.term, mask).mean();
    out.hasClip = true;

    torch::NoGradGuard noGrad;
    const auto real = mask.gt(0);
    out.clipLowFraction = tokenShare(s.clipLow & real, mask);
    out.clipHighFraction = tokenShare(s.clipHigh & real, mask);
    out.clipRegionFraction = tokenShare(s.outside & real, mask);
    out.slates = baseDiagnostics(slateQuantities(in.logpNew, in.logpOld, mask));
    out.slates.coefficient = perSlateMean(passingRatio(s, ratio), mask);
    applyClipBounds(s, advantage, low, high, mask, out);
    // A slate's branch: the clip that acted on most of its tokens, else "ratio".
    const auto lowCount = (s.clipLow & real).sum(1);
    const auto highCount = (s.clipHigh & real).sum(1);
    const auto dualCount = (s.dual & real).sum(1);
    auto branch = out.slates.branch;
    branch.masked_fill_(lowCount.gt(0) & lowCount.ge(highCount), static_cast<int64_t>(ActiveBranch::ClipLow));
    branch.masked_fill_(highCount.gt(lowCount), static_cast<int64_t>(ActiveBranch::ClipHigh));
    branch.masked_fill_(dualCount.gt(0), static_cast<int64_t>(ActiveBranch::DualClip));
    return out;
}

}  // namespace sage
