#include "model/parameter_copy.h"

namespace sage {

void copyParametersFrozen(const torch::nn::Module& source, torch::nn::Module& target) {
    torch::NoGradGuard noGrad;
    const auto from = source.named_parameters();
    for (auto& parameter : target.named_parameters()) {
        parameter.value().copy_(from[parameter.key()]);
        parameter.value().set_requires_grad(false);
    }
}

}  // namespace sage
