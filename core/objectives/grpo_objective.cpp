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
    torch::NoGradGuard noGrad;
    out.slates = baseDiagnostics(slateQuantities(in.logpNew, in.logpOld, mask));
    applyClipDiagnostics(s, ratio, advantage, low, high, mask, out);
    return out;
}

}  // namespace sage
