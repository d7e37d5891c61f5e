#pragma once
#include <ATen/core/Tensor.h>

namespace sage {

struct GroupAdvantages {
    at::Tensor advantages;  // [B, G]
    int64_t zeroSignalGroups = 0;  // groups whose rewards are all equal (no learning signal)
};

/// GRPO's group-normalised advantage (SAGE.md 3, `group`): A = (R − mean_g R) / (std_g R + ε),
/// with the population standard deviation of the group. A tied group gets A = 0.
GroupAdvantages groupAdvantages(const at::Tensor& rewards, double epsilon = 1e-6);

}  // namespace sage
