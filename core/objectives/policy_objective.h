#pragma once
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace sage {

/// One minibatch of slates as every objective sees it (SAGE.md section 1).
struct ObjectiveInput {
    at::Tensor logpNew;     // [N, T] log π_θ, differentiable
    at::Tensor logpOld;     // [N, T] log π_old, constant
    at::Tensor mask;        // [N, T] 1 for the slate's own tokens, 0 for padding
    at::Tensor advantages;  // [N]
};

/// Which mechanism set a slate's gradient coefficient (the inspector's "active branch").
enum class ActiveBranch : int { Ratio = 0, ClipLow = 1, ClipHigh = 2, DualClip = 3 };
std::string toString(ActiveBranch branch);

/// The loss and the diagnostics every objective reports (SAGE.md section 5).
struct ObjectiveOutput {
    at::Tensor loss;         // scalar; backward() of it is the update
    at::Tensor coefficient;  // [N] detached effective gradient coefficient c_i
    at::Tensor branch;       // [N] int64 ActiveBranch codes
    // Token shares (over real tokens) for clip objectives; 0 for the others.
    double clipLowFraction = 0.0;
    double clipHighFraction = 0.0;
    double clipRegionFraction = 0.0;
};

/// A policy-optimisation objective: a loss to minimise, averaged over the minibatch's slates.
class PolicyObjective {
public:
    virtual ~PolicyObjective() = default;
    virtual std::string name() const = 0;
    virtual ObjectiveOutput compute(const ObjectiveInput& input) const = 0;
};

}  // namespace sage
