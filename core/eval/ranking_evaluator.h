#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sage {

/// What the evaluator knows about the catalogue. Every per-item vector is either empty (that side
/// information is absent, and the metrics that need it are left out of the results) or has
/// itemCount entries.
struct EvaluationCatalogue {
    int64_t itemCount = 0;
    std::vector<uint8_t> coldItems;                    // 1 = cold-start item
    std::vector<std::vector<int64_t>> itemAttributes;  // categories for entropy@10
    std::vector<int32_t> firstCodes;                   // entropy fallback: first semantic-ID code
    at::Tensor itemEmbeddings;  // [itemCount, dim] for ild@10; may be undefined
};

/// Accumulates the leave-one-out ranking and diversity metrics of ENVIRONMENTS.md section 4 over
/// users added one by one (a ranked list of item ids, best first, and the user's target).
///
/// Positions that are not a real, new item (an id outside the catalogue or a repeat within the
/// list) count towards eval/invalid_rate over all positions given; they still take up their rank,
/// but add nothing to the diversity, coverage and exposure figures. cold_exposure@10 counts cold
/// items over all top-10 positions. entropy@10 is averaged over all users, ild@10 over the lists
/// with at least two valid items. Keys whose metric is undefined (no cold flags or no user with a
/// cold target, no embeddings) are left out of results() rather than reported as 0.
class RankingEvaluator {
public:
    static constexpr int kTopK = 10;

    explicit RankingEvaluator(EvaluationCatalogue catalogue);

    /// Throws std::out_of_range for a target outside the catalogue.
    void addUser(const std::vector<int64_t>& ranked, int64_t target);

    int64_t userCount() const { return m_users; }
    int64_t coldUserCount() const { return m_coldUsers; }

    /// The metrics under their stored keys (eval/recall@5, ...), in the order of keys().
    std::vector<std::pair<std::string, double>> results() const;
    static const std::vector<std::string>& keys();

private:
    EvaluationCatalogue m_catalogue;
    at::Tensor m_embeddings;  // float32, contiguous
    int64_t m_users = 0;
    int64_t m_coldUsers = 0;
    double m_recall5 = 0, m_recall10 = 0, m_ndcg5 = 0, m_ndcg10 = 0, m_coldRecall10 = 0;
    double m_entropy = 0, m_ild = 0;
    int64_t m_ildLists = 0;
    int64_t m_topSlots = 0, m_coldSlots = 0;
    int64_t m_positions = 0, m_invalidPositions = 0;
    std::vector<double> m_exposure;  // per item, top-10 appearances
};

}  // namespace sage
