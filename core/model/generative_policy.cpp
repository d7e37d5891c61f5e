#include "model/generative_policy.h"

#include <stdexcept>

namespace sage {
namespace {

constexpr float kMasked = -std::numeric_limits<float>::infinity();

}  // namespace

TransformerOptions GenerativePolicy::optionsFor(const TokenSpace& space, TransformerOptions options,
                                                int64_t historyWindow, int64_t slateLength) {
    options.vocabulary = space.vocabulary();
    options.levels = space.levels();
    options.maxPositions = historyWindow + slateLength + 2;
    return options;
}

GenerativePolicy::GenerativePolicy(TokenSpace space, TransformerOptions options,
                                   int64_t historyWindow, int64_t slateLength)
    : m_space(std::move(space)), m_historyWindow(historyWindow), m_slateLength(slateLength) {
    m_model = TransformerModel(optionsFor(m_space, options, historyWindow, slateLength));
    std::vector<int64_t> levels(m_space.vocabulary(), m_space.levels());
    for (int level = 0; level < m_space.levels(); ++level)
        for (int64_t code = 0; code < m_space.levelSize(level); ++code)
            levels[m_space.token(level, code)] = level;
    m_levelOfToken = torch::tensor(levels, torch::kLong);
    if (!m_space.isItemIds()) {
        std::vector<int64_t> codes;
        for (int64_t item = 0; item < m_space.items(); ++item)
            for (int level = 0; level < m_space.levels(); ++level) codes.push_back(m_space.code(item, level));
        m_itemCodes = torch::tensor(codes, torch::kLong).view({m_space.items(), m_space.levels()});
        m_prefixChildren.emplace(m_space);
        for (int64_t item = 0; item < m_space.items(); ++item) {
            std::vector<int64_t> key;
            m_space.appendTokens(item, key);
            m_itemOfTokens.emplace(key, item);
        }
    }
}

void GenerativePolicy::moveTo(c10::Device device) {
    m_model->to(device);
    m_levelOfToken = m_levelOfToken.to(device);
    if (m_itemCodes.defined()) m_itemCodes = m_itemCodes.to(device);
    if (m_prefixChildren) m_prefixChildren->moveTo(device);
    m_device = device;
}

TokenBatch GenerativePolicy::encodeHistories(const std::vector<std::vector<int64_t>>& histories,
                                             int64_t window) const {
    if (window < 0) window = m_historyWindow;
    const int64_t levels = m_space.levels();
    const auto rows = static_cast<int64_t>(histories.size());
    int64_t longest = 0;
    for (const auto& h : histories) longest = std::max<int64_t>(longest, std::min<int64_t>(window, h.size()));
    const int64_t length = 1 + longest * levels;
    TokenBatch b;
    b.tokens = torch::full({rows, length}, m_space.beginToken(), torch::kLong);
    b.positions = torch::zeros({rows, length}, torch::kLong);
    b.levels = torch::full({rows, length}, levels, torch::kLong);
    b.valid = torch::zeros({rows, length}, torch::kBool);
    auto tokens = b.tokens.accessor<int64_t, 2>();
    auto positions = b.positions.accessor<int64_t, 2>();
    auto levelIds = b.levels.accessor<int64_t, 2>();
    auto valid = b.valid.accessor<bool, 2>();
    std::vector<int64_t> itemTokens;
    for (int64_t r = 0; r < rows; ++r) {
        const auto& h = histories[r];
        const int64_t take = std::min<int64_t>(window, h.size());
        int64_t column = length - 1 - take * levels;  // BOS, then the items, right-aligned
        valid[r][column] = true;
        ++column;
        for (int64_t i = 0; i < take; ++i) {
            itemTokens.clear();
            m_space.appendTokens(h[h.size() - take + i], itemTokens);
            for (int64_t l = 0; l < levels; ++l, ++column) {
                tokens[r][column] = itemTokens[l];
                positions[r][column] = i + 1;
                levelIds[r][column] = l;
                valid[r][column] = true;
            }
        }
    }
    // Built on the CPU through accessors, then moved in one go.
    return {b.tokens.to(m_device), b.positions.to(m_device), b.levels.to(m_device), b.valid.to(m_device)};
}

torch::Tensor GenerativePolicy::slateTokens(const torch::Tensor& slates) const {
    if (m_space.isItemIds()) return slates + m_space.levelOffset(0);
    const auto codes = m_itemCodes.index_select(0, slates.flatten());  // [S·K, L]
    std::vector<int64_t> offsets;
    for (int l = 0; l < m_space.levels(); ++l) offsets.push_back(m_space.levelOffset(l));
    return (codes + torch::tensor(offsets, torch::kLong).to(codes.device())).view({slates.size(0), -1});
}

TokenBatch GenerativePolicy::continuation(const TokenBatch& contexts, const torch::Tensor& tokens,
                                          int64_t firstStep) const {
    // Slate tokens continue each row's item positions after its last context item.
    const int64_t levels = m_space.levels();
    const int64_t steps = tokens.size(1);
    const auto step = torch::arange(firstStep, firstStep + steps, tokens.options());
    const auto lastPosition = contexts.positions.select(1, contexts.positions.size(1) - 1).unsqueeze(1);
    TokenBatch b;
    b.tokens = tokens;
    b.positions = lastPosition + 1 + step.div(levels, "floor").unsqueeze(0);
    b.levels = step.remainder(levels).unsqueeze(0).expand({tokens.size(0), steps}).contiguous();
    b.valid = torch::ones({tokens.size(0), steps}, tokens.options().dtype(torch::kBool));
    return b;
}

torch::Tensor GenerativePolicy::allowedNext(const torch::Tensor& slateSoFar, int64_t step) const {
    // slateSoFar: [rows, step] tokens already generated in each row's slate.
    const int64_t rows = slateSoFar.size(0);
    const int64_t levels = m_space.levels();
    const int level = static_cast<int>(step % levels);
    const int64_t itemsDone = step / levels;
    const auto flags = slateSoFar.options().dtype(torch::kBool);
    auto allowed = torch::zeros({rows, m_space.vocabulary()}, flags);
    const int64_t offset = m_space.levelOffset(level);
    const int64_t size = m_space.levelSize(level);
    if (m_space.isItemIds()) {
        auto free = torch::ones({rows, size}, flags);
        if (itemsDone > 0) free.scatter_(1, slateSoFar.slice(1, 0, itemsDone) - offset, false);
        allowed.slice(1, offset, offset + size).copy_(free);
        return allowed;
    }
    // Semantic IDs: a code is allowed if some item not yet in the slate continues this prefix.
    auto candidates = torch::ones({rows, m_space.items()}, flags);
    if (itemsDone > 0) {
        auto chosen = torch::empty({rows, itemsDone}, torch::kLong);
        const auto slateOnCpu = slateSoFar.cpu();
        auto tokens = slateOnCpu.accessor<int64_t, 2>();
        auto out = chosen.accessor<int64_t, 2>();
        std::vector<int64_t> key(levels);
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t i = 0; i < itemsDone; ++i) {
                for (int64_t l = 0; l < levels; ++l) key[l] = tokens[r][i * levels + l];
                out[r][i] = m_itemOfTokens.at(key);
            }
        candidates.scatter_(1, chosen.to(slateSoFar.device()), false);
    }
    for (int l = 0; l < level; ++l) {
        const auto prefix = slateSoFar.select(1, itemsDone * levels + l) - m_space.levelOffset(l);
        candidates &= m_itemCodes.select(1, l).unsqueeze(0).eq(prefix.unsqueeze(1));
    }
    const auto index = m_itemCodes.select(1, level).unsqueeze(0).expand({rows, m_space.items()});
    const auto counts = torch::zeros({rows, size}, index.options()).scatter_add_(1, index, candidates.to(torch::kLong));
    allowed.slice(1, offset, offset + size).copy_(counts.gt(0));
    return allowed;
}

