#include "data/synthetic_environment.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace sage {
namespace {

// Click-model constants. The click bias b₀ is not a constant: it is calibrated per world so that
// the base click rate (a random item, examined) is about 5 %; feedback is rejection-dominated.
constexpr double kClickScale = 1.0;
constexpr double kBaseClickRate = 0.05;
constexpr int kCalibrationPairs = 4000;
constexpr double kExamineDecay = 0.85;
constexpr double kFatigue = 0.7;
constexpr double kPurchaseScale = 2.0;
constexpr double kPurchaseBias = -1.0;
constexpr double kDislikeBias = -2.0;
constexpr double kColdShare = 0.15;
constexpr int kMaxColdLogged = 3;
constexpr double kPopularityWeight = 1.0;
constexpr double kAffinityWeight = 2.0;
constexpr int kMinHistory = 8;
constexpr int kMaxHistory = 40;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

const std::vector<std::string>& SyntheticEnvironment::componentNames() {
    static const std::vector<std::string> names{"click",   "purchase",  "dwell",
                                                "dislike", "diversity", "cold_click"};
    return names;
}

const std::vector<double>& SyntheticEnvironment::defaultWeights() {
    static const std::vector<double> weights{1.0, 1.0, 0.5, -1.0, 0.2, 0.0};
    return weights;
}

const std::vector<bool>& SyntheticEnvironment::itemAttributable() const {
    static const std::vector<bool> attributable{true, true, true, true, false, true};
    return attributable;
}

SyntheticEnvironment::SyntheticEnvironment(const RunConfig::Environment& options, uint64_t seed)
    : m_userCount(options.users),
      m_itemCount(options.items),
      m_categoryCount(options.categories),
      m_dim(options.latentDim) {
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 17);
    generateWorld(rng);
    calibrateClickBias(rng);
    generateHistories(rng);
    m_logged.itemCount = m_itemCount;
    m_logged.attributeCount = m_categoryCount;
    m_logged.itemAttributes.resize(m_itemCount);
    for (int j = 0; j < m_itemCount; ++j) m_logged.itemAttributes[j] = {m_itemCategory[j]};
    m_split.emplace(m_logged);
}

void SyntheticEnvironment::calibrateClickBias(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> user(0, m_userCount - 1);
    std::uniform_int_distribution<int> item(0, m_itemCount - 1);
    std::vector<double> scores(kCalibrationPairs);
    for (auto& score : scores) score = kClickScale * affinity(user(rng), item(rng));
    // The mean click probability rises monotonically with b₀: bisection finds the 5 % point.
    double low = -30.0, high = 30.0;
    for (int iteration = 0; iteration < 60; ++iteration) {
        const double mid = 0.5 * (low + high);
        double rate = 0.0;
        for (double score : scores) rate += sigmoid(score + mid);
        (rate / kCalibrationPairs < kBaseClickRate ? low : high) = mid;
    }
    m_clickBias = 0.5 * (low + high);
}

void SyntheticEnvironment::generateWorld(std::mt19937_64& rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> centres(static_cast<size_t>(m_categoryCount) * m_dim);
    for (auto& value : centres) value = normal(rng);

    m_itemVectors.resize(static_cast<size_t>(m_itemCount) * m_dim);
    m_itemQuality.resize(m_itemCount);
    m_itemCategory.resize(m_itemCount);
    m_itemCold.assign(m_itemCount, 0);
    std::uniform_int_distribution<int> pickCategory(0, m_categoryCount - 1);
    for (int j = 0; j < m_itemCount; ++j) {
        // Every category gets items before any gets a second share, so none is empty.
        const int c = j < m_categoryCount ? j : pickCategory(rng);
        m_itemCategory[j] = c;
        for (int k = 0; k < m_dim; ++k)
            m_itemVectors[static_cast<size_t>(j) * m_dim + k] = centres[c * m_dim + k] + 0.5f * normal(rng);
        m_itemQuality[j] = normal(rng);
    }
    // Exactly 15 % of the catalogue is released late (cold), chosen at random.
    std::vector<int> order(m_itemCount);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    const auto coldCount = static_cast<int>(kColdShare * m_itemCount);
    for (int k = 0; k < coldCount; ++k) m_itemCold[order[k]] = 1;

    m_userVectors.resize(static_cast<size_t>(m_userCount) * m_dim);
    std::uniform_int_distribution<int> mixSize(1, 3);
    for (int u = 0; u < m_userCount; ++u) {
        const int mix = mixSize(rng);
        float* vector = &m_userVectors[static_cast<size_t>(u) * m_dim];
        for (int m = 0; m < mix; ++m) {
            const int c = pickCategory(rng);
            for (int k = 0; k < m_dim; ++k) vector[k] += centres[c * m_dim + k] / mix;
        }
        for (int k = 0; k < m_dim; ++k) vector[k] += 0.3f * normal(rng);
    }
}

