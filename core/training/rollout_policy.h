#pragma once
#include <ATen/core/Tensor.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "model/row_sampler.h"
#include "training/slate_environment.h"

namespace sage {

/// What the RL trainer needs of a policy: sample groups of slates, score given slates in one
/// batched pass, and a frozen copy for the KL reference.
class RolloutPolicy {
public:
    virtual ~RolloutPolicy() = default;

    struct Rollout {
        at::Tensor slates;  // [S, K] item ids; rows grouped by context, G per context
        at::Tensor logp;    // [S, T] per-token log π at temperature 1
        double entropy = 0.0;
    };
    /// nullopt when `stop` became true during generation.
    virtual std::optional<Rollout> sample(const std::vector<SlateContext>& contexts,
                                          int64_t groupSize, double temperature,
                                          const RowSampler& sampler,
                                          const std::atomic<bool>* stop) = 0;
    /// Per-token log π [S, T] of slates [S, K'] after one history per slate.
    virtual at::Tensor logProbs(const std::vector<std::vector<int64_t>>& histories,
                                const at::Tensor& slates) = 0;
    virtual std::vector<at::Tensor> parameters() = 0;
    virtual std::unique_ptr<RolloutPolicy> frozenCopy() const = 0;
};

}  // namespace sage
