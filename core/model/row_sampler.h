#pragma once
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sage {

/// Draws one column per row of a probability matrix [rows, V], as torch::multinomial(p, 1) does
/// (the exponential race: argmax of p / E with E ~ Exp(1)). Given one generator, it is exactly
/// that call. Given one generator per group of consecutive rows, each group's noise comes from its
/// own generator, so a group draws the same values whichever other groups share the batch: what
/// lets data-parallel ranks split a batch and still reproduce the one-process run.
class RowSampler {
public:
    /// One generator for every row (callers that pass a generator convert implicitly).
    RowSampler(at::Generator generator);  // NOLINT(google-explicit-constructor)
    /// Rows [g·rowsPerGroup, (g+1)·rowsPerGroup) draw from groupGenerators[g].
    RowSampler(std::vector<at::Generator> groupGenerators, int64_t rowsPerGroup);
    /// No randomness: every row takes its most probable column (ties: the lowest index). Evaluation
    /// generates the policy's one deterministic slate with it (greedy decoding).
    static RowSampler mostProbable();

    /// [rows, 1] int64 column indices.
    at::Tensor draw(const at::Tensor& probabilities) const;

private:
    RowSampler() = default;

    std::vector<at::Generator> m_generators;  // empty: mostProbable()
    int64_t m_rowsPerGroup = 0;  // 0: a single generator for all rows
};

}  // namespace sage
