#pragma once
#include <memory>

#include "config/run_config.h"
#include "objectives/policy_objective.h"

namespace sage {

/// The objective the configuration names, with its parameters.
std::unique_ptr<PolicyObjective> makeObjective(const RunConfig::Objective& options);

}  // namespace sage
