#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace sage {

/// One epoch's batches of users, each batch holding users of similar sequence length.
///
/// A causal pass pads every sequence of a batch to the longest one, and Amazon histories are
/// short with a long tail, so random batches are mostly padding (on Beauty about 4 of every 5
/// positions). The users are shuffled, cut into pools of `poolBatches` batches, each pool is sorted
/// by length and cut into batches, and the batch order is shuffled again: every user still comes
/// exactly once per epoch in a random order of batches, with little padding in each.
std::vector<std::vector<int64_t>> lengthBucketedBatches(std::vector<int64_t> users,
                                                        const std::vector<int64_t>& lengthOfUser,
                                                        int64_t batchSize, int64_t poolBatches,
                                                        std::mt19937_64& rng);

}  // namespace sage
