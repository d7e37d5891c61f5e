#include "semantic_id/randomized_svd.h"

#include <torch/torch.h>

#include <cmath>
#include <random>
#include <stdexcept>

namespace sage {
namespace {

// Box–Muller over mt19937_64 bits: unlike std::normal_distribution, the same on every library.
torch::Tensor gaussianMatrix(int64_t rows, int64_t cols, uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto uniform = [&rng] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
    torch::Tensor out = torch::empty({rows, cols}, torch::kFloat32);
    float* data = out.data_ptr<float>();
    const int64_t total = rows * cols;
    for (int64_t i = 0; i < total; i += 2) {
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        const double angle = 2.0 * M_PI * uniform();
        data[i] = static_cast<float>(radius * std::cos(angle));
        if (i + 1 < total) data[i + 1] = static_cast<float>(radius * std::sin(angle));
    }
    return out;
}

torch::Tensor orthonormalBasis(const torch::Tensor& y) {
    return std::get<0>(torch::linalg::qr(y, "reduced"));
}

}  // namespace

LowRankSvd randomizedSvd(const at::Tensor& a, int64_t rank, uint64_t seed, int64_t oversample,
                         int powerIterations) {
    if (a.dim() != 2) throw std::invalid_argument("randomizedSvd: expected a matrix");
    torch::NoGradGuard noGrad;
    const int64_t m = a.size(0), n = a.size(1);
    const int64_t k = std::min({rank, m, n});
    if (k <= 0) throw std::invalid_argument("randomizedSvd: rank and both sizes must be positive");
    const int64_t l = std::min({k + std::max<int64_t>(oversample, 0), m, n});
    const torch::Tensor at = a.is_sparse() ? a.t().coalesce() : a.t().contiguous();

    torch::Tensor q = orthonormalBasis(torch::mm(a, gaussianMatrix(n, l, seed)));
    for (int i = 0; i < powerIterations; ++i) {
        // Re-orthonormalising after each product keeps small singular directions from drowning
        // in float32 round-off.
        const torch::Tensor z = orthonormalBasis(torch::mm(at, q));
        q = orthonormalBasis(torch::mm(a, z));
    }
    const torch::Tensor b = torch::mm(at, q).t();  // qᵀa, [l, n]
    auto [ub, s, vh] = torch::linalg::svd(b, false, c10::nullopt);
    torch::Tensor u = torch::mm(q, ub.narrow(1, 0, k));
    torch::Tensor v = vh.narrow(0, 0, k).t();
    s = s.narrow(0, 0, k);

    const torch::Tensor pivot = u.abs().argmax(0);
    const torch::Tensor sign = torch::where(u.gather(0, pivot.unsqueeze(0)).squeeze(0) < 0,
                                            -torch::ones({k}), torch::ones({k}));
    return {(u * sign).contiguous(), s.contiguous(), (v * sign).contiguous()};
}

}  // namespace sage