torch::Tensor GenerativePolicy::logProbs(const TokenBatch& contexts, const torch::Tensor& slates) {
    const auto tokens = slateTokens(slates);  // [S, K·L]
    const int64_t steps = tokens.size(1);
    const int64_t contextLength = contexts.tokens.size(1);
    const auto next = continuation(contexts, tokens, 0);
    TokenBatch full;
    full.tokens = torch::cat({contexts.tokens, next.tokens}, 1);
    full.positions = torch::cat({contexts.positions, next.positions}, 1);
    full.levels = torch::cat({contexts.levels, next.levels}, 1);
    full.valid = torch::cat({contexts.valid, next.valid}, 1);
    // Position t predicts token t+1: the slate's tokens are predicted from the last context token on.
    return constrainedLogProbs(m_model->forward(full).slice(1, contextLength - 1, contextLength - 1 + steps),
                               tokens);
}

torch::Tensor GenerativePolicy::logProbs(const TokenBatch& contexts, const torch::Tensor& contextOfSlate,
                                         const torch::Tensor& slates) {
    const auto tokens = slateTokens(slates);  // [S, K·L]
    const int64_t steps = tokens.size(1);
    KeyValueCache cache;
    const auto contextHidden = m_model->forward(contexts, &cache);
    // The last context position predicts the first slate token; each slate token the next one.
    auto predicting = contextHidden.select(1, contextHidden.size(1) - 1).index_select(0, contextOfSlate).unsqueeze(1);
    if (steps > 1) {
        auto slateCache = cache.selectRows(contextOfSlate);
        TokenBatch rows;
        rows.positions = contexts.positions.index_select(0, contextOfSlate);
        const auto slateHidden =
            m_model->forward(continuation(rows, tokens.slice(1, 0, steps - 1), 0), &slateCache);
        predicting = torch::cat({predicting, slateHidden}, 1);
    }
    return constrainedLogProbs(predicting, tokens);
}

