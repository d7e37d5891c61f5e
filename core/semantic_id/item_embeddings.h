#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"

namespace sage {

struct ItemEmbeddingOptions {
    /// Dimensions of the co-occurrence SVD and of the item–attribute SVD.
    int64_t cooccurrenceDim = 64;
    int64_t attributeDim = 32;
    /// Items at most this many positions apart in a training sequence co-occur.
    int window = 5;
    int64_t oversample = 16;
    int powerIterations = 4;
    uint64_t seed = 0;
};

/// Positive PMI of item–item co-occurrence counted on the training split only (pairs within
/// `window` positions of each other in a user's training sequence, both directions, an item never
/// with itself): PPMI(a, b) = max(0, log(c_ab · D / (c_a · c_b))), c_a = Σ_b c_ab, D = Σ c_a.
/// A sparse COO float32 tensor [items, items], coalesced and symmetric.
at::Tensor ppmiMatrix(const LeaveOneOutSplit& split, int window);

/// The item embedding of ENVIRONMENTS.md section 1: the rank-`cooccurrenceDim` SVD of the PPMI
/// matrix (u·√s), concatenated, where the dataset has attributes, with the rank-`attributeDim` SVD
/// of the binary item–attribute matrix. Each block is L2-normalised per row before the
/// concatenation so that neither dominates, and the rows are L2-normalised again. Items with
/// neither training co-occurrences nor attributes get a zero row. Dimensions a small catalogue
/// cannot fill are zero. Float32 [itemCount, cooccurrenceDim (+ attributeDim)]; deterministic for
/// a seed.
at::Tensor itemEmbeddings(const SequenceDataset& dataset, const LeaveOneOutSplit& split,
                          const ItemEmbeddingOptions& options = {});

}  // namespace sage
