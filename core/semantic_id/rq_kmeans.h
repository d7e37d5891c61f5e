#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sage {

struct RqKMeansOptions {
    int levels = 3;
    int codebookSize = 256;
    int iterations = 20;  // Lloyd iterations per level (fewer if the assignment settles)
    uint64_t seed = 0;
};

/// Each item's semantic ID: `levels` residual k-means codes plus one collision code.
struct SemanticIds {
    int levels = 0;
    /// Per level including the collision level: the code space (C per k-means level, then the
    /// largest number of items that share their first `levels` codes, at least 1).
    std::vector<int> codebookSizes;
    /// Per item, levels + 1 codes; the collision code numbers items sharing the first `levels`
    /// codes 0, 1, 2, ... in item order, so whole tuples are unique.
    std::vector<std::vector<int32_t>> codes;
    /// Per k-means level: the share of its C codes that some item uses.
    std::vector<double> utilisation;
    /// Share of items whose first `levels` codes are shared with another item.
    double collisionRate = 0.0;
    int maxCollisionGroup = 1;
    /// Per k-means level: mean squared norm of the residual left after it (quantisation error).
    std::vector<double> residualError;
    /// Per k-means level: the centroids [C, dim] (float32).
    std::vector<at::Tensor> codebooks;

    int64_t itemCount() const { return static_cast<int64_t>(codes.size()); }
    /// The code of every item at one level, as the evaluator's category fallback takes it.
    std::vector<int32_t> levelCodes(int level) const;
};

/// RQ-KMeans (ENVIRONMENTS.md section 1): per level, k-means++ initialisation and Lloyd iterations
/// on the residual the previous levels left; an empty cluster is re-seeded with the point farthest
/// from its centre. Then the collision level. Deterministic for a seed.
SemanticIds rqKMeans(const at::Tensor& embeddings, const RqKMeansOptions& options = {});

}  // namespace sage
