#include "data/amazon_environment.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

namespace sage {
namespace {

// Order of the components: hit, future_hit, relevance, diversity, cold_hit, invalid.
enum Component { kHit, kFutureHit, kRelevance, kDiversity, kColdHit, kInvalid };

}  // namespace

AmazonEnvironment::AmazonEnvironment(const AmazonData& data, at::Tensor itemEmbeddings,
                                     std::vector<int64_t> categories, int futureItems)
    : m_data(data),
      m_embeddings(itemEmbeddings.to(torch::kFloat32).contiguous()),
      m_categories(std::move(categories)),
      m_futureItems(futureItems) {
    for (int64_t c : m_categories) m_categoryCount = std::max(m_categoryCount, c + 1);
    for (int64_t user = 0; user < data.split.userCount(); ++user)
        if (data.split.training(user).size() >= 2) m_trainableUsers.push_back(user);
    if (m_trainableUsers.empty())
        throw std::invalid_argument("no user has two training items: nothing to cut for RL contexts");
}

const std::vector<std::string>& AmazonEnvironment::components() const {
    static const std::vector<std::string> names{"hit", "future_hit", "relevance",
                                                "diversity", "cold_hit", "invalid"};
    return names;
}

const std::vector<bool>& AmazonEnvironment::itemAttributable() const {
    static const std::vector<bool> attributable{true, true, true, false, true, false};
    return attributable;
}

std::vector<double> AmazonEnvironment::weights(const RunConfig::Rewards& r) const {
    return {r.hit, r.futureHit, r.relevance, r.diversity, r.coldHit, r.invalid};
}

std::vector<int64_t> AmazonEnvironment::categoryKeys(const SequenceDataset& dataset,
                                                     const std::vector<int64_t>& fallback) {
    // Attribute ids and fallback keys share one key space: fallbacks go after the attributes.
    std::vector<int64_t> keys(dataset.itemCount);
    for (int64_t item = 0; item < dataset.itemCount; ++item) {
        const auto& attributes = dataset.itemAttributes[item];
        keys[item] = !attributes.empty() ? attributes.front()
                                         : dataset.attributeCount + fallback.at(item);
    }
    return keys;
}

std::vector<SlateContext> AmazonEnvironment::drawContexts(int count, std::mt19937_64& rng) const {
    std::uniform_int_distribution<size_t> pickUser(0, m_trainableUsers.size() - 1);
    std::vector<SlateContext> contexts(count);
    for (auto& context : contexts) {
        context.user = m_trainableUsers[pickUser(rng)];
        const auto& training = m_data.split.training(context.user);
        std::uniform_int_distribution<size_t> cut(1, training.size() - 1);
        const size_t at = cut(rng);
        context.history.assign(training.begin(), training.begin() + static_cast<std::ptrdiff_t>(at));
        const size_t end = std::min(training.size(), at + static_cast<size_t>(m_futureItems));
        context.future.assign(training.begin() + static_cast<std::ptrdiff_t>(at),
                              training.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return contexts;
}

SlateResponse AmazonEnvironment::respond(const SlateContext& context, const std::vector<int64_t>& slate,
                                         std::mt19937_64&) const {
    SlateResponse r;
    r.components.assign(components().size(), 0.0);
    r.coldComponents.assign(components().size(), 0.0);
    const int64_t items = itemCount();
    std::unordered_set<int64_t> seen;
    int invalid = 0;
    for (int64_t item : slate)
        if (item < 0 || item >= items || !seen.insert(item).second) ++invalid;
    r.components[kInvalid] = slate.empty() ? 0.0 : static_cast<double>(invalid) / slate.size();
    if (context.future.empty()) return r;

    const auto& split = m_data.split;
    const int64_t next = context.future.front();
    for (size_t position = 0; position < slate.size(); ++position) {
        if (slate[position] != next) continue;
        r.components[kHit] = 1.0 / std::log2(2.0 + static_cast<double>(position));
        if (split.isCold(next)) r.coldComponents[kHit] = r.components[kHit];
        break;
    }
    int futureHits = 0, coldFutureHits = 0;
    for (int64_t item : context.future) {
        if (!seen.count(item)) continue;
        ++futureHits;
        if (split.isCold(item)) ++coldFutureHits;
    }
    const double futureCount = static_cast<double>(context.future.size());
    r.components[kFutureHit] = futureHits / futureCount;
    r.coldComponents[kFutureHit] = coldFutureHits / futureCount;
    r.components[kColdHit] = r.coldComponents[kColdHit] = coldFutureHits > 0 ? 1.0 : 0.0;

    // Relevance: mean cosine similarity of every (valid) slate item with every future item.
    std::vector<int64_t> valid;
    for (int64_t item : slate)
        if (item >= 0 && item < items) valid.push_back(item);
    if (!valid.empty()) {
        const auto slateRows = m_embeddings.index_select(0, torch::tensor(valid, torch::kLong));
        const auto futureRows = m_embeddings.index_select(0, torch::tensor(context.future, torch::kLong));
        const auto similarity = slateRows.matmul(futureRows.t());  // unit rows: cosines
        r.components[kRelevance] = similarity.mean().item<double>();
        std::vector<int64_t> coldRows;
        for (size_t i = 0; i < valid.size(); ++i)
            if (split.isCold(valid[i])) coldRows.push_back(static_cast<int64_t>(i));
        if (!coldRows.empty())
            r.coldComponents[kRelevance] =
                similarity.index_select(0, torch::tensor(coldRows, torch::kLong)).sum().item<double>() /
                static_cast<double>(similarity.numel());
    }
    r.components[kDiversity] = listEntropy(slate);
    return r;
}

double AmazonEnvironment::listEntropy(const std::vector<int64_t>& slate) const {
    std::map<int64_t, int> counts;
    int64_t valid = 0;
    for (int64_t item : slate) {
        if (item < 0 || item >= itemCount()) continue;
        ++counts[m_categories[item]];
        ++valid;
    }
    const int64_t levels = std::min<int64_t>(valid, m_categoryCount);
    if (levels < 2) return 0.0;
    double entropy = 0.0;
    for (const auto& [key, count] : counts) {
        const double q = static_cast<double>(count) / valid;
        entropy -= q * std::log(q);
    }
    return entropy / std::log(static_cast<double>(levels));
}

}  // namespace sage
