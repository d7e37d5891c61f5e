#include "model/transformer_model.h"

#include <algorithm>
#include <cmath>

namespace sage {

KeyValueCache KeyValueCache::repeatRows(int64_t times) const {
    KeyValueCache out;
    for (const auto& k : keys) out.keys.push_back(k.repeat_interleave(times, 0));
    for (const auto& v : values) out.values.push_back(v.repeat_interleave(times, 0));
    out.valid = valid.repeat_interleave(times, 0);
    return out;
}

KeyValueCache KeyValueCache::selectRows(const torch::Tensor& rows) const {
    KeyValueCache out;
    for (const auto& k : keys) out.keys.push_back(k.index_select(0, rows));
    for (const auto& v : values) out.values.push_back(v.index_select(0, rows));
    out.valid = valid.index_select(0, rows);
    return out;
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerOptions& o) : m_heads(o.heads) {
    m_norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dModel})));
    m_norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dModel})));
    m_qkv = register_module("qkv", torch::nn::Linear(o.dModel, 3 * o.dModel));
    m_out = register_module("out", torch::nn::Linear(o.dModel, o.dModel));
    m_up = register_module("up", torch::nn::Linear(o.dModel, o.feedForward));
    m_down = register_module("down", torch::nn::Linear(o.feedForward, o.dModel));
    m_dropout = register_module("dropout", torch::nn::Dropout(o.dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& attendable,
                                            torch::Tensor* cachedKeys, torch::Tensor* cachedValues) {
    const int64_t batch = x.size(0), length = x.size(1), d = x.size(2);
    const int64_t dHead = d / m_heads;
    auto qkv = m_qkv->forward(m_norm1->forward(x)).view({batch, length, 3, m_heads, dHead});
    auto q = qkv.select(2, 0).transpose(1, 2);  // [B, h, T, dh]
    auto k = qkv.select(2, 1).transpose(1, 2);
    auto v = qkv.select(2, 2).transpose(1, 2);
    if (cachedKeys) {
        if (cachedKeys->defined()) {
            k = torch::cat({*cachedKeys, k}, 2);
            v = torch::cat({*cachedValues, v}, 2);
        }
        *cachedKeys = k;
        *cachedValues = v;
    }
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(dHead));
    scores = scores.masked_fill(~attendable.unsqueeze(1), -std::numeric_limits<float>::infinity());
    const auto attention = m_dropout->forward(torch::softmax(scores, -1));
    const auto mixed = torch::matmul(attention, v).transpose(1, 2).reshape({batch, length, d});
    auto h = x + m_dropout->forward(m_out->forward(mixed));
    return h + m_dropout->forward(m_down->forward(torch::gelu(m_up->forward(m_norm2->forward(h)))));
}

TransformerModelImpl::TransformerModelImpl(const TransformerOptions& o) : m_options(o) {
    m_tokens = register_module("tokens", torch::nn::Embedding(o.vocabulary, o.dModel));
    m_positions = register_module("positions", torch::nn::Embedding(o.maxPositions, o.dModel));
    m_levels = register_module("levels", torch::nn::Embedding(o.levels + 1, o.dModel));
    for (int64_t i = 0; i < o.layers; ++i)
        m_blocks.push_back(register_module("block" + std::to_string(i), TransformerBlock(o)));
    m_finalNorm = register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dModel})));
    m_outputBias = register_parameter("output_bias", torch::zeros({o.vocabulary}));
    m_dropout = register_module("dropout", torch::nn::Dropout(o.dropout));
    // Small initial embeddings keep the tied output layer's first logits near uniform.
    torch::NoGradGuard noGrad;
    for (auto* table : {&m_tokens, &m_positions, &m_levels}) (*table)->weight.normal_(0.0, 0.02);
}

torch::Tensor TransformerModelImpl::forward(const TokenBatch& batch, KeyValueCache* cache) {
    const int64_t length = batch.tokens.size(1);
    auto x = m_tokens->forward(batch.tokens) +
             m_positions->forward(batch.positions.clamp(0, m_options.maxPositions - 1)) +
             m_levels->forward(batch.levels);
    x = m_dropout->forward(x);

    // Which keys each new query may see: cached valid keys, then new keys causally. A query always
    // sees itself, so a padding row never softmaxes over nothing.
    const int64_t cached = cache && cache->valid.defined() ? cache->valid.size(1) : 0;
    const auto keyValid = cached ? torch::cat({cache->valid, batch.valid}, 1) : batch.valid;
    const auto queryIndex = torch::arange(length, batch.tokens.options()).unsqueeze(1) + cached;  // [T, 1]
    const auto keyIndex = torch::arange(cached + length, batch.tokens.options()).unsqueeze(0);    // [1, Tk]
    const auto causal = keyIndex.le(queryIndex);                                         // [T, Tk]
    const auto attendable = (keyValid.unsqueeze(1) & causal.unsqueeze(0)) | keyIndex.eq(queryIndex).unsqueeze(0);

    if (cache && cache->keys.empty()) {
        cache->keys.resize(m_blocks.size());
        cache->values.resize(m_blocks.size());
    }
    for (size_t i = 0; i < m_blocks.size(); ++i) {
        x = m_blocks[i]->forward(x, attendable, cache ? &cache->keys[i] : nullptr,
                                 cache ? &cache->values[i] : nullptr);
    }
    if (cache) cache->valid = keyValid;
    return m_finalNorm->forward(x);
}

torch::Tensor TransformerModelImpl::logits(const torch::Tensor& hidden) {
    return torch::matmul(hidden, m_tokens->weight.t()) + m_outputBias;
}

torch::Tensor TransformerModelImpl::logits(const torch::Tensor& hidden, int64_t first, int64_t count) {
    return torch::matmul(hidden, m_tokens->weight.slice(0, first, first + count).t()) +
           m_outputBias.slice(0, first, first + count);
}

torch::Tensor TransformerModelImpl::logitsOf(const torch::Tensor& hidden, const torch::Tensor& tokens) {
    // Row by row the gathered output embeddings are [rows, C, d]; chunks keep them near 64 MiB.
    const int64_t rows = hidden.size(0);
    const int64_t perRow = std::max<int64_t>(1, tokens.size(1) * hidden.size(1));
    const int64_t chunk = std::max<int64_t>(1, (int64_t{16} << 20) / perRow);
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < rows; begin += chunk) {
        const int64_t end = std::min(rows, begin + chunk);
        const auto ids = tokens.slice(0, begin, end);
        const auto weights = m_tokens->weight.index_select(0, ids.flatten()).view({end - begin, ids.size(1), -1});
        parts.push_back(torch::bmm(weights, hidden.slice(0, begin, end).unsqueeze(-1)).squeeze(-1) +
                        m_outputBias.index_select(0, ids.flatten()).view(ids.sizes()));
    }
    return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

}  // namespace sage
