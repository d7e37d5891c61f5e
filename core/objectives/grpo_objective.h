#pragma once
#include "objectives/policy_objective.h"

namespace sage {

/// GRPO: token-level PPO clipping (SAGE.md 4.1), with the optional dual clip for A < 0.
class GrpoObjective final : public PolicyObjective {
public:
    struct Options {
        double clipLow = 0.2;
        double clipHigh = 0.2;
        bool dualClip = false;
        double dualClipC = 3.0;
    };
    explicit GrpoObjective(Options options) : m_options(options) {}
    std::string name() const override { return "grpo"; }
    ObjectiveOutput compute(const ObjectiveInput& input) const override;

private:
    Options m_options;
};

}  // namespace sage
