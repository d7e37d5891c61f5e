#pragma once
#include "model/slate_policy.h"
#include "training/rollout_policy.h"

namespace sage {

/// The pooled-history scorer (SlatePolicy) as a rollout policy: one token per slate item.
class MlpRolloutPolicy final : public RolloutPolicy {
public:
    MlpRolloutPolicy(int64_t items, int64_t embeddingDim, int64_t hiddenDim, int64_t historyWindow,
                     int64_t slateLength);

    std::optional<Rollout> sample(const std::vector<SlateContext>& contexts, int64_t groupSize,
                                  double temperature, const RowSampler& sampler,
                                  const std::atomic<bool>* stop) override;
    at::Tensor logProbs(const std::vector<std::vector<int64_t>>& histories,
                        const at::Tensor& slates) override;
    at::Tensor topItems(const std::vector<std::vector<int64_t>>& histories, int64_t k) override;
    std::vector<at::Tensor> parameters() override { return m_policy->parameters(); }
    std::unique_ptr<RolloutPolicy> frozenCopy() const override;
    void moveTo(c10::Device device) override;

private:
    /// The last `historyWindow` items of each history, right-aligned, −1 padded: [B, H].
    at::Tensor contextTensor(const std::vector<std::vector<int64_t>>& histories) const;

    SlatePolicy m_policy{nullptr};
    int64_t m_embeddingDim, m_hiddenDim, m_historyWindow, m_slateLength;
    c10::Device m_device{c10::kCPU};
};

}  // namespace sage
