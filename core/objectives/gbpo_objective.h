#pragma once
#include "objectives/policy_objective.h"

namespace sage {

/// GBPO (OneRec-V2, SAGE.md 4.4): no clipping; the denominator max(p_old, sg(p)) for positives and
/// max(p_old, 1 − sg(p)) for negatives bounds the gradient by binary cross-entropy's. Static,
/// symmetric bounds: what SAGE changes.
class GbpoObjective final : public PolicyObjective {
public:
    explicit GbpoObjective(RatioLevel level) : m_level(level) {}
    std::string name() const override { return "gbpo"; }
    ObjectiveOutput compute(const ObjectiveInput& input) const override;

private:
    RatioLevel m_level;
};

}  // namespace sage
