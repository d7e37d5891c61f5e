#include "objectives/objective_factory.h"

#include <stdexcept>

#include "objectives/grpo_objective.h"

namespace sage {

std::unique_ptr<PolicyObjective> makeObjective(const RunConfig::Objective& options) {
    if (options.kind == "grpo") {
        return std::make_unique<GrpoObjective>(GrpoObjective::Options{
            options.clipLow, options.clipHigh, options.dualClip, options.dualClipC});
    }
    throw std::invalid_argument("objective.kind \"" + options.kind + "\" is not implemented");
}

}  // namespace sage
