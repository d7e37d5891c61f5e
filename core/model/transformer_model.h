#pragma once
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace sage {

struct TransformerOptions {
    int64_t vocabulary = 0;
    int64_t levels = 1;        // tokens per item; the level embedding tells them apart
    int64_t dModel = 128;
    int64_t layers = 4;
    int64_t heads = 4;
    int64_t feedForward = 512;
    int64_t maxPositions = 64;  // item positions: history window + slate length + 1
    double dropout = 0.1;
};

/// A batch of token sequences, left-padded so that every row ends at the same column.
struct TokenBatch {
    torch::Tensor tokens;     // [B, T] int64
    torch::Tensor positions;  // [B, T] int64: item position (BOS 0, then 1, 2, ...)
    torch::Tensor levels;     // [B, T] int64: code level of the token (BOS: `levels`)
    torch::Tensor valid;      // [B, T] bool: false on padding
};

/// Keys and values of every layer for the tokens seen so far (generation with a KV cache).
struct KeyValueCache {
    std::vector<torch::Tensor> keys;    // per layer [B, heads, T, dHead]
    std::vector<torch::Tensor> values;  // per layer
    torch::Tensor valid;                // [B, T] bool
    /// Repeats every row `times` times (a context's cache shared by its G slates).
    KeyValueCache repeatRows(int64_t times) const;
    /// Row `rows[i]` of this cache as row i (differentiable: gradients flow back to shared rows).
    KeyValueCache selectRows(const torch::Tensor& rows) const;
};

class TransformerBlockImpl : public torch::nn::Module {
public:
    TransformerBlockImpl(const TransformerOptions& options);
    /// x [B, T, d]; attends over the cached keys (if any) plus x causally; appends to the cache.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& attendable,
                          torch::Tensor* cachedKeys, torch::Tensor* cachedValues);

private:
    int64_t m_heads;
    torch::nn::LayerNorm m_norm1{nullptr}, m_norm2{nullptr};
    torch::nn::Linear m_qkv{nullptr}, m_out{nullptr}, m_up{nullptr}, m_down{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(TransformerBlock);

/// A decoder-only, pre-LayerNorm Transformer over item tokens (ENVIRONMENTS.md / issue #4):
/// token + item-position + level embeddings, causal self-attention, output tied to the token
/// embedding. The policy of the generative recommender.
class TransformerModelImpl : public torch::nn::Module {
public:
    explicit TransformerModelImpl(const TransformerOptions& options);

    /// Hidden states [B, T, d] of `batch`. With a cache, `batch` continues the cached sequences:
    /// it attends to them and its keys and values are appended.
    torch::Tensor forward(const TokenBatch& batch, KeyValueCache* cache = nullptr);
    /// Scores over the whole vocabulary [.., V] of hidden states [.., d].
    torch::Tensor logits(const torch::Tensor& hidden);
    /// Scores of the token ids [first, first + count) only: one level's codebook.
    torch::Tensor logits(const torch::Tensor& hidden, int64_t first, int64_t count);
    /// Scores [R, C] of a different set of token ids [R, C] for each hidden state [R, d].
    torch::Tensor logitsOf(const torch::Tensor& hidden, const torch::Tensor& tokens);

    const TransformerOptions& options() const { return m_options; }

private:
    TransformerOptions m_options;
    torch::nn::Embedding m_tokens{nullptr}, m_positions{nullptr}, m_levels{nullptr};
    std::vector<TransformerBlock> m_blocks;
    torch::nn::LayerNorm m_finalNorm{nullptr};
    torch::Tensor m_outputBias;
    torch::nn::Dropout m_dropout{nullptr};
};
TORCH_MODULE(TransformerModel);

}  // namespace sage
