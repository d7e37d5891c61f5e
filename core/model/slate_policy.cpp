#include "model/slate_policy.h"

#include "model/parameter_copy.h"

#include <limits>

namespace sage {

SlatePolicyImpl::SlatePolicyImpl(int64_t items, int64_t embeddingDim, int64_t hiddenDim)
    : m_items(items) {
    // One extra row is the padding slot for short histories (index `items`).
    m_itemEmbedding = register_module(
        "item_embedding",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(items + 1, embeddingDim).padding_idx(items)));
    m_hidden = register_module("hidden", torch::nn::Linear(embeddingDim, hiddenDim));
    m_state = register_module("state", torch::nn::Linear(hiddenDim, embeddingDim));
    m_output = register_module("output", torch::nn::Linear(embeddingDim, items));
}

torch::Tensor SlatePolicyImpl::encode(const torch::Tensor& contexts) {
    const auto valid = contexts.ge(0);
    const auto ids = torch::where(valid, contexts, torch::full_like(contexts, m_items));
    const auto embedded = m_itemEmbedding->forward(ids);                       // [B, H, E]
    const auto weights = valid.to(embedded.scalar_type()).unsqueeze(-1);       // [B, H, 1]
    const auto pooled = (embedded * weights).sum(1) / weights.sum(1).clamp_min(1.0);
    return m_state->forward(torch::gelu(m_hidden->forward(pooled)));
}

torch::Tensor SlatePolicyImpl::itemLogits(const torch::Tensor& states) {
    return m_output->forward(states);
}

SlatePolicy frozenCopy(const SlatePolicy& policy, int64_t embeddingDim, int64_t hiddenDim) {
    SlatePolicy copy(policy->itemCount(), embeddingDim, hiddenDim);
    copyParametersFrozen(*policy, *copy);
    return copy;
}

torch::Tensor earlierItemMask(const torch::Tensor& slates, int64_t items) {
    const int64_t count = slates.size(0);
    const int64_t length = slates.size(1);
    auto placed = torch::zeros({count, length, items}, slates.options().dtype(torch::kBool));
    for (int64_t t = 1; t < length; ++t) {
        // Position t masks every item of positions 0..t-1 (one scatter per earlier position).
        placed.select(1, t).copy_(placed.select(1, t - 1));
        placed.select(1, t).scatter_(1, slates.select(1, t - 1).unsqueeze(1), true);
    }
    return placed;
}

torch::Tensor SlatePolicyImpl::logProbs(const torch::Tensor& contexts, const torch::Tensor& slates) {
    const auto logits = itemLogits(encode(contexts));                          // [S, N]
    const auto mask = earlierItemMask(slates, m_items);                        // [S, K, N]
    const auto masked = logits.unsqueeze(1).expand({-1, slates.size(1), -1}).masked_fill(
        mask, -std::numeric_limits<float>::infinity());
    return torch::log_softmax(masked, -1).gather(-1, slates.unsqueeze(-1)).squeeze(-1);
}

}  // namespace sage
