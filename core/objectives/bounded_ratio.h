#pragma once
#include <ATen/core/Tensor.h>

#include "objectives/policy_objective.h"

namespace sage {

/// The gradient-bounded ratio shared by GBPO and SAGE, elementwise (tokens or slates), in log
/// space: D = max(p_old, sg(p)/Γ) where A ≥ 0 and D = max(p_old, (1 − sg(p))/Λ) where A < 0, so
/// that c = p/D = min(r, Γ) for positives and min(r, Λ·p/(1 − p)) for negatives.
/// GBPO is Γ = Λ = 1.
struct BoundedRatio {
    at::Tensor logDenominator;  // log D
    at::Tensor coefficient;     // c = p/D, detached
    at::Tensor posCapActive;    // bool: A > 0 and the cap Γ, not r, set c
    at::Tensor negCapActive;    // bool: A < 0 and the cap Λ·p/(1 − p), not r, set c
    at::Tensor negCap;          // Λ·p/(1 − p), kept finite for reporting
};

/// `logp` must be detached (it is sg(p)); every argument broadcasts elementwise. The coefficient
/// never exceeds the clamped ratio exp(maxLogRatio) (SAGE.md 2: r = exp(clamp(ρ, −10, 10))), so a
/// negative slate whose p̄ nears 1, where the cap Λ·p̄/(1 − p̄) stops binding, cannot dominate.
BoundedRatio boundedRatio(const at::Tensor& logp, const at::Tensor& logpOld,
                          const at::Tensor& advantage, const at::Tensor& posCap,
                          const at::Tensor& negScale, double maxLogRatio);

/// Fills a slate-level objective's diagnostics and active shares from its bounded ratio.
void applyBoundedDiagnostics(const BoundedRatio& bounded, const at::Tensor& advantages,
                             const at::Tensor& posCap, const at::Tensor& negScale,
                             ObjectiveOutput& out);

/// The same for a token-level bounded ratio ([N, T]); per-slate values are token means.
void applyTokenBoundedDiagnostics(const BoundedRatio& bounded, const at::Tensor& advantages,
                                  const at::Tensor& mask, ObjectiveOutput& out);

}  // namespace sage
