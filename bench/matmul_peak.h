#pragma once
// The machine's practical limit for the model's work: the float32 matrix-multiply rate LibTorch
// reaches with its BLAS at the current intra-op thread count. Utilisation figures divide by it, and
// each benchmark measures it in its own run, so that both sides of a ratio see the same machine.
#include <torch/torch.h>

#include <algorithm>

#include "bench_support.h"

namespace sage::bench {

/// Best of `repeats` timed products of two n×n float32 matrices, after one warm-up, in GFLOP/s.
/// 4096: OpenBLAS reaches its full rate only on large products; 2048² ran at about 70 % of it on the
/// 2-core machine, and the 4× model's update then measured above 100 % of that "peak".
inline double matmulPeakGflops(int64_t n = 4096, int repeats = 5) {
    torch::NoGradGuard noGrad;
    const auto a = torch::randn({n, n});
    const auto b = torch::randn({n, n});
    auto c = torch::matmul(a, b);
    double best = 0.0;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        c = torch::matmul(a, b);
        const double seconds = secondsSince(start);
        best = std::max(best, 2.0 * static_cast<double>(n * n * n) / seconds / 1e9);
    }
    return best;
}

}  // namespace sage::bench
