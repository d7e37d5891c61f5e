#include "objectives/slate_quantities.h"

#include <cmath>

namespace sage {

SlateQuantities slateQuantities(const at::Tensor& logpNew, const at::Tensor& logpOld,
                                const at::Tensor& mask) {
    SlateQuantities q;
    q.tokens = mask.sum(1).clamp_min(1.0);
    q.meanLogp = (logpNew * mask).sum(1) / q.tokens;
    q.meanLogpOld = (logpOld * mask).sum(1) / q.tokens;
    q.logRatio = (q.meanLogp.detach() - q.meanLogpOld);
    q.ratio = q.logRatio.clamp(-kSequenceLogRatioClamp, kSequenceLogRatioClamp).exp();
    return q;
}

SlateDiagnostics baseDiagnostics(const SlateQuantities& q) {
    SlateDiagnostics d;
    const auto zeros = torch::zeros_like(q.logRatio);
    d.logRatio = q.logRatio;
    d.ratio = q.ratio;
    d.pbarOld = q.meanLogpOld.exp();
    d.pbarNew = q.meanLogp.detach().exp();
    d.denominator = zeros;
    d.coefficient = zeros;
    d.branch = torch::zeros(q.logRatio.sizes(), torch::kLong);
    d.posCap = zeros;
    d.negScale = zeros;
    d.negCap = zeros;
    d.boostApplied = torch::zeros(q.logRatio.sizes(), torch::kBool);
    return d;
}

double tokenShare(const at::Tensor& flags, const at::Tensor& mask) {
    const double tokens = std::max(1.0, mask.sum().item<double>());
    return (flags.to(mask.scalar_type()) * mask).sum().item<double>() / tokens;
}

at::Tensor perSlateMean(const at::Tensor& values, const at::Tensor& mask) {
    return (values.to(mask.scalar_type()) * mask).sum(1) / mask.sum(1).clamp_min(1.0);
}

at::Tensor log1mexp(const at::Tensor& x) {
    const double split = -std::log(2.0);
    // Near 0, 1 − eˣ loses digits: use log(−expm1(x)); far below, log1p(−eˣ) is exact.
    return torch::where(x.gt(split), torch::log(-torch::expm1(x)), torch::log1p(-torch::exp(x)));
}

at::Tensor valueWithGradientOf(const at::Tensor& value, const at::Tensor& surrogate) {
    return value.detach() + (surrogate - surrogate.detach());
}

}  // namespace sage
