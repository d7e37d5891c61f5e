#pragma once
#include <string>

#include <ATen/core/Tensor.h>

namespace sage {

/// One minibatch of slates as every objective sees it (SAGE.md sections 1 and 2).
struct ObjectiveInput {
    at::Tensor logpNew;     // [N, T] log π_θ, differentiable
    at::Tensor logpOld;     // [N, T] log π_old, constant
    at::Tensor mask;        // [N, T] 1 for the slate's own tokens, 0 for padding
    at::Tensor advantages;  // [N] A_i
    at::Tensor listEntropy;       // [N] Ĥ_i in [0, 1]; SAGE's penalty reads it
    at::Tensor boostEligibility;  // [N] b_i in [0, 1]; SAGE's boost reads it
};

/// Where GBPO and ECPO apply their denominator (SAGE.md 4.6).
enum class RatioLevel { Token, Sequence };

/// Which mechanism set a slate's gradient coefficient (the inspector's "active branch").
enum class ActiveBranch : int {
    Ratio = 0,     // r_i itself (nothing capped or clipped)
    ClipLow = 1,   // clipped below 1 − ε (clip objectives)
    ClipHigh = 2,  // clipped above 1 + ε
    DualClip = 3,  // held at c·A by the dual clip
    PosCap = 4,    // the positive cap (GBPO: 1, SAGE: Γ⁺) set c_i
    NegCap = 5,    // the negative cap (p̄/(1−p̄), SAGE: Λ·p̄/(1−p̄)) set c_i
};
std::string toString(ActiveBranch branch);

/// Per-slate diagnostics, each [N] and detached (SAGE.md section 5's per-slate record).
struct SlateDiagnostics {
    at::Tensor logRatio;     // ρ_i
    at::Tensor ratio;        // r_i = exp(clamp(ρ_i, −10, 10))
    at::Tensor pbarOld;      // p̄_i^old
    at::Tensor pbarNew;      // p̄_i(θ)
    at::Tensor denominator;  // D_i (0 where the objective has none)
    at::Tensor coefficient;  // c_i, the effective gradient coefficient
    at::Tensor branch;       // int64 ActiveBranch
    at::Tensor posCap;       // Γ⁺_i (1 under GBPO; 0 where not applicable)
    at::Tensor negScale;     // Λ_i (1 under GBPO; 0 where not applicable)
    at::Tensor negCap;       // Λ_i·p̄_i/(1 − p̄_i) (0 where not applicable)
    at::Tensor boostApplied; // bool: the boost let c_i rise above GBPO's cap of 1
};

/// The loss and the diagnostics every objective reports.
struct ObjectiveOutput {
    at::Tensor loss;  // scalar: its value is the objective of SAGE.md, its gradient the update's
    SlateDiagnostics slates;
    // Shares of real tokens (token-level objectives) or of slates (sequence-level), clip objectives
    // only; 0 for the others.
    double clipLowFraction = 0.0;
    double clipHighFraction = 0.0;
    double clipRegionFraction = 0.0;
    // Share of positive (negative) advantage slates, or of their tokens at token level, whose
    // coefficient the cap (clip objectives: the clip) set rather than r (bound/*_active_frac).
    double posActiveFraction = 0.0;
    double negActiveFraction = 0.0;
    bool hasClip = false;    // clip objectives report the clip_ratio/* metrics
};

/// A policy-optimisation objective: a loss to minimise, averaged over the minibatch's slates.
class PolicyObjective {
public:
    virtual ~PolicyObjective() = default;
    virtual std::string name() const = 0;
    virtual ObjectiveOutput compute(const ObjectiveInput& input) const = 0;
};

}  // namespace sage
