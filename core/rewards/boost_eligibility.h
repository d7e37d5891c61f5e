#pragma once
#include <string>

#include <ATen/core/Tensor.h>

namespace sage {

/// SAGE's boost eligibility b_i ∈ [0, 1] (SAGE.md 4.5, config `boost_mode`):
/// `positive`: 1 where A > 0; `cold_hit`: 1 where A > 0 and cold-start items earned positive
/// reward; `cold_share`: the share of the slate's positive reward that cold-start items earned.
/// All arguments are [N]; positive rewards are the weighted, item-attributable positive parts.
at::Tensor boostEligibility(const std::string& mode, const at::Tensor& advantages,
                            const at::Tensor& positiveReward, const at::Tensor& coldPositiveReward);

}  // namespace sage
