#include "rewards/advantage_estimator.h"

namespace sage {
namespace {

void countSignal(Advantages& out, const at::Tensor& rewards) {
    out.zeroSignalGroups = out.values.eq(0).all(1).sum().item<int64_t>();
    out.tiedRewardGroups = rewards.std(1, /*unbiased=*/false).lt(kTiedStd).sum().item<int64_t>();
}

}  // namespace

Advantages groupAdvantages(const at::Tensor& rewards) {
    const auto mean = rewards.mean(1, /*keepdim=*/true);
    const auto std = rewards.std(1, /*unbiased=*/false, /*keepdim=*/true);
    Advantages out;
    // A tied group would otherwise divide rounding noise by ε and invent a signal.
    out.values = torch::where(std.lt(kTiedStd), torch::zeros_like(rewards),
                              (rewards - mean) / (std + kAdvantageEpsilon));
    countSignal(out, rewards);
    return out;
}

Advantages decoupledAdvantages(const at::Tensor& components, const at::Tensor& weights) {
    const auto mean = components.mean(1, /*keepdim=*/true);
    const auto std = components.std(1, /*unbiased=*/false, /*keepdim=*/true);
    const auto z = torch::where(std.lt(kTiedStd), torch::zeros_like(components),
                                (components - mean) / (std + kAdvantageEpsilon));
    const auto a = z.matmul(weights.to(z.scalar_type()));  // [B, G]
    const auto batchStd = a.std(/*unbiased=*/false);
    // Each group's a sums to zero, so the batch mean is 0 up to rounding; a group tied on every
    // component must stay exactly 0 rather than inherit that rounding as a signal.
    const auto tiedOnEverything = z.eq(0).flatten(1).all(1, /*keepdim=*/true);  // [B, 1]
    Advantages out;
    out.values = batchStd.item<double>() < kTiedStd
                     ? torch::zeros_like(a)
                     : torch::where(tiedOnEverything, torch::zeros_like(a),
                                    (a - a.mean()) / (batchStd + kAdvantageEpsilon));
    countSignal(out, components.matmul(weights.to(components.scalar_type())));
    return out;
}

Advantages signAdvantages(const at::Tensor& rewards, double floor) {
    const auto flat = rewards.flatten();
    const double topQuartile = flat.quantile(0.75).item<double>();
    Advantages out;
    auto values = torch::zeros_like(rewards);
    // The top quartile counts only above the batch minimum: a tied batch carries no sign.
    values.masked_fill_(rewards.ge(topQuartile) & rewards.gt(flat.min()), 1.0);
    values.masked_fill_(rewards.lt(floor), -1.0);
    out.values = values;
    countSignal(out, rewards);
    return out;
}

}  // namespace sage
