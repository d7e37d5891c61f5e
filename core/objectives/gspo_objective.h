#pragma once
#include "objectives/policy_objective.h"

namespace sage {

/// GSPO (SAGE.md 4.2): PPO clipping of the slate's geometric-mean ratio r_i.
class GspoObjective final : public PolicyObjective {
public:
    GspoObjective(double clipLow, double clipHigh) : m_clipLow(clipLow), m_clipHigh(clipHigh) {}
    std::string name() const override { return "gspo"; }
    ObjectiveOutput compute(const ObjectiveInput& input) const override;

private:
    double m_clipLow;
    double m_clipHigh;
};

}  // namespace sage
