#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sage {

// Per-list metrics of ENVIRONMENTS.md section 4, for one user and one target item. Positions are
// 0-based; a list may be longer than k, only its first k entries count.

/// Position of the target among the first k entries, or -1.
int64_t targetRank(const std::vector<int64_t>& ranked, int64_t target, int k);
/// 1 if the target is in the first k entries (recall with one target = hit rate), else 0.
double recallAt(const std::vector<int64_t>& ranked, int64_t target, int k);
/// 1 / log2(rank + 2) if the target is at 0-based rank < k, else 0.
double ndcgAt(const std::vector<int64_t>& ranked, int64_t target, int k);

/// The category multiset of a list: every attribute of every item; an item without attributes
/// contributes its first semantic-ID code instead, as the label −(code + 1) so that codes and
/// attribute ids never coincide. Items out of range contribute nothing. firstCodes may be empty.
std::vector<int64_t> categoryLabels(const std::vector<int64_t>& items,
                                    const std::vector<std::vector<int64_t>>& itemAttributes,
                                    const std::vector<int32_t>& firstCodes);
/// Shannon entropy in nats of a multiset (0 for an empty one).
double shannonEntropy(const std::vector<int64_t>& labels);

/// Gini coefficient of non-negative values (0: all equal; (n−1)/n: one value holds everything;
/// 0 when all are 0).
double giniCoefficient(const std::vector<double>& values);

/// Mean over the pairs of items of the cosine distance 1 − cos(e_a, e_b) of their rows in
/// `embeddings` [items, dim]; a zero row has cosine 0 with everything. 0 for fewer than 2 items.
double intraListDistance(const std::vector<int64_t>& items, const at::Tensor& embeddings);

}  // namespace sage
