#include "objectives/bounded_ratio.h"

#include "objectives/slate_quantities.h"

namespace sage {
namespace {

// exp(60) ≈ 1e26: a cap this large never binds, and the reported mean stays finite.
constexpr double kMaxLogNegCap = 60.0;

double shareWhere(const at::Tensor& flags, const at::Tensor& among) {
    const double count = among.sum().item<double>();
    return count > 0 ? (flags & among).sum().item<double>() / count : 0.0;
}

}  // namespace

BoundedRatio boundedRatio(const at::Tensor& logp, const at::Tensor& logpOld,
                          const at::Tensor& advantage, const at::Tensor& posCap,
                          const at::Tensor& negScale, double maxLogRatio) {
    BoundedRatio b;
    const auto positive = advantage.ge(0);
    const auto logPosBound = logp - posCap.log();                   // log(sg(p)/Γ)
    const auto logNegBound = log1mexp(logp.clamp_max(0.0)) - negScale.log();  // log((1 − sg(p))/Λ)
    const auto bound = torch::where(positive, logPosBound, logNegBound);
    b.logDenominator = torch::max(logpOld, bound);
    b.coefficient = (logp - b.logDenominator).clamp_max(maxLogRatio).exp();
    b.posCapActive = advantage.gt(0) & logPosBound.gt(logpOld);
    b.negCapActive = advantage.lt(0) & logNegBound.gt(logpOld);
    b.negCap = (negScale.log() + logp - log1mexp(logp.clamp_max(0.0))).clamp_max(kMaxLogNegCap).exp();
    return b;
}

void applyBoundedDiagnostics(const BoundedRatio& b, const at::Tensor& advantages,
                             const at::Tensor& posCap, const at::Tensor& negScale,
                             ObjectiveOutput& out) {
    auto& d = out.slates;
    d.denominator = b.logDenominator.exp();
    d.coefficient = b.coefficient;
    d.branch.masked_fill_(b.posCapActive, static_cast<int64_t>(ActiveBranch::PosCap));
    d.branch.masked_fill_(b.negCapActive, static_cast<int64_t>(ActiveBranch::NegCap));
    d.posCap = posCap.expand_as(b.coefficient).clone();
    d.negScale = negScale.expand_as(b.coefficient).clone();
    d.negCap = b.negCap;
    out.posActiveFraction = shareWhere(b.posCapActive, advantages.gt(0));
    out.negActiveFraction = shareWhere(b.negCapActive, advantages.lt(0));
}

void applyTokenBoundedDiagnostics(const BoundedRatio& b, const at::Tensor& advantages,
                                  const at::Tensor& mask, ObjectiveOutput& out) {
    auto& d = out.slates;
    const auto real = mask.gt(0);
    d.denominator = perSlateMean(b.logDenominator.exp(), mask);
    d.coefficient = perSlateMean(b.coefficient, mask);
    // A slate counts as capped when the cap set the coefficient of most of its tokens.
    d.branch.masked_fill_(perSlateMean(b.posCapActive, mask).gt(0.5),
                          static_cast<int64_t>(ActiveBranch::PosCap));
    d.branch.masked_fill_(perSlateMean(b.negCapActive, mask).gt(0.5),
                          static_cast<int64_t>(ActiveBranch::NegCap));
    d.posCap = torch::ones_like(d.coefficient);
    d.negScale = torch::ones_like(d.coefficient);
    d.negCap = perSlateMean(b.negCap, mask);
    const auto advantage = advantages.unsqueeze(1).expand_as(mask);
    out.posActiveFraction = shareWhere(b.posCapActive & real, advantage.gt(0) & real);
    out.negActiveFraction = shareWhere(b.negCapActive & real, advantage.lt(0) & real);
}

}  // namespace sage
