#include "semantic_id/rq_kmeans.h"

#include <torch/torch.h>

#include <map>
#include <random>
#include <stdexcept>

namespace sage {
namespace {

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

torch::Tensor squaredDistances(const torch::Tensor& x, const torch::Tensor& centres) {
    // ‖x‖² − 2x·c + ‖c‖², clamped: round-off can make it slightly negative.
    return (x.pow(2).sum(1, true) - 2.0 * torch::mm(x, centres.t()) +
            centres.pow(2).sum(1).unsqueeze(0))
        .clamp_min(0.0);
}

// k-means++ (Arthur and Vassilvitskii 2007): each next centre is a point drawn with probability
// proportional to its squared distance to the nearest centre so far.
torch::Tensor kMeansPlusPlus(const torch::Tensor& x, int k, std::mt19937_64& rng) {
    const int64_t n = x.size(0);
    torch::Tensor centres = torch::empty({k, x.size(1)}, x.options());
    int64_t pick = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
    centres[0].copy_(x[pick]);
    torch::Tensor nearest = (x - x[pick]).pow(2).sum(1).to(torch::kFloat64);
    for (int c = 1; c < k; ++c) {
        const double* d = nearest.data_ptr<double>();
        double total = 0.0;
        for (int64_t i = 0; i < n; ++i) total += d[i];
        if (total > 0.0) {
            const double target = uniform01(rng) * total;
            double running = 0.0;
            pick = n - 1;
            for (int64_t i = 0; i < n; ++i) {
                running += d[i];
                if (running > target && d[i] > 0.0) {
                    pick = i;
                    break;
                }
            }
        } else {
            // Every point sits on a centre already (fewer distinct points than codes).
            pick = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
        }
        centres[c].copy_(x[pick]);
        nearest = torch::minimum(nearest, (x - x[pick]).pow(2).sum(1).to(torch::kFloat64));
    }
    return centres;
}

struct Clustering {
    torch::Tensor centres;
    torch::Tensor assignment;  // int64 [n]
};

Clustering lloyd(const torch::Tensor& x, torch::Tensor centres, int iterations) {
    const int64_t k = centres.size(0);
    torch::Tensor assignment = squaredDistances(x, centres).argmin(1);
    for (int it = 0; it < iterations; ++it) {
        const torch::Tensor counts = torch::bincount(assignment, {}, k);
        const torch::Tensor sums = torch::zeros_like(centres).index_add_(0, assignment, x);
        const torch::Tensor occupied = counts > 0;
        centres = torch::where(occupied.unsqueeze(1),
                               sums / counts.clamp_min(1).unsqueeze(1).to(sums.dtype()), centres);
        const torch::Tensor empty = (~occupied).nonzero().squeeze(1);
        if (empty.numel() > 0) {
            // Re-seed empty clusters with the points worst served by their centres, so no code is
            // wasted while some cluster is spread wide.
            const torch::Tensor spread = (x - centres.index_select(0, assignment)).pow(2).sum(1);
            const int64_t reseed = std::min(empty.numel(), x.size(0));
            const torch::Tensor farthest = std::get<1>(spread.topk(reseed));
            centres.index_copy_(0, empty.narrow(0, 0, reseed), x.index_select(0, farthest));
        }
        const torch::Tensor next = squaredDistances(x, centres).argmin(1);
        const bool settled = next.equal(assignment) && empty.numel() == 0;
        assignment = next;
        if (settled) break;
    }
    return {centres, assignment};
}

}  // namespace

std::vector<int32_t> SemanticIds::levelCodes(int level) const {
    std::vector<int32_t> out;
    out.reserve(codes.size());
    for (const auto& tuple : codes) out.push_back(tuple.at(level));
    return out;
}

SemanticIds rqKMeans(const at::Tensor& embeddings, const RqKMeansOptions& options) {
    if (embeddings.dim() != 2 || embeddings.size(0) == 0)
        throw std::invalid_argument("rqKMeans: expected a non-empty [items, dim] matrix");
    if (options.levels < 1 || options.codebookSize < 1 || options.iterations < 0)
        throw std::invalid_argument("rqKMeans: levels and codebook size must be positive");
    torch::NoGradGuard noGrad;
    std::mt19937_64 rng(options.seed);
    const int64_t n = embeddings.size(0);
    torch::Tensor residual = embeddings.to(torch::kFloat32).contiguous().clone();

    SemanticIds ids;
    ids.levels = options.levels;
    ids.codes.assign(n, std::vector<int32_t>(options.levels + 1, 0));
    for (int level = 0; level < options.levels; ++level) {
        Clustering clustering = lloyd(residual, kMeansPlusPlus(residual, options.codebookSize, rng),
                                      options.iterations);
        residual -= clustering.centres.index_select(0, clustering.assignment);
        const int64_t* code = clustering.assignment.data_ptr<int64_t>();
        std::vector<uint8_t> used(options.codebookSize, 0);
        for (int64_t j = 0; j < n; ++j) {
            ids.codes[j][level] = static_cast<int32_t>(code[j]);
            used[code[j]] = 1;
        }
        ids.codebookSizes.push_back(options.codebookSize);
        ids.utilisation.push_back(static_cast<double>(std::count(used.begin(), used.end(), 1)) /
                                  options.codebookSize);
        ids.residualError.push_back(residual.pow(2).sum(1).mean().item<double>());
        ids.codebooks.push_back(clustering.centres);
    }

    // The collision level (as TIGER does): number items that share their first L codes.
    std::map<std::vector<int32_t>, int32_t> seen;
    std::vector<int32_t> prefix(options.levels);
    for (int64_t j = 0; j < n; ++j) {
        std::copy(ids.codes[j].begin(), ids.codes[j].begin() + options.levels, prefix.begin());
        ids.codes[j][options.levels] = seen[prefix]++;
    }
    int64_t colliding = 0;
    for (const auto& [tuple, count] : seen) {
        if (count > 1) colliding += count;
        ids.maxCollisionGroup = std::max(ids.maxCollisionGroup, static_cast<int>(count));
    }
    ids.codebookSizes.push_back(ids.maxCollisionGroup);
    ids.collisionRate = static_cast<double>(colliding) / n;
    return ids;
}

}  // namespace sage