torch::Tensor GenerativePolicy::constrainedLogProbs(const torch::Tensor& predicting, const torch::Tensor& tokens) {
    const int64_t steps = tokens.size(1);
    std::vector<torch::Tensor> masks;
    for (int64_t step = 0; step < steps; ++step) masks.push_back(allowedNext(tokens.slice(1, 0, step), step));
    const auto allowed = torch::stack(masks, 1);  // [S, K·L, V]
    const auto logp = torch::log_softmax(m_model->logits(predicting).masked_fill(~allowed, kMasked), -1);
    return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
}

std::optional<GenerativePolicy::Generated> GenerativePolicy::sample(
    const TokenBatch& contexts, int64_t groupSize, double temperature, const RowSampler& sampler,
    const std::atomic<bool>* stop, Decoding decoding) {
    torch::NoGradGuard noGrad;
    const bool cached = decoding == Decoding::Cached;
    KeyValueCache contextCache;
    const auto contextHidden = m_model->forward(contexts, cached ? &contextCache : nullptr);
    // Every slate of a group shares its context's keys and values.
    KeyValueCache cache = cached ? contextCache.repeatRows(groupSize) : KeyValueCache{};
    auto hidden = contextHidden.select(1, contextHidden.size(1) - 1).repeat_interleave(groupSize, 0);
    TokenBatch repeated;
    repeated.positions = contexts.positions.repeat_interleave(groupSize, 0);
    // Without the cache, every step runs the model over the context and the slate so far.
    TokenBatch sequence;
    if (!cached) {
        sequence.tokens = contexts.tokens.repeat_interleave(groupSize, 0);
        sequence.positions = repeated.positions;
        sequence.levels = contexts.levels.repeat_interleave(groupSize, 0);
        sequence.valid = contexts.valid.repeat_interleave(groupSize, 0);
    }
    const int64_t rows = hidden.size(0);
    const int64_t steps = m_slateLength * m_space.levels();
    auto tokens = torch::empty({rows, steps}, repeated.positions.options());
    auto logps = torch::empty({rows, steps}, hidden.options());
    // Summed on the device and read once at the end: no host sync per generated token.
    auto entropy = torch::zeros({}, hidden.options());
    for (int64_t step = 0; step < steps; ++step) {
        if (stop && stop->load(std::memory_order_relaxed)) return std::nullopt;
        const auto allowed = allowedNext(tokens.slice(1, 0, step), step);
        const auto masked = m_model->logits(hidden).masked_fill(~allowed, kMasked);
        const auto logp = torch::log_softmax(masked, -1);
        const auto p = logp.exp();
        entropy -= (p * logp.masked_fill(~allowed, 0.0)).sum(-1).mean();
        const auto sampling = temperature == 1.0 ? p : torch::softmax(masked / temperature, -1);
        const auto pick = sampler.draw(sampling);  // [rows, 1]
        tokens.select(1, step).copy_(pick.squeeze(1));
        logps.select(1, step).copy_(logp.gather(1, pick).squeeze(1));
        if (step + 1 == steps) break;
        const auto next = continuation(repeated, pick, step);
        if (cached) {
            hidden = m_model->forward(next, &cache).select(1, 0);
        } else {
            sequence.tokens = torch::cat({sequence.tokens, next.tokens}, 1);
            sequence.positions = torch::cat({sequence.positions, next.positions}, 1);
            sequence.levels = torch::cat({sequence.levels, next.levels}, 1);
            sequence.valid = torch::cat({sequence.valid, next.valid}, 1);
            hidden = m_model->forward(sequence).select(1, -1);
        }
    }
    Generated out;
    out.logp = logps;
    out.entropy = entropy.item<double>() / static_cast<double>(steps);
    // Tokens back to item ids.
    if (m_space.isItemIds()) {
        out.slates = tokens - m_space.levelOffset(0);
    } else {
        out.slates = torch::empty({rows, m_slateLength}, torch::kLong);
        const auto tokensOnCpu = tokens.cpu();
        auto t = tokensOnCpu.accessor<int64_t, 2>();
        auto s = out.slates.accessor<int64_t, 2>();
        std::vector<int64_t> key(m_space.levels());
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t k = 0; k < m_slateLength; ++k) {
                for (int l = 0; l < m_space.levels(); ++l) key[l] = t[r][k * m_space.levels() + l];
                s[r][k] = m_itemOfTokens.at(key);
            }
        out.slates = out.slates.to(tokens.device());
    }
    return out;
}

