#include "semantic_id/item_embeddings.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "semantic_id/randomized_svd.h"

namespace sage {
namespace {

torch::Tensor sparseMatrix(const std::vector<int64_t>& rows, const std::vector<int64_t>& cols,
                           const std::vector<float>& values, int64_t m, int64_t n) {
    const auto count = static_cast<int64_t>(values.size());
    torch::Tensor indices = torch::empty({2, count}, torch::kInt64);
    std::copy(rows.begin(), rows.end(), indices.data_ptr<int64_t>());
    std::copy(cols.begin(), cols.end(), indices.data_ptr<int64_t>() + count);
    torch::Tensor vals =
        torch::from_blob(const_cast<float*>(values.data()), {count}, torch::kFloat32).clone();
    return torch::sparse_coo_tensor(indices, vals, {m, n}).coalesce();
}

// u·√s of a truncated SVD, zero-padded to `dim` columns when the matrix has lower rank.
torch::Tensor spectralEmbedding(const torch::Tensor& matrix, int64_t dim,
                                const ItemEmbeddingOptions& options, uint64_t seed) {
    torch::Tensor out = torch::zeros({matrix.size(0), dim}, torch::kFloat32);
    if (matrix._nnz() == 0) return out;
    const LowRankSvd svd =
        randomizedSvd(matrix, dim, seed, options.oversample, options.powerIterations);
    out.narrow(1, 0, svd.s.size(0)).copy_(svd.u * svd.s.sqrt());
    return out;
}

torch::Tensor normaliseRows(const torch::Tensor& x) {
    return x / x.norm(2, 1, true).clamp_min(1e-12);
}

}  // namespace

at::Tensor ppmiMatrix(const LeaveOneOutSplit& split, int window) {
    if (window < 1) throw std::invalid_argument("co-occurrence window must be >= 1");
    const int64_t n = split.itemCount();
    // Pairs as one 64-bit key (a·n + b), sorted and run-length counted: no hash map, and for
    // Beauty's ~1.7 M pairs a sort is well under a second.
    std::vector<int64_t> keys;
    keys.reserve(static_cast<size_t>(split.trainingInteractionCount()) * window * 2);
    for (int64_t u = 0; u < split.userCount(); ++u) {
        const auto& items = split.training(u);
        const auto length = static_cast<int64_t>(items.size());
        for (int64_t i = 0; i < length; ++i)
            for (int64_t j = i + 1; j <= std::min(length - 1, i + window); ++j) {
                if (items[i] == items[j]) continue;
                keys.push_back(items[i] * n + items[j]);
                keys.push_back(items[j] * n + items[i]);
            }
    }
    std::sort(keys.begin(), keys.end());
    std::vector<int64_t> rows, cols;
    std::vector<double> counts;
    for (size_t i = 0; i < keys.size();) {
        size_t end = i;
        while (end < keys.size() && keys[end] == keys[i]) ++end;
        rows.push_back(keys[i] / n);
        cols.push_back(keys[i] % n);
        counts.push_back(static_cast<double>(end - i));
        i = end;
    }
    std::vector<double> marginal(n, 0.0);
    double total = 0.0;
    for (size_t e = 0; e < counts.size(); ++e) {
        marginal[rows[e]] += counts[e];
        total += counts[e];
    }
    std::vector<int64_t> keptRows, keptCols;
    std::vector<float> values;
    for (size_t e = 0; e < counts.size(); ++e) {
        const double pmi = std::log(counts[e] * total / (marginal[rows[e]] * marginal[cols[e]]));
        if (pmi <= 0.0) continue;
        keptRows.push_back(rows[e]);
        keptCols.push_back(cols[e]);
        values.push_back(static_cast<float>(pmi));
    }
    return sparseMatrix(keptRows, keptCols, values, n, n);
}

at::Tensor itemEmbeddings(const SequenceDataset& dataset, const LeaveOneOutSplit& split,
                          const ItemEmbeddingOptions& options) {
    if (split.itemCount() != dataset.itemCount)
        throw std::invalid_argument("itemEmbeddings: the split is not of this dataset");
    torch::NoGradGuard noGrad;
    torch::Tensor embedding = normaliseRows(spectralEmbedding(
        ppmiMatrix(split, options.window), options.cooccurrenceDim, options, options.seed));
    if (dataset.attributeCount > 0 && options.attributeDim > 0) {
        std::vector<int64_t> rows, cols;
        for (int64_t j = 0; j < dataset.itemCount; ++j) {
            std::vector<int64_t> attributes = dataset.itemAttributes[j];
            std::sort(attributes.begin(), attributes.end());
            attributes.erase(std::unique(attributes.begin(), attributes.end()), attributes.end());
            for (int64_t a : attributes) {
                rows.push_back(j);
                cols.push_back(a);
            }
        }
        const std::vector<float> ones(rows.size(), 1.0f);
        const torch::Tensor itemAttribute =
            sparseMatrix(rows, cols, ones, dataset.itemCount, dataset.attributeCount);
        const torch::Tensor attributePart = normaliseRows(
            spectralEmbedding(itemAttribute, options.attributeDim, options, options.seed + 1));
        embedding = torch::cat({embedding, attributePart}, 1);
    }
    return normaliseRows(embedding).contiguous();
}

}  // namespace sage
