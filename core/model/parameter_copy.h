#pragma once
#include <torch/nn/module.h>

namespace sage {

/// Copies every parameter of `source` into the same-named parameter of `target` (same
/// architecture) and freezes them: the KL reference policy is such a copy.
void copyParametersFrozen(const torch::nn::Module& source, torch::nn::Module& target);

}  // namespace sage