torch::Tensor GenerativePolicy::cachedLogProbs(const TokenBatch& contexts, const torch::Tensor& slates) {
    torch::NoGradGuard noGrad;
    const auto tokens = slateTokens(slates);
    KeyValueCache cache;
    const auto contextHidden = m_model->forward(contexts, &cache);
    auto hidden = contextHidden.select(1, contextHidden.size(1) - 1);
    auto out = torch::empty(tokens.sizes(), hidden.options());
    for (int64_t step = 0; step < tokens.size(1); ++step) {
        const auto allowed = allowedNext(tokens.slice(1, 0, step), step);
        const auto logp = torch::log_softmax(m_model->logits(hidden).masked_fill(~allowed, kMasked), -1);
        const auto token = tokens.select(1, step).unsqueeze(1);
        out.select(1, step).copy_(logp.gather(1, token).squeeze(1));
        hidden = m_model->forward(continuation(contexts, token, step), &cache).select(1, 0);
    }
    return out;
}

torch::Tensor GenerativePolicy::topItems(const TokenBatch& contexts, int64_t k, int64_t beam) {
    torch::NoGradGuard noGrad;
    // Beams continue from the contexts' keys and values; item IDs need none.
    KeyValueCache cache;
    const auto hidden = m_model->forward(contexts, m_space.isItemIds() ? nullptr : &cache);
    const auto last = hidden.select(1, hidden.size(1) - 1);
    const int64_t rows = last.size(0);
    if (m_space.isItemIds()) {
        const auto noSlate = torch::empty({rows, 0}, contexts.tokens.options());
        const auto logits = m_model->logits(last).masked_fill(~allowedNext(noSlate, 0), kMasked);
        return (std::get<1>(logits.topk(k, -1)) - m_space.levelOffset(0)).cpu();
    }
    // Beam search over the code levels, constrained to real items (TIGER's protocol). Each beam
    // scores only its prefix's real continuations: a log-softmax over them equals the masked
    // log-softmax over the whole vocabulary.
    beam = std::max(beam, k);
    auto prefixes = torch::zeros({rows, 1}, torch::TensorOptions().dtype(torch::kLong).device(last.device()));
    auto beamLogp = torch::zeros({rows, 1}, last.options());
    auto states = last.unsqueeze(1);  // [rows, beams, d]
    KeyValueCache beamCache = cache;
    for (int level = 0; level < m_space.levels(); ++level) {
        const auto& table = m_prefixChildren->level(level);
        const int64_t beams = prefixes.size(1);
        const int64_t width = table.codes.size(1);
        const auto rowsOfBeams = prefixes.flatten();
        const auto codes = table.codes.index_select(0, rowsOfBeams);  // [rows·beams, width]
        // A filler beam (fewer prefixes than beams) sits at −inf and so do all its children.
        const auto valid = table.valid.index_select(0, rowsOfBeams) & beamLogp.flatten().isfinite().unsqueeze(1);
        const auto logits = m_model->logitsOf(states.reshape({rows * beams, -1}), codes + m_space.levelOffset(level))
                                .masked_fill(~valid, kMasked);
        const auto norm = logits.logsumexp(-1, true);
        const auto logp = torch::where(valid, logits - norm, torch::full({}, kMasked, logits.options()));
        const auto total = (beamLogp.reshape({rows * beams, 1}) + logp).view({rows, beams * width});
        const int64_t kept = std::min<int64_t>(level + 1 == m_space.levels() ? k : beam, total.size(1));
        auto [scores, index] = total.topk(kept, -1);
        const auto next = table.next.index_select(0, rowsOfBeams).view({rows, beams * width}).gather(1, index);
        beamLogp = scores;
        if (level + 1 == m_space.levels()) return next.cpu();  // the last level leads to items
        prefixes = next;
        // Reorder the caches by parent beam and feed the chosen codes.
        const auto parent = index.div(width, "floor");
        const auto token = codes.view({rows, beams * width}).gather(1, index) + m_space.levelOffset(level);
        const auto rowIndex = (torch::arange(rows, parent.options()).unsqueeze(1) * beams + parent).flatten();
        KeyValueCache reordered;
        for (size_t i = 0; i < beamCache.keys.size(); ++i) {
            reordered.keys.push_back(beamCache.keys[i].index_select(0, rowIndex));
            reordered.values.push_back(beamCache.values[i].index_select(0, rowIndex));
        }
        reordered.valid = beamCache.valid.index_select(0, rowIndex);
        beamCache = reordered;
        TokenBatch positions;
        positions.positions = contexts.positions.repeat_interleave(kept, 0);
        states = m_model->forward(continuation(positions, token.flatten().unsqueeze(1), level), &beamCache)
                     .select(1, 0)
                     .view({rows, kept, -1});
    }
    throw std::logic_error("GenerativePolicy::topItems: a semantic-ID space without levels");
}

