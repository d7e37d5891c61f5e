#pragma once
#include <memory>
#include <string>

#include "config/run_config.h"
#include "objectives/policy_objective.h"

namespace sage {

/// The objective the configuration names, with its parameters.
std::unique_ptr<PolicyObjective> makeObjective(const RunConfig::Objective& options);

/// The advantage estimator in force: `auto` is decoupled for SAGE and group otherwise (SAGE.md 3).
std::string advantageEstimatorFor(const RunConfig::Objective& options);

}  // namespace sage