void SyntheticEnvironment::generateHistories(std::mt19937_64& rng) {
    // Popularity: a Zipf-like law over a random order of the warm items.
    std::vector<int> order(m_itemCount);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<double> logPopularity(m_itemCount);
    for (int rank = 0; rank < m_itemCount; ++rank) logPopularity[order[rank]] = -0.8 * std::log(rank + 1.0);

    std::vector<int> coldLogged(m_itemCount, 0);
    std::uniform_int_distribution<int> length(kMinHistory, kMaxHistory);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> weights(m_itemCount);
    m_logged.sequences.assign(m_userCount, {});
    for (int u = 0; u < m_userCount; ++u) {
        double maxScore = -1e300;
        for (int j = 0; j < m_itemCount; ++j) {
            weights[j] = kPopularityWeight * logPopularity[j] + kAffinityWeight * affinity(u, j);
            maxScore = std::max(maxScore, weights[j]);
        }
        for (int j = 0; j < m_itemCount; ++j) {
            // The logging policy almost never showed late-released (cold) items.
            const bool hidden = m_itemCold[j] && coldLogged[j] >= kMaxColdLogged;
            weights[j] = hidden ? 0.0 : std::exp(weights[j] - maxScore) * (m_itemCold[j] ? 0.02 : 1.0);
        }
        std::discrete_distribution<int> logger(weights.begin(), weights.end());
        const int target = std::min(length(rng), m_itemCount);
        auto& history = m_logged.sequences[u];
        std::vector<uint8_t> seen(m_itemCount, 0);
        // Bounded: a user with few appealing items still ends with a history of the target length.
        for (int attempt = 0; static_cast<int>(history.size()) < target && attempt < 200 * target; ++attempt) {
            const int j = logger(rng);
            if (seen[j] || (m_itemCold[j] && coldLogged[j] >= kMaxColdLogged)) continue;
            // The logged clicks of a user: the same click model, so histories reveal taste.
            if (uniform(rng) < 4.0 * sigmoid(kClickScale * affinity(u, j) + m_clickBias) ||
                attempt > 100 * target) {
                seen[j] = 1;
                history.push_back(j);
                if (m_itemCold[j]) ++coldLogged[j];
            }
        }
    }
}

std::vector<SlateContext> SyntheticEnvironment::drawContexts(int count, std::mt19937_64& rng) const {
    std::uniform_int_distribution<int> pickUser(0, m_userCount - 1);
    std::vector<SlateContext> contexts(count);
    for (auto& context : contexts) {
        context.user = pickUser(rng);
        // Histories have at least 8 items, so a training part has at least 6.
        context.history = m_split->training(context.user);
    }
    return contexts;
}

double SyntheticEnvironment::affinity(int user, int64_t item) const {
    const float* u = &m_userVectors[static_cast<size_t>(user) * m_dim];
    const float* v = &m_itemVectors[static_cast<size_t>(item) * m_dim];
    double dot = 0.0;
    for (int k = 0; k < m_dim; ++k) dot += static_cast<double>(u[k]) * v[k];
    return dot / std::sqrt(static_cast<double>(m_dim)) + 0.5 * m_itemQuality[item];
}

