#pragma once
// Model FLOPs of core/model/transformer_model.cpp, counted the way utilisation figures usually are:
// multiply-adds of the matrix products only (2 FLOPs each), none for softmax, norms or masks, and
// a backward pass at twice the forward. Attention is counted over the whole key length, as the
// model computes it (masked scores are computed, then discarded). Count what the code executes:
// a context shared by several slates is one pass, not one per slate.
#include <cstdint>

namespace sage::bench {

struct TransformerShape {
    int64_t dModel = 128;
    int64_t layers = 4;
    int64_t feedForward = 512;
};

/// Forward FLOPs of the Transformer blocks for `rows` sequences of `newTokens` tokens each, whose
/// queries attend over `keyLength` keys (cached keys + the new tokens).
inline double blockForwardFlops(const TransformerShape& s, double rows, double newTokens, double keyLength) {
    const double d = static_cast<double>(s.dModel);
    const double ff = static_cast<double>(s.feedForward);
    const double layers = static_cast<double>(s.layers);
    const double densePerToken = layers * 2.0 * (4.0 * d * d + 2.0 * d * ff);  // qkv, out, up, down
    const double attentionPerToken = layers * 4.0 * keyLength * d;             // QKᵀ and AV
    return rows * newTokens * (densePerToken + attentionPerToken);
}

/// Forward FLOPs of the output layer (tied to the token embedding) at `positions` positions, each
/// scored against `vocabulary` tokens.
inline double outputForwardFlops(const TransformerShape& s, double positions, double vocabulary) {
    return 2.0 * static_cast<double>(s.dModel) * vocabulary * positions;
}

/// Forward + backward of a forward pass of `forwardFlops`.
constexpr double kTrainingFlopsPerForwardFlop = 3.0;

}  // namespace sage::bench
