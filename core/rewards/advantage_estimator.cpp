#include "rewards/advantage_estimator.h"

namespace sage {

GroupAdvantages groupAdvantages(const at::Tensor& rewards, double epsilon) {
    const auto mean = rewards.mean(1, /*keepdim=*/true);
    const auto std = rewards.std(1, /*unbiased=*/false, /*keepdim=*/true);
    GroupAdvantages out;
    // A tied group would otherwise divide rounding noise by ε and invent a signal.
    const auto tied = std.lt(1e-8);
    out.advantages = torch::where(tied, torch::zeros_like(rewards), (rewards - mean) / (std + epsilon));
    out.zeroSignalGroups = tied.sum().item<int64_t>();
    return out;
}

}  // namespace sage
