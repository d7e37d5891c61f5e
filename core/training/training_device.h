#pragma once
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <cstdint>

#include "config/run_config.h"

namespace sage {

/// The device `training.device` names: auto is CUDA when LibTorch sees a GPU, else the CPU.
/// Throws ConfigError on training.device when cuda is asked for and LibTorch sees none.
c10::Device resolveDevice(const RunConfig& config);

/// LibTorch's intra-op thread count for a run: training.threads, or with 0 every core of the
/// machine shared among the `localRanks` processes of a data-parallel run on it.
int intraOpThreads(const RunConfig& config, int localRanks = 1);

/// What every trainer does before it builds tensors: LibTorch's thread count from intraOpThreads
/// (it starts with one) and glibc's large blocks kept in the heap (keepLargeAllocationsInHeap).
/// Returns the thread count.
int configureCpuRuntime(const RunConfig& config, int localRanks = 1);

/// A generator for sampling on `device`, seeded with `seed` (sampling ops take the generator of
/// the device their tensors live on).
at::Generator seededGenerator(c10::Device device, uint64_t seed);

}  // namespace sage
