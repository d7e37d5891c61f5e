#pragma once
#include <memory>

#include "model/generative_policy.h"
#include "training/rollout_policy.h"

namespace sage {

/// The generative recommender as a rollout policy: KV-cached constrained sampling, T = K·L tokens
/// per slate. RL runs without dropout so that rollout and update see the same policy.
class TransformerRolloutPolicy final : public RolloutPolicy {
public:
    explicit TransformerRolloutPolicy(std::unique_ptr<GenerativePolicy> policy);

    std::optional<Rollout> sample(const std::vector<SlateContext>& contexts, int64_t groupSize,
                                  double temperature, const RowSampler& sampler,
                                  const std::atomic<bool>* stop) override;
    at::Tensor logProbs(const std::vector<std::vector<int64_t>>& histories,
                        const at::Tensor& slates) override;
    at::Tensor topItems(const std::vector<std::vector<int64_t>>& histories, int64_t k) override;
    std::vector<at::Tensor> parameters() override { return m_policy->model()->parameters(); }
    std::unique_ptr<RolloutPolicy> frozenCopy() const override;
    void moveTo(c10::Device device) override { m_policy->moveTo(device); }
    GenerativePolicy& generative() { return *m_policy; }

private:
    std::unique_ptr<GenerativePolicy> m_policy;
};

}  // namespace sage
