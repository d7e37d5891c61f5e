#pragma once
#include "objectives/policy_objective.h"

namespace sage {

/// SAGE (SAGE.md 4.5): GBPO's bounds made asymmetric and adaptive per slate. A successful slate
/// may keep a push up to Γ⁺ = 1 + ε_boost·b (the boost); a failed, homogeneous slate is pushed
/// down harder by Λ = 1 + κ·(1 − Ĥ) (the entropy-aware penalty).
class SageObjective final : public PolicyObjective {
public:
    enum class PenaltyShape { Linear, Threshold, Exp };
    enum class Form { GbpoBounds, AsymClip };
    enum class BoostForm { Bound, Advantage };
    struct Options {
        double boostEpsilon = 0.5;  // ε_boost
        double kappa = 1.0;         // κ
        PenaltyShape penaltyShape = PenaltyShape::Linear;
        double penaltyTau = 0.5;  // τ of the threshold shape
        Form form = Form::GbpoBounds;
        BoostForm boostForm = BoostForm::Bound;
        double clipEpsilon = 0.2;         // asym_clip: ε
        double entropyClipEpsilon = 0.2;  // asym_clip: ε_H
        double dualClipC = 3.0;           // asym_clip: c
    };
    explicit SageObjective(Options options) : m_options(options) {}
    std::string name() const override { return "sage"; }
    ObjectiveOutput compute(const ObjectiveInput& input) const override;

    /// Λ_i from Ĥ_i under the configured penalty shape.
    at::Tensor penaltyScale(const at::Tensor& listEntropy) const;

private:
    ObjectiveOutput computeBounds(const ObjectiveInput& input) const;
    ObjectiveOutput computeAsymClip(const ObjectiveInput& input) const;
    Options m_options;
};

}  // namespace sage
