#include "model/mlp_rollout_policy.h"

#include <limits>

namespace sage {

MlpRolloutPolicy::MlpRolloutPolicy(int64_t items, int64_t embeddingDim, int64_t hiddenDim,
                                   int64_t historyWindow, int64_t slateLength)
    : m_policy(items, embeddingDim, hiddenDim),
      m_embeddingDim(embeddingDim),
      m_hiddenDim(hiddenDim),
      m_historyWindow(historyWindow),
      m_slateLength(slateLength) {}

at::Tensor MlpRolloutPolicy::contextTensor(const std::vector<std::vector<int64_t>>& histories) const {
    const int64_t window = m_historyWindow;
    auto contexts = torch::full({static_cast<int64_t>(histories.size()), window}, -1, torch::kLong);
    auto access = contexts.accessor<int64_t, 2>();
    for (size_t b = 0; b < histories.size(); ++b) {
        const auto& history = histories[b];
        const int64_t take = std::min<int64_t>(window, static_cast<int64_t>(history.size()));
        for (int64_t i = 0; i < take; ++i)
            access[b][window - take + i] = history[history.size() - take + i];
    }
    return contexts;
}

std::optional<RolloutPolicy::Rollout> MlpRolloutPolicy::sample(
    const std::vector<SlateContext>& contexts, int64_t groupSize, double temperature,
    const RowSampler& sampler, const std::atomic<bool>* stop) {
    std::vector<std::vector<int64_t>> histories;
    for (const auto& context : contexts) histories.push_back(context.history);
    const auto rows = contextTensor(histories).to(m_device).repeat_interleave(groupSize, 0);
    const int64_t slateCount = rows.size(0);
    torch::NoGradGuard noGrad;
    const auto logits = m_policy->itemLogits(m_policy->encode(rows));
    auto placed = torch::zeros({slateCount, m_policy->itemCount()}, rows.options().dtype(torch::kBool));
    Rollout out;
    out.slates = torch::empty({slateCount, m_slateLength}, rows.options());
    const float negInf = -std::numeric_limits<float>::infinity();
    for (int64_t t = 0; t < m_slateLength; ++t) {
        if (stop && stop->load(std::memory_order_relaxed)) return std::nullopt;
        const auto masked = logits.masked_fill(placed, negInf);
        const auto logp = torch::log_softmax(masked, -1);
        const auto p = logp.exp();
        out.entropy += -(p * logp.masked_fill(placed, 0.0)).sum(-1).mean().item<double>();
        const auto sampling = temperature == 1.0 ? p : torch::softmax(masked / temperature, -1);
        const auto pick = sampler.draw(sampling);
        out.slates.select(1, t).copy_(pick.squeeze(1));
        placed.scatter_(1, pick, true);
    }
    out.entropy /= static_cast<double>(m_slateLength);
    out.logp = m_policy->logProbs(rows, out.slates).cpu();
    out.slates = out.slates.cpu();
    return out;
}

at::Tensor MlpRolloutPolicy::logProbs(const std::vector<std::vector<int64_t>>& histories,
                                      const at::Tensor& slates) {
    return m_policy->logProbs(contextTensor(histories).to(m_device), slates.to(m_device)).cpu();
}

at::Tensor MlpRolloutPolicy::topItems(const std::vector<std::vector<int64_t>>& histories, int64_t k) {
    torch::NoGradGuard noGrad;
    // The first item's distribution is the softmax of these logits: their order is its order.
    const auto logits = m_policy->itemLogits(m_policy->encode(contextTensor(histories).to(m_device)));
    return std::get<1>(logits.topk(k, -1)).cpu();
}

std::unique_ptr<RolloutPolicy> MlpRolloutPolicy::frozenCopy() const {
    auto copy = std::make_unique<MlpRolloutPolicy>(m_policy->itemCount(), m_embeddingDim, m_hiddenDim,
                                                   m_historyWindow, m_slateLength);
    copy->m_policy = sage::frozenCopy(m_policy, m_embeddingDim, m_hiddenDim);
    copy->moveTo(m_device);
    return copy;
}

void MlpRolloutPolicy::moveTo(c10::Device device) {
    m_policy->to(device);
    m_device = device;
}

}  // namespace sage
