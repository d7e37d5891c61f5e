#include "objectives/grpo_objective.h"

namespace sage {
namespace {

// Token log-ratios beyond this are clipped anyway; clamping keeps exp() finite.
constexpr double kMaxTokenLogRatio = 20.0;

}  // namespace

std::string toString(ActiveBranch branch) {
    switch (branch) {
        case ActiveBranch::Ratio: return "ratio";
        case ActiveBranch::ClipLow: return "clip_low";
        case ActiveBranch::ClipHigh: return "clip_high";
        case ActiveBranch::DualClip: return "dual_clip";
    }
    return "unknown";
}

ObjectiveOutput GrpoObjective::compute(const ObjectiveInput& in) const {
    const auto mask = in.mask;
    const auto advantage = in.advantages.unsqueeze(1).expand_as(in.logpNew);
    const auto logRatio = (in.logpNew - in.logpOld).clamp(-kMaxTokenLogRatio, kMaxTokenLogRatio);
    const auto ratio = torch::exp(logRatio);
    const double low = 1.0 - m_options.clipLow;
    const double high = 1.0 + m_options.clipHigh;

    const auto unclipped = ratio * advantage;
    const auto clipped = ratio.clamp(low, high) * advantage;
    auto term = torch::min(unclipped, clipped);
    torch::Tensor dualActive = torch::zeros_like(mask, torch::kBool);
    if (m_options.dualClip) {
        const auto floor = m_options.dualClipC * advantage;
        dualActive = advantage.lt(0) & term.lt(floor);
        term = torch::where(advantage.lt(0), torch::max(term, floor), term);
    }

    const auto tokens = mask.sum(1).clamp_min(1.0);
    ObjectiveOutput out;
    out.loss = -((term * mask).sum(1) / tokens).mean();

    torch::NoGradGuard noGrad;
    const auto r = ratio.detach();
    const auto a = advantage;
    const auto real = mask.gt(0);
    // A token is clipped when the clipped surrogate, not the ratio, is the minimum.
    const auto clipLow = real & a.lt(0) & r.lt(low);
    const auto clipHigh = real & a.gt(0) & r.gt(high);
    const auto dual = real & dualActive;
    const auto outside = real & (r.lt(low) | r.gt(high));
    const double realTokens = std::max(1.0, mask.sum().item<double>());
    out.clipLowFraction = clipLow.sum().item<double>() / realTokens;
    out.clipHighFraction = clipHigh.sum().item<double>() / realTokens;
    out.clipRegionFraction = outside.sum().item<double>() / realTokens;

    // c_i: mean over tokens of the ratio weight that reaches the gradient (0 where clipped,
    // c where the dual clip holds the term at c·A).
    const auto passes = real & ~clipLow & ~clipHigh & ~dual;
    const auto weight = torch::where(passes, r, torch::zeros_like(r));
    out.coefficient = (weight * mask).sum(1) / tokens;

    // The slate's branch: the mechanism that acted on most of its clipped tokens, else "ratio".
    const auto lowCount = clipLow.sum(1);
    const auto highCount = clipHigh.sum(1);
    const auto dualCount = dual.sum(1);
    auto branch = torch::full({mask.size(0)}, static_cast<int64_t>(ActiveBranch::Ratio), torch::kLong);
    branch = torch::where(lowCount.gt(0) & lowCount.ge(highCount),
                          torch::full_like(branch, static_cast<int64_t>(ActiveBranch::ClipLow)), branch);
    branch = torch::where(highCount.gt(0) & highCount.gt(lowCount),
                          torch::full_like(branch, static_cast<int64_t>(ActiveBranch::ClipHigh)), branch);
    branch = torch::where(dualCount.gt(0),
                          torch::full_like(branch, static_cast<int64_t>(ActiveBranch::DualClip)), branch);
    out.branch = branch;
    return out;
}

}  // namespace sage
