#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace sage {

/// a ≈ u · diag(s) · vᵀ with u [m, k], s [k] (descending), v [n, k].
struct LowRankSvd {
    at::Tensor u;
    at::Tensor s;
    at::Tensor v;
};

/// Truncated SVD by randomized range finding with power (subspace) iterations (Halko, Martinsson
/// and Tropp 2011, algorithm 4.4). `a` is a float32 matrix, dense or sparse COO: only products with
/// a and aᵀ are taken, so a sparse co-occurrence matrix is never made dense. k = min(rank, m, n).
/// Deterministic for a seed (the Gaussian test matrix comes from our own generator) and each
/// singular pair's sign is fixed so that u's largest-magnitude entry in its column is positive.
LowRankSvd randomizedSvd(const at::Tensor& a, int64_t rank, uint64_t seed, int64_t oversample = 16,
                         int powerIterations = 4);

}  // namespace sage
