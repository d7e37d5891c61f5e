#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "model/row_sampler.h"
#include "training/slate_environment.h"

namespace sage {

/// What the RL trainer needs of a policy: sample groups of slates, score given slates in one
/// batched pass, and a frozen copy for the KL reference. Tensors in and out are on the CPU; the
/// model itself lives on the device given to moveTo.
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
    /// The k most probable first slate items after each history, best first: [B, k] item ids on
    /// the CPU (the ranking the leave-one-out evaluation scores).
    virtual at::Tensor topItems(const std::vector<std::vector<int64_t>>& histories, int64_t k) = 0;
    virtual std::vector<at::Tensor> parameters() = 0;
    /// A copy on the same device.
    virtual std::unique_ptr<RolloutPolicy> frozenCopy() const = 0;
    /// Moves the model's parameters to `device` (before an optimizer is made over them).
    virtual void moveTo(c10::Device device) = 0;
};

}  // namespace sage
