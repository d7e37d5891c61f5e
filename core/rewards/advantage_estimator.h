#pragma once
#include <ATen/core/Tensor.h>

namespace sage {

struct Advantages {
    at::Tensor values;             // [B, G] A_i
    int64_t zeroSignalGroups = 0;  // groups whose advantages are all zero (no learning signal)
    int64_t tiedRewardGroups = 0;  // groups whose total rewards are all equal
};

constexpr double kAdvantageEpsilon = 1e-6;
/// Below this standard deviation a group counts as tied on a quantity.
constexpr double kTiedStd = 1e-8;

/// GRPO's group-normalised advantage (SAGE.md 3, `group`) of total rewards [B, G]:
/// A = (R − mean_g R) / (std_g R + ε), population std; a tied group gets A = 0.
Advantages groupAdvantages(const at::Tensor& rewards);

/// SAGE's decoupled advantage (SAGE.md 3, `decoupled`) from reward components [B, G, M] and
/// weights [M]: each component normalised inside its group (0 where the group is tied on it),
/// weighted and summed, then normalised across the whole batch.
Advantages decoupledAdvantages(const at::Tensor& components, const at::Tensor& weights);

/// Sign advantages (OneRec-V2 style, SAGE.md 3, `sign`) of total rewards [B, G]: +1 for the
/// batch's top quartile, −1 below `floor`, 0 otherwise.
Advantages signAdvantages(const at::Tensor& rewards, double floor);

}  // namespace sage
