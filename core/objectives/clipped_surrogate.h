#pragma once
#include <ATen/core/Tensor.h>

#include "objectives/policy_objective.h"

namespace sage {

/// PPO's clipped surrogate min(r·A, clip(r, low, high)·A), with the optional dual clip
/// max(·, c·A) for A < 0, elementwise over tokens or slates, plus which element took which branch.
struct ClippedSurrogate {
    at::Tensor term;      // differentiable through `ratio`
    at::Tensor clipLow;   // bool: A < 0 and r < low (the clipped value is the minimum)
    at::Tensor clipHigh;  // bool: A > 0 and r > high
    at::Tensor dual;      // bool: held at c·A
    at::Tensor outside;   // bool: r outside [low, high] whatever the sign of A
};

/// `low` and `high` broadcast against `ratio`; dualClipC ≤ 0 turns the dual clip off.
ClippedSurrogate clippedSurrogate(const at::Tensor& ratio, const at::Tensor& advantage,
                                  const at::Tensor& low, const at::Tensor& high, double dualClipC);

/// The gradient coefficient of log π per element: r where the ratio passes, 0 where clipped.
at::Tensor passingRatio(const ClippedSurrogate& surrogate, const at::Tensor& ratio);

/// The per-element ActiveBranch codes (int64) of a clipped surrogate.
at::Tensor clipBranch(const ClippedSurrogate& surrogate);

/// Everything a clip objective reports (SAGE.md section 5): the clip shares (of real tokens when
/// `mask` [N, T] is defined, of slates otherwise), each slate's coefficient (r where the ratio
/// passes, 0 where clipped; token level: the mean over its tokens) and branch (token level: the
/// clip that acted on most of its tokens), and the bound-style fields every objective reports: the
/// upper clip plays Γ⁺, the lower clip the negative cap, Λ is 1, and a cap is "active" where the
/// clip, not r, set the coefficient. `advantage`, `low` and `high` broadcast to the elements.
/// `out.slates` must already hold the base diagnostics.
void applyClipDiagnostics(const ClippedSurrogate& surrogate, const at::Tensor& ratio,
                          const at::Tensor& advantage, const at::Tensor& low,
                          const at::Tensor& high, const at::Tensor& mask, ObjectiveOutput& out);

}  // namespace sage
