// sage_bench_machine: what the benchmarks run on, as LibTorch itself reports it (the header of
// docs/PERFORMANCE.md). Prints `key: value` lines.
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <iostream>
#include <sstream>
#include <string>

namespace {

/// The value of `KEY=value` in LibTorch's build summary (e.g. BLAS_INFO), or "unknown".
std::string buildSetting(const std::string& config, const std::string& key) {
    std::istringstream lines(config);
    std::string line;
    while (std::getline(lines, line)) {
        // The settings are one comma-separated line: "  Build settings: BLAS_INFO=open, ..."
        for (size_t at = line.find(key + "="); at != std::string::npos; at = line.find(key + "=", at + 1)) {
            if (at > 0 && line[at - 1] != ' ' && line[at - 1] != ',') continue;
            const size_t begin = at + key.size() + 1;
            const size_t end = line.find(',', begin);
            return line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        }
    }
    return "unknown";
}

}  // namespace

int main() {
    const std::string config = at::show_config();
    std::cout << "libtorch: " << TORCH_VERSION << '\n'
              << "blas: " << buildSetting(config, "BLAS_INFO") << '\n'
              << "lapack: " << buildSetting(config, "LAPACK_INFO") << '\n'
              << "intra_op_threads: " << at::get_num_threads() << '\n'
              << "cuda_available: " << (torch::cuda::is_available() ? "yes" : "no") << '\n'
              << "cuda_devices: " << torch::cuda::device_count() << '\n';
    return 0;
}
