#include "distributed/context_shard.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>
#include <string>

namespace sage {
namespace {

/// SplitMix64's finaliser: neighbouring inputs give unrelated seeds.
uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

constexpr uint64_t kSampling = 0;
constexpr uint64_t kResponses = 1;

}  // namespace

ContextShard::ContextShard(int rank, int worldSize, int64_t contexts, int64_t groupSize)
    : m_contexts(contexts), m_groupSize(groupSize) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize)
        throw std::invalid_argument("ContextShard: rank " + std::to_string(rank) + " outside a group of " +
                                    std::to_string(worldSize));
    if (contexts < worldSize) {
        throw std::invalid_argument("training.contexts (" + std::to_string(contexts) +
                                    ") must be at least the number of ranks (" + std::to_string(worldSize) +
                                    ") so that every rank has a context to roll out; raise training.contexts "
                                    "or start fewer ranks");
    }
    m_contextBegin = contexts * rank / worldSize;
    m_contextEnd = contexts * (rank + 1) / worldSize;
}

at::Tensor ContextShard::localRows(const at::Tensor& globalRows) const {
    const auto mine = globalRows.ge(slateBegin()).logical_and(globalRows.lt(slateEnd()));
    return globalRows.masked_select(mine) - slateBegin();
}

std::vector<at::Generator> ContextShard::samplingStreams(uint64_t stepSeed) const {
    std::vector<at::Generator> streams;
    for (int64_t context = m_contextBegin; context < m_contextEnd; ++context)
        streams.push_back(at::make_generator<at::CPUGeneratorImpl>(contextSeed(stepSeed, context, kSampling)));
    return streams;
}

uint64_t ContextShard::responseSeed(uint64_t stepSeed, int64_t localContext) const {
    return contextSeed(stepSeed, m_contextBegin + localContext, kResponses);
}

uint64_t ContextShard::contextSeed(uint64_t stepSeed, int64_t context, uint64_t stream) {
    return mix(mix(stepSeed ^ mix(static_cast<uint64_t>(context))) + stream);
}

}  // namespace sage
