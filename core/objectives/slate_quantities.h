#pragma once
#include <ATen/core/Tensor.h>

#include "objectives/policy_objective.h"

namespace sage {

/// The per-slate quantities of SAGE.md section 2, all in log space.
struct SlateQuantities {
    at::Tensor tokens;        // [N] T_i (at least 1)
    at::Tensor meanLogp;      // [N] (1/T_i) Σ_t ℓ_it, differentiable: log p̄_i(θ)
    at::Tensor meanLogpOld;   // [N] log p̄_i^old
    at::Tensor logRatio;      // [N] ρ_i, detached
    at::Tensor ratio;         // [N] exp(clamp(ρ_i, −10, 10)), detached
};

constexpr double kSequenceLogRatioClamp = 10.0;
/// Token log-ratios are clamped before exp() so that ±50 stays finite; beyond this every clip and
/// cap has long taken over.
constexpr double kTokenLogRatioClamp = 20.0;

SlateQuantities slateQuantities(const at::Tensor& logpNew, const at::Tensor& logpOld,
                                const at::Tensor& mask);

/// Diagnostics with the ratio quantities filled in and every objective-specific field zero.
SlateDiagnostics baseDiagnostics(const SlateQuantities& quantities);

/// Token shares: the mean of `flags` over the real tokens of `mask`.
double tokenShare(const at::Tensor& flags, const at::Tensor& mask);
/// Per slate, the mean over its real tokens of `values`.
at::Tensor perSlateMean(const at::Tensor& values, const at::Tensor& mask);

/// log(1 − exp(x)) for x ≤ 0, accurate near 0 and near −∞ (Mächler's log1mexp).
at::Tensor log1mexp(const at::Tensor& x);

/// A scalar whose value is `value` and whose gradient is that of `surrogate`: lets a loss report
/// the objective as SAGE.md writes it while differentiating the exact-gradient form.
at::Tensor valueWithGradientOf(const at::Tensor& value, const at::Tensor& surrogate);

}  // namespace sage
