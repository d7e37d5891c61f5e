#include <gtest/gtest.h>
#include <sys/resource.h>

#include <torch/torch.h>

#include "training/heap_allocation.h"

namespace sage {
namespace {

long minorFaults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

/// Page faults taken by allocating, filling and freeing a 48 MiB buffer: above glibc's largest
/// mmap threshold (32 MiB), so by default each one is a fresh mapping faulted in page by page.
long faultsOfABigBuffer() {
    const long before = minorFaults();
    {
        auto buffer = torch::empty({12 << 20});  // 12 Mi floats
        buffer.fill_(1.0f);
        EXPECT_EQ(buffer[0].item<float>(), 1.0f);
    }
    return minorFaults() - before;
}

TEST(HeapAllocation, ABigBufferFreedAndAllocatedAgainReusesItsPages) {
#if !defined(__GLIBC__)
    GTEST_SKIP() << "the tuning is glibc's";
#endif
    keepLargeAllocationsInHeap();
    // glibc's aligned allocations settle into a place in the heap after a few rounds (each one
    // leaves the previous block's alignment slack behind); a training step repeats far more often.
    for (int round = 0; round < 16; ++round) faultsOfABigBuffer();
    long faults = 0;
    for (int round = 0; round < 4; ++round) faults += faultsOfABigBuffer();
    const long pages = (48 << 20) / 4096;
    EXPECT_LT(faults, pages / 10) << "4 buffers after the heap settled were faulted in again";
}

}  // namespace
}  // namespace sage
