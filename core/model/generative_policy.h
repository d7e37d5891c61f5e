#pragma once
#include <atomic>
#include <map>
#include <optional>
#include <vector>

#include "model/prefix_children.h"
#include "model/row_sampler.h"
#include "model/token_space.h"
#include "model/transformer_model.h"

namespace sage {

/// The generative recommender's policy: a Transformer over item tokens where a slate is the
/// continuation of the user's history. Generation uses a key/value cache and never repeats an item
/// within a slate; log-probabilities of given slates come from one batched forward pass under the
/// same constraints, so the two agree. Tensors in and out live on device() (topItems: the CPU).
class GenerativePolicy {
public:
    GenerativePolicy(TokenSpace space, TransformerOptions options, int64_t historyWindow,
                     int64_t slateLength);

    TransformerModel& model() { return m_model; }
    const TokenSpace& tokens() const { return m_space; }
    int64_t historyWindow() const { return m_historyWindow; }
    int64_t slateLength() const { return m_slateLength; }
    c10::Device device() const { return m_device; }
    /// Moves the model and its lookup tables to `device` (before an optimizer is made over it).
    void moveTo(c10::Device device);
    static TransformerOptions optionsFor(const TokenSpace& space, TransformerOptions options,
                                         int64_t historyWindow, int64_t slateLength);

    /// BOS + the tokens of the last `historyWindow` items of each history, left-padded.
    TokenBatch encodeHistories(const std::vector<std::vector<int64_t>>& histories,
                               int64_t window = -1) const;

    /// Per-token log π(y_t | x, y_<t) of slates [S, K] (item ids) after contexts [S, ·]: [S, K·L],
    /// in one forward pass over each context and its slate.
    torch::Tensor logProbs(const TokenBatch& contexts, const torch::Tensor& slates);
    /// The same for slates that share contexts: slate s continues row contextOfSlate[s] ([S]
    /// int64) of `contexts`. Each context's forward pass runs once, however many of its slates are
    /// scored, and their slate tokens attend to its keys and values (prefix sharing: a group's G
    /// slates cost one context pass instead of G). Equal to the one-pass form up to rounding, in
    /// values and in gradients.
    torch::Tensor logProbs(const TokenBatch& contexts, const torch::Tensor& contextOfSlate,
                           const torch::Tensor& slates);

    /// How generation computes each next token's hidden state: from the key/value cache (the
    /// default), or by running the model over the whole sequence so far again (the benchmark's
    /// "without the cache" row, and the test that the two agree).
    enum class Decoding { Cached, Uncached };

    struct Generated {
        torch::Tensor slates;  // [S, K] item ids, S = B·G, rows grouped by context
        torch::Tensor logp;    // [S, K·L] log-probabilities at temperature 1
        double entropy = 0.0;  // mean entropy of the next-token distributions (nats)
    };
    /// Samples `groupSize` slates per context with the KV cache; nullopt if `stop` became true.
    std::optional<Generated> sample(const TokenBatch& contexts, int64_t groupSize,
                                    double temperature, const RowSampler& sampler,
                                    const std::atomic<bool>* stop = nullptr,
                                    Decoding decoding = Decoding::Cached);
    /// The same slates' log-probabilities decoded token by token with the cache (tests, bench).
    torch::Tensor cachedLogProbs(const TokenBatch& contexts, const torch::Tensor& slates);

    /// The k most probable first items after each context, [B, k] on the CPU (the evaluation ranking; exact
    /// for item IDs, a beam of width `beam` ≥ k over the code levels for semantic IDs).
    torch::Tensor topItems(const TokenBatch& contexts, int64_t k, int64_t beam = 0);

    /// Mean next-token cross-entropy over whole sequences (SFT: every cut point in one pass).
    torch::Tensor nextTokenLoss(const std::vector<std::vector<int64_t>>& sequences);

private:
    /// [rows, V] bool: tokens allowed as the next token given each row's slate so far.
    torch::Tensor allowedNext(const torch::Tensor& slateTokens, int64_t step) const;
    /// Tokens of slates [S, K] → [S, K·L].
    torch::Tensor slateTokens(const torch::Tensor& slates) const;
    /// log π of each slate token [S, K·L] from the hidden states that predict them [S, K·L, d].
    torch::Tensor constrainedLogProbs(const torch::Tensor& predicting, const torch::Tensor& tokens);
    TokenBatch continuation(const TokenBatch& contexts, const torch::Tensor& tokens,
                            int64_t firstStep) const;

    TokenSpace m_space;
    TransformerModel m_model{nullptr};
    int64_t m_historyWindow;
    int64_t m_slateLength;
    torch::Tensor m_levelOfToken;  // [V] level of each token id (BOS: levels)
    torch::Tensor m_itemCodes;     // [N, L] semantic IDs (empty for item IDs)
    std::map<std::vector<int64_t>, int64_t> m_itemOfTokens;  // an item's tokens → the item
    std::optional<PrefixChildren> m_prefixChildren;          // beam search's table (semantic IDs)
    c10::Device m_device{c10::kCPU};
};

}  // namespace sage
