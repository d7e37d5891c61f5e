#pragma once
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sage {

/// One rank's share of an RL iteration. Rank r of W holds the contiguous block of contexts
/// [⌊r·B/W⌋, ⌊(r+1)·B/W⌋) and with them their G slates each, so the union over the ranks is the
/// batch one process would draw. Each context also has random streams of its own, seeded from the
/// step's seed and the context's place in the whole batch: its slates and rewards then do not
/// depend on which rank samples it, and W ranks reproduce the one-process run.
class ContextShard {
public:
    ContextShard(int rank, int worldSize, int64_t contexts, int64_t groupSize);

    int64_t contextBegin() const { return m_contextBegin; }
    int64_t contextEnd() const { return m_contextEnd; }
    int64_t slateBegin() const { return m_contextBegin * m_groupSize; }
    int64_t slateEnd() const { return m_contextEnd * m_groupSize; }
    int64_t localSlates() const { return slateEnd() - slateBegin(); }
    int64_t totalSlates() const { return m_contexts * m_groupSize; }

    /// This rank's block of a vector that holds one entry per context of the whole batch.
    template <typename T>
    std::vector<T> own(const std::vector<T>& all) const {
        return std::vector<T>(all.begin() + m_contextBegin, all.begin() + m_contextEnd);
    }
    /// Of the whole-batch slate indices `globalRows` (int64 [n]), those this rank holds, as indices
    /// into its own slates, in the order given.
    at::Tensor localRows(const at::Tensor& globalRows) const;

    /// One sampling generator per context of this rank, for a step whose seed is `stepSeed`.
    std::vector<at::Generator> samplingStreams(uint64_t stepSeed) const;
    /// The seed of the reward stream of this rank's `localContext`-th context.
    uint64_t responseSeed(uint64_t stepSeed, int64_t localContext) const;

    /// Random stream `stream` of whole-batch context `context` in a step whose seed is `stepSeed`.
    static uint64_t contextSeed(uint64_t stepSeed, int64_t context, uint64_t stream);

private:
    int64_t m_contexts, m_groupSize, m_contextBegin, m_contextEnd;
};

}  // namespace sage
