#pragma once

namespace sage {

/// Keeps training's large, short-lived buffers (logits over the whole catalogue, their masks,
/// attention scores) in the process heap for reuse instead of mapping fresh pages for each one.
/// glibc serves every block above its mmap threshold (at most 32 MiB) with a new mapping and unmaps
/// it when freed, so each step pays a page fault for every 4 KiB it touches again; on the RL update
/// that cost as much as the matrix products themselves (docs/PERFORMANCE.md). Process-wide and
/// idempotent; freed memory then stays with the process, its peak resident size, for reuse.
/// Does nothing where the C library is not glibc.
void keepLargeAllocationsInHeap();

}  // namespace sage