torch::Tensor GenerativePolicy::nextTokenLoss(const std::vector<std::vector<int64_t>>& sequences) {
    // The model sees up to maxPositions − 2 items; longer sequences keep their most recent part.
    const int64_t window = m_model->options().maxPositions - 2;
    const auto batch = encodeHistories(sequences, window);
    const auto hidden = m_model->forward(batch);
    const int64_t length = batch.tokens.size(1);
    // Only positions followed by a real token are scored: padding never reaches the output layer,
    // which over a whole catalogue is most of the cost.
    const auto predict = batch.valid.slice(1, 1, length).flatten();
    const auto inputs = hidden.slice(1, 0, length - 1).reshape({-1, hidden.size(2)}).index({predict});
    const auto targets = batch.tokens.slice(1, 1, length).flatten().index({predict});
    const auto targetLevels = m_levelOfToken.index_select(0, targets);
    // Each target is scored against its own level's tokens only (its codebook, or every item).
    torch::Tensor total = torch::zeros({}, hidden.options());
    for (int level = 0; level < m_space.levels(); ++level) {
        const auto rows = targetLevels.eq(level).nonzero().squeeze(1);
        if (rows.numel() == 0) continue;
        const int64_t offset = m_space.levelOffset(level);
        const int64_t size = m_space.levelSize(level);
        const auto logits = m_model->logits(inputs.index_select(0, rows), offset, size);
        total = total + torch::nn::functional::cross_entropy(
                            logits, targets.index_select(0, rows) - offset,
                            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    }
    return total / std::max<int64_t>(1, targets.size(0));
}

}  // namespace sage
