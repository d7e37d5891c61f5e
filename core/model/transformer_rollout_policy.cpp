#include "model/transformer_rollout_policy.h"

#include <map>

#include "model/parameter_copy.h"

namespace sage {

TransformerRolloutPolicy::TransformerRolloutPolicy(std::unique_ptr<GenerativePolicy> policy)
    : m_policy(std::move(policy)) {
    m_policy->model()->eval();
}

std::optional<RolloutPolicy::Rollout> TransformerRolloutPolicy::sample(
    const std::vector<SlateContext>& contexts, int64_t groupSize, double temperature,
    const RowSampler& sampler, const std::atomic<bool>* stop) {
    std::vector<std::vector<int64_t>> histories;
    for (const auto& context : contexts) histories.push_back(context.history);
    auto generated = m_policy->sample(m_policy->encodeHistories(histories), groupSize, temperature,
                                      sampler, stop);
    if (!generated) return std::nullopt;
    return Rollout{generated->slates.cpu(), generated->logp.cpu(), generated->entropy};
}

at::Tensor TransformerRolloutPolicy::logProbs(const std::vector<std::vector<int64_t>>& histories,
                                              const at::Tensor& slates) {
    // The trainer passes one history per slate, G copies of each context: each distinct one is
    // encoded and run through the model once (prefix sharing).
    std::vector<std::vector<int64_t>> distinct;
    std::map<std::vector<int64_t>, int64_t> indexOf;
    std::vector<int64_t> contextOfSlate;
    contextOfSlate.reserve(histories.size());
    for (const auto& history : histories) {
        const auto [it, added] = indexOf.emplace(history, static_cast<int64_t>(distinct.size()));
        if (added) distinct.push_back(history);
        contextOfSlate.push_back(it->second);
    }
    const auto device = m_policy->device();
    return m_policy
        ->logProbs(m_policy->encodeHistories(distinct), torch::tensor(contextOfSlate, torch::kLong).to(device),
                   slates.to(device))
        .cpu();
}

at::Tensor TransformerRolloutPolicy::topItems(const std::vector<std::vector<int64_t>>& histories,
                                              int64_t k) {
    // A beam of twice the list for semantic IDs, training.eval_beam's default (exact for item IDs).
    return m_policy->topItems(m_policy->encodeHistories(histories), k, 2 * k);
}

std::unique_ptr<RolloutPolicy> TransformerRolloutPolicy::frozenCopy() const {
    auto copy = std::make_unique<GenerativePolicy>(m_policy->tokens(), m_policy->model()->options(),
                                                   m_policy->historyWindow(), m_policy->slateLength());
    copyParametersFrozen(*m_policy->model(), *copy->model());
    copy->moveTo(m_policy->device());
    return std::make_unique<TransformerRolloutPolicy>(std::move(copy));
}

}  // namespace sage
