#pragma once
#include "objectives/policy_objective.h"

namespace sage {

/// ECPO (OneRec, SAGE.md 4.3): the denominator is lifted early, D = max(sg(p)/(1+ε+δ), p_old),
/// so the ratio r' = p/D never exceeds 1+ε+δ, then PPO-clipped at 1 ± ε.
class EcpoObjective final : public PolicyObjective {
public:
    EcpoObjective(double epsilon, double delta, RatioLevel level)
        : m_epsilon(epsilon), m_delta(delta), m_level(level) {}
    std::string name() const override { return "ecpo"; }
    ObjectiveOutput compute(const ObjectiveInput& input) const override;

private:
    double m_epsilon;
    double m_delta;
    RatioLevel m_level;
};

}  // namespace sage
