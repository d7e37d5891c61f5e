#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

namespace sage {

/// The simplest honest list-wise policy: the user's recent items are embedded and pooled into a
/// user state; every slate position is a softmax over the catalogue with the items already in the
/// slate masked out (Plackett–Luce without replacement). The Transformer over semantic-ID tokens
/// replaces it in the recommender issue; the trainer only sees encode/logProbs/itemLogits.
class SlatePolicyImpl : public torch::nn::Module {
public:
    SlatePolicyImpl(int64_t items, int64_t embeddingDim, int64_t hiddenDim);

    /// contexts: [B, H] item ids, -1 for padding. Returns the user state [B, E].
    torch::Tensor encode(const torch::Tensor& contexts);
    /// Scores of every item for each user state: [B, N].
    torch::Tensor itemLogits(const torch::Tensor& states);
    /// Per-token log π(y_t | x, y_<t) of given slates [S, K] for contexts [S, H], in one batched
    /// pass: [S, K]. Items already placed in the slate are excluded from each later softmax.
    torch::Tensor logProbs(const torch::Tensor& contexts, const torch::Tensor& slates);

    int64_t itemCount() const { return m_items; }

private:
    int64_t m_items;
    torch::nn::Embedding m_itemEmbedding{nullptr};
    torch::nn::Linear m_hidden{nullptr};
    torch::nn::Linear m_state{nullptr};
    torch::nn::Linear m_output{nullptr};
};
TORCH_MODULE(SlatePolicy);

/// A frozen copy with the same weights (the KL reference): no gradients, never updated.
SlatePolicy frozenCopy(const SlatePolicy& policy, int64_t embeddingDim, int64_t hiddenDim);

/// Masks, for each slate position t, the items placed at positions < t: [S, K, N] booleans.
torch::Tensor earlierItemMask(const torch::Tensor& slates, int64_t items);

}  // namespace sage
