#include "training/training_device.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

#include "config/config_error.h"
#include "training/heap_allocation.h"

namespace sage {

int intraOpThreads(const RunConfig& config, int localRanks) {
    if (config.training.threads > 0) return config.training.threads;
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return std::max(1, cores / std::max(1, localRanks));
}

int configureCpuRuntime(const RunConfig& config, int localRanks) {
    const int threads = intraOpThreads(config, localRanks);
    torch::set_num_threads(threads);
    keepLargeAllocationsInHeap();
    return threads;
}

c10::Device resolveDevice(const RunConfig& config) {
    const std::string& wanted = config.training.device;
    const bool cudaAvailable = torch::cuda::is_available();
    if (wanted == "cpu" || (wanted == "auto" && !cudaAvailable)) return c10::Device(c10::kCPU);
    if (cudaAvailable) return c10::Device(c10::kCUDA, 0);
    throw ConfigError(std::vector<ConfigIssue>{
        {"training.device",
         "cuda was requested but LibTorch sees no CUDA device (this LibTorch " +
             std::string(at::hasCUDA() ? "supports CUDA, but no GPU is visible" : "is built without CUDA") +
             "); set training.device to auto or cpu, or build against a CUDA-enabled LibTorch "
             "(cmake -DCMAKE_PREFIX_PATH=/path/to/libtorch) on a machine with a GPU"}});
}

at::Generator seededGenerator(c10::Device device, uint64_t seed) {
    if (device.is_cpu()) return at::make_generator<at::CPUGeneratorImpl>(seed);
    auto generator = at::globalContext().defaultGenerator(device).clone();
    generator.set_current_seed(seed);
    return generator;
}

}  // namespace sage
