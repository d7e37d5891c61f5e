#include "eval/ranking_metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sage {

int64_t targetRank(const std::vector<int64_t>& ranked, int64_t target, int k) {
    const auto limit = std::min<int64_t>(k, static_cast<int64_t>(ranked.size()));
    for (int64_t r = 0; r < limit; ++r)
        if (ranked[r] == target) return r;
    return -1;
}

double recallAt(const std::vector<int64_t>& ranked, int64_t target, int k) {
    return targetRank(ranked, target, k) >= 0 ? 1.0 : 0.0;
}

double ndcgAt(const std::vector<int64_t>& ranked, int64_t target, int k) {
    const int64_t rank = targetRank(ranked, target, k);
    return rank >= 0 ? 1.0 / std::log2(static_cast<double>(rank) + 2.0) : 0.0;
}

std::vector<int64_t> categoryLabels(const std::vector<int64_t>& items,
                                    const std::vector<std::vector<int64_t>>& itemAttributes,
                                    const std::vector<int32_t>& firstCodes) {
    std::vector<int64_t> labels;
    for (int64_t item : items) {
        if (item < 0) continue;
        const auto j = static_cast<size_t>(item);
        if (j < itemAttributes.size() && !itemAttributes[j].empty())
            labels.insert(labels.end(), itemAttributes[j].begin(), itemAttributes[j].end());
        else if (j < firstCodes.size())
            labels.push_back(-(static_cast<int64_t>(firstCodes[j]) + 1));
    }
    return labels;
}

double shannonEntropy(const std::vector<int64_t>& labels) {
    if (labels.empty()) return 0.0;
    std::vector<int64_t> sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    const auto total = static_cast<double>(sorted.size());
    double entropy = 0.0;
    for (size_t i = 0; i < sorted.size();) {
        size_t end = i;
        while (end < sorted.size() && sorted[end] == sorted[i]) ++end;
        const double p = static_cast<double>(end - i) / total;
        entropy -= p * std::log(p);
        i = end;
    }
    return entropy;
}

double giniCoefficient(const std::vector<double>& values) {
    if (values.empty()) return 0.0;
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<double>(sorted.size());
    double weighted = 0.0, total = 0.0;
    for (size_t i = 0; i < sorted.size(); ++i) {
        weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * sorted[i];
        total += sorted[i];
    }
    return total > 0.0 ? weighted / (n * total) : 0.0;
}

double intraListDistance(const std::vector<int64_t>& items, const at::Tensor& embeddings) {
    if (items.size() < 2) return 0.0;
    const torch::Tensor e = embeddings.to(torch::kFloat32).contiguous();
    const int64_t rows = e.size(0), dim = e.size(1);
    const float* data = e.data_ptr<float>();
    std::vector<double> norms(items.size());
    for (size_t a = 0; a < items.size(); ++a) {
        if (items[a] < 0 || items[a] >= rows)
            throw std::out_of_range("intraListDistance: item " + std::to_string(items[a]) +
                                    " outside the embedding table");
        double sum = 0.0;
        for (int64_t d = 0; d < dim; ++d)
            sum += double(data[items[a] * dim + d]) * data[items[a] * dim + d];
        norms[a] = std::sqrt(sum);
    }
    double distance = 0.0;
    int64_t pairs = 0;
    for (size_t a = 0; a < items.size(); ++a)
        for (size_t b = a + 1; b < items.size(); ++b) {
            double dot = 0.0;
            for (int64_t d = 0; d < dim; ++d)
                dot += double(data[items[a] * dim + d]) * data[items[b] * dim + d];
            const double norm = norms[a] * norms[b];
            distance += 1.0 - (norm > 0.0 ? dot / norm : 0.0);
            ++pairs;
        }
    return distance / static_cast<double>(pairs);
}

}  // namespace sage
