#include "training/length_bucketed_batches.h"

#include <algorithm>
#include <stdexcept>

namespace sage {

std::vector<std::vector<int64_t>> lengthBucketedBatches(std::vector<int64_t> users,
                                                        const std::vector<int64_t>& lengthOfUser,
                                                        int64_t batchSize, int64_t poolBatches,
                                                        std::mt19937_64& rng) {
    if (batchSize < 1 || poolBatches < 1)
        throw std::invalid_argument("lengthBucketedBatches: batch size and pool size must be at least 1");
    std::shuffle(users.begin(), users.end(), rng);
    const auto total = static_cast<int64_t>(users.size());
    const int64_t pool = batchSize * poolBatches;
    std::vector<std::vector<int64_t>> batches;
    for (int64_t begin = 0; begin < total; begin += pool) {
        const auto first = users.begin() + begin;
        const auto last = users.begin() + std::min(total, begin + pool);
        // stable: equal lengths keep their shuffled order, so ties stay random.
        std::stable_sort(first, last, [&](int64_t a, int64_t b) { return lengthOfUser[a] < lengthOfUser[b]; });
        for (auto it = first; it < last; it += std::min<int64_t>(batchSize, last - it))
            batches.emplace_back(it, it + std::min<int64_t>(batchSize, last - it));
    }
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

}  // namespace sage
