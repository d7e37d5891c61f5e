#include "objectives/clipped_surrogate.h"

#include "objectives/slate_quantities.h"

namespace sage {

ClippedSurrogate clippedSurrogate(const at::Tensor& ratio, const at::Tensor& advantage,
                                  const at::Tensor& low, const at::Tensor& high, double dualClipC) {
    ClippedSurrogate s;
    const auto clipped = torch::max(torch::min(ratio, high), low);
    s.term = torch::min(ratio * advantage, clipped * advantage);
    const auto r = ratio.detach();
    s.clipLow = advantage.lt(0) & r.lt(low);
    s.clipHigh = advantage.gt(0) & r.gt(high);
    s.outside = r.lt(low) | r.gt(high);
    if (dualClipC > 0.0) {
        const auto floor = dualClipC * advantage;
        s.dual = advantage.lt(0) & s.term.detach().lt(floor);
        s.term = torch::where(s.dual, floor, s.term);
    } else {
        s.dual = torch::zeros_like(s.clipLow);
    }
    return s;
}

at::Tensor passingRatio(const ClippedSurrogate& s, const at::Tensor& ratio) {
    const auto blocked = s.clipLow | s.clipHigh | s.dual;
    return torch::where(blocked, torch::zeros_like(ratio), ratio.detach());
}

at::Tensor clipBranch(const ClippedSurrogate& s) {
    auto branch = torch::full(s.clipLow.sizes(), static_cast<int64_t>(ActiveBranch::Ratio),
                              torch::kLong);
    branch.masked_fill_(s.clipLow, static_cast<int64_t>(ActiveBranch::ClipLow));
    branch.masked_fill_(s.clipHigh, static_cast<int64_t>(ActiveBranch::ClipHigh));
    branch.masked_fill_(s.dual, static_cast<int64_t>(ActiveBranch::DualClip));
    return branch;
}

void applyClipDiagnostics(const ClippedSurrogate& s, const at::Tensor& ratio,
                          const at::Tensor& advantage, const at::Tensor& low,
                          const at::Tensor& high, const at::Tensor& mask, ObjectiveOutput& out) {
    out.hasClip = true;
    const bool token = mask.defined();
    const auto shape = s.clipLow;
    const auto real = token ? mask.gt(0) : torch::ones_like(shape);
    const auto share = [&](const at::Tensor& flags) {
        return (flags & real).sum().item<double>() / std::max(1.0, real.sum().item<double>());
    };
    out.clipLowFraction = share(s.clipLow);
    out.clipHighFraction = share(s.clipHigh);
    out.clipRegionFraction = share(s.outside);

    const auto passing = passingRatio(s, ratio);
    out.slates.coefficient = token ? perSlateMean(passing, mask) : passing;
    if (token) {
        const auto lowCount = (s.clipLow & real).sum(1);
        const auto highCount = (s.clipHigh & real).sum(1);
        const auto dualCount = (s.dual & real).sum(1);
        auto& branch = out.slates.branch;
        branch.masked_fill_(lowCount.gt(0) & lowCount.ge(highCount), static_cast<int64_t>(ActiveBranch::ClipLow));
        branch.masked_fill_(highCount.gt(lowCount), static_cast<int64_t>(ActiveBranch::ClipHigh));
        branch.masked_fill_(dualCount.gt(0), static_cast<int64_t>(ActiveBranch::DualClip));
    } else {
        out.slates.branch = clipBranch(s);
    }

    const auto highs = high.expand(shape.sizes()).to(torch::kFloat64);
    const auto lows = low.expand(shape.sizes()).to(torch::kFloat64);
    out.slates.posCap = token ? perSlateMean(highs, mask) : highs.clone();
    out.slates.negCap = token ? perSlateMean(lows, mask) : lows.clone();
    out.slates.negScale = torch::ones_like(out.slates.posCap);
    const auto a = advantage.expand(shape.sizes());
    const auto positive = a.gt(0) & real;
    const auto negative = a.lt(0) & real;
    const double positives = positive.sum().item<double>();
    const double negatives = negative.sum().item<double>();
    out.posActiveFraction = positives > 0 ? (s.clipHigh & positive).sum().item<double>() / positives : 0.0;
    out.negActiveFraction =
        negatives > 0 ? ((s.clipLow | s.dual) & negative).sum().item<double>() / negatives : 0.0;
}

}  // namespace sage
