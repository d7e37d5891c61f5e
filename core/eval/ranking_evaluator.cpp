#include "eval/ranking_evaluator.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "eval/ranking_metrics.h"

namespace sage {
namespace {

void checkSize(size_t size, int64_t itemCount, const char* what) {
    if (size != 0 && static_cast<int64_t>(size) != itemCount)
        throw std::invalid_argument(std::string("RankingEvaluator: ") + what + " has " +
                                    std::to_string(size) + " entries for " +
                                    std::to_string(itemCount) + " items");
}

}  // namespace

RankingEvaluator::RankingEvaluator(EvaluationCatalogue catalogue)
    : m_catalogue(std::move(catalogue)), m_exposure(m_catalogue.itemCount, 0.0) {
    if (m_catalogue.itemCount <= 0)
        throw std::invalid_argument("RankingEvaluator: the catalogue is empty");
    checkSize(m_catalogue.coldItems.size(), m_catalogue.itemCount, "coldItems");
    checkSize(m_catalogue.itemAttributes.size(), m_catalogue.itemCount, "itemAttributes");
    checkSize(m_catalogue.firstCodes.size(), m_catalogue.itemCount, "firstCodes");
    if (m_catalogue.itemEmbeddings.defined()) {
        if (m_catalogue.itemEmbeddings.dim() != 2 ||
            m_catalogue.itemEmbeddings.size(0) != m_catalogue.itemCount)
            throw std::invalid_argument("RankingEvaluator: itemEmbeddings must be [items, dim]");
        m_embeddings = m_catalogue.itemEmbeddings.to(torch::kFloat32).contiguous();
    }
}

const std::vector<std::string>& RankingEvaluator::keys() {
    static const std::vector<std::string> names{
        "eval/recall@5",       "eval/recall@10",        "eval/ndcg@5",      "eval/ndcg@10",
        "eval/cold_recall@10", "eval/entropy@10",       "eval/coverage@10", "eval/gini@10",
        "eval/ild@10",         "eval/cold_exposure@10", "eval/invalid_rate"};
    return names;
}

void RankingEvaluator::addUser(const std::vector<int64_t>& ranked, int64_t target) {
    if (target < 0 || target >= m_catalogue.itemCount)
        throw std::out_of_range("RankingEvaluator: target " + std::to_string(target) +
                                " outside the catalogue of " +
                                std::to_string(m_catalogue.itemCount) + " items");
    ++m_users;
    m_recall5 += recallAt(ranked, target, 5);
    m_recall10 += recallAt(ranked, target, kTopK);
    m_ndcg5 += ndcgAt(ranked, target, 5);
    m_ndcg10 += ndcgAt(ranked, target, kTopK);
    const bool coldTarget = !m_catalogue.coldItems.empty() && m_catalogue.coldItems[target];
    if (coldTarget) {
        ++m_coldUsers;
        m_coldRecall10 += recallAt(ranked, target, kTopK);
    }

    // Valid = a real item not earlier in the list; only those count for diversity and exposure.
    std::vector<int64_t> top;
    std::vector<int64_t> seen;
    for (size_t r = 0; r < ranked.size(); ++r) {
        const int64_t item = ranked[r];
        const bool real = item >= 0 && item < m_catalogue.itemCount;
        const bool repeat = real && std::find(seen.begin(), seen.end(), item) != seen.end();
        ++m_positions;
        if (!real || repeat) {
            ++m_invalidPositions;
        } else {
            seen.push_back(item);
        }
        if (r >= static_cast<size_t>(kTopK)) continue;
        ++m_topSlots;
        if (!real || repeat) continue;
        top.push_back(item);
        m_exposure[item] += 1.0;
        if (!m_catalogue.coldItems.empty() && m_catalogue.coldItems[item]) ++m_coldSlots;
    }
    m_entropy +=
        shannonEntropy(categoryLabels(top, m_catalogue.itemAttributes, m_catalogue.firstCodes));
    if (m_embeddings.defined() && top.size() >= 2) {
        m_ild += intraListDistance(top, m_embeddings);
        ++m_ildLists;
    }
}

std::vector<std::pair<std::string, double>> RankingEvaluator::results() const {
    std::vector<std::pair<std::string, double>> out;
    if (m_users == 0) return out;
    const auto users = static_cast<double>(m_users);
    const auto& k = keys();
    out.emplace_back(k[0], m_recall5 / users);
    out.emplace_back(k[1], m_recall10 / users);
    out.emplace_back(k[2], m_ndcg5 / users);
    out.emplace_back(k[3], m_ndcg10 / users);
    if (m_coldUsers > 0) out.emplace_back(k[4], m_coldRecall10 / static_cast<double>(m_coldUsers));
    out.emplace_back(k[5], m_entropy / users);
    int64_t covered = 0;
    for (double e : m_exposure) covered += e > 0.0 ? 1 : 0;
    out.emplace_back(k[6],
                     static_cast<double>(covered) / static_cast<double>(m_catalogue.itemCount));
    out.emplace_back(k[7], giniCoefficient(m_exposure));
    if (m_ildLists > 0) out.emplace_back(k[8], m_ild / static_cast<double>(m_ildLists));
    if (!m_catalogue.coldItems.empty() && m_topSlots > 0)
        out.emplace_back(k[9], static_cast<double>(m_coldSlots) / static_cast<double>(m_topSlots));
    out.emplace_back(k[10], m_positions > 0 ? static_cast<double>(m_invalidPositions) /
                                                  static_cast<double>(m_positions)
                                            : 0.0);
    return out;
}

}  // namespace sage