std::vector<SyntheticEnvironment::PositionOdds> SyntheticEnvironment::positionOdds(
    int user, const std::vector<int64_t>& slate) const {
    std::vector<PositionOdds> odds;
    odds.reserve(slate.size());
    std::vector<int> categorySeen(m_categoryCount, 0);
    double examine = 1.0;
    for (size_t k = 0; k < slate.size(); ++k) {
        const int64_t item = slate[k];
        if (item < 0 || item >= m_itemCount)
            throw std::out_of_range("slate position " + std::to_string(k + 1) + " holds item " +
                                    std::to_string(item) + ", outside the catalogue of " +
                                    std::to_string(m_itemCount) + " items");
        const int c = m_itemCategory[item];
        const double s = affinity(user, item);
        PositionOdds p;
        p.examine = examine;
        p.click = sigmoid(kClickScale * s + m_clickBias) * std::pow(kFatigue, categorySeen[c]);
        p.purchase = sigmoid(kPurchaseScale * s + kPurchaseBias);
        p.dwell = sigmoid(s);  // a better match holds attention longer
        p.dislike = sigmoid(-kClickScale * s + kDislikeBias);
        p.cold = m_itemCold[item] != 0;
        odds.push_back(p);
        // Fatigue counts earlier same-category items whether or not they were examined.
        ++categorySeen[c];
        examine *= kExamineDecay;
    }
    return odds;
}

SlateResponse SyntheticEnvironment::respond(int user, const std::vector<int64_t>& slate,
                                           std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    double clicks = 0.0, purchases = 0.0, dwell = 0.0, dislikes = 0.0, coldClicks = 0.0;
    double coldPurchases = 0.0, coldDwell = 0.0;
    for (const auto& p : positionOdds(user, slate)) {
        if (uniform(rng) >= p.examine) continue;
        if (uniform(rng) < p.click) {
            clicks += 1.0;
            const bool bought = uniform(rng) < p.purchase;
            purchases += bought;
            dwell += p.dwell;
            if (p.cold) {
                coldClicks += 1.0;
                coldPurchases += bought;
                coldDwell += p.dwell;
            }
        } else if (uniform(rng) < p.dislike) {
            dislikes += 1.0;
        }
    }
    return {{clicks, purchases, dwell, dislikes, normalisedCategoryEntropy(slate), coldClicks},
            {coldClicks, coldPurchases, coldDwell, 0.0, 0.0, coldClicks}};
}

SlateResponse SyntheticEnvironment::expectedResponse(int user, const std::vector<int64_t>& slate) const {
    // Linearity of expectation over positions: each position's events depend only on its own odds.
    double clicks = 0.0, purchases = 0.0, dwell = 0.0, dislikes = 0.0, coldClicks = 0.0;
    double coldPurchases = 0.0, coldDwell = 0.0;
    for (const auto& p : positionOdds(user, slate)) {
        const double clicked = p.examine * p.click;
        clicks += clicked;
        purchases += clicked * p.purchase;
        dwell += clicked * p.dwell;
        dislikes += p.examine * (1.0 - p.click) * p.dislike;
        if (p.cold) {
            coldClicks += clicked;
            coldPurchases += clicked * p.purchase;
            coldDwell += clicked * p.dwell;
        }
    }
    return {{clicks, purchases, dwell, dislikes, normalisedCategoryEntropy(slate), coldClicks},
            {coldClicks, coldPurchases, coldDwell, 0.0, 0.0, coldClicks}};
}

double SyntheticEnvironment::normalisedCategoryEntropy(const std::vector<int64_t>& slate) const {
    const size_t k = slate.size();
    const size_t levels = std::min<size_t>(k, static_cast<size_t>(m_categoryCount));
    if (levels < 2) return 0.0;  // one item or one category: no diversity is possible
    std::vector<int> counts(m_categoryCount, 0);
    for (int64_t item : slate) ++counts[m_itemCategory[item]];
    double entropy = 0.0;
    for (int count : counts) {
        if (count == 0) continue;
        const double q = static_cast<double>(count) / k;
        entropy -= q * std::log(q);
    }
    return entropy / std::log(static_cast<double>(levels));
}

}  // namespace sage
