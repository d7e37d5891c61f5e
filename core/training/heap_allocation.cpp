#include "training/heap_allocation.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sage {

void keepLargeAllocationsInHeap() {
#if defined(__GLIBC__)
    // Blocks up to 1 GiB come from the heap, which is neither trimmed nor shrunk below 1 GiB of
    // free space, and grows 64 MiB at a time.
    constexpr int kOneGiB = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, kOneGiB);
    mallopt(M_TRIM_THRESHOLD, kOneGiB);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace sage
