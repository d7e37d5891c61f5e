#include "rewards/boost_eligibility.h"

#include <stdexcept>

namespace sage {

at::Tensor boostEligibility(const std::string& mode, const at::Tensor& advantages,
                            const at::Tensor& positiveReward, const at::Tensor& coldPositiveReward) {
    const auto positive = advantages.gt(0).to(advantages.scalar_type());
    if (mode == "positive") return positive;
    if (mode == "cold_hit") return positive * coldPositiveReward.gt(0).to(advantages.scalar_type());
    if (mode == "cold_share") {
        const auto share = coldPositiveReward / positiveReward.clamp_min(1e-12);
        return torch::where(positiveReward.gt(0), share.clamp(0.0, 1.0), torch::zeros_like(share))
            .to(advantages.scalar_type());
    }
    throw std::invalid_argument("objective.boost_mode \"" + mode +
                                "\" is unknown; expected positive, cold_hit or cold_share");
}

}  // namespace sage
