#include "training/batch_statistics.h"

#include <algorithm>
#include <cmath>

namespace sage {
namespace {

double quantile(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

}  // namespace

SampleSummary summarize(std::vector<double> values) {
    SampleSummary s;
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    double sum = 0.0;
    for (double v : values) sum += v;
    s.mean = sum / static_cast<double>(values.size());
    double squares = 0.0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(squares / static_cast<double>(values.size()));
    s.min = values.front();
    s.max = values.back();
    s.p01 = quantile(values, 0.01);
    s.p50 = quantile(values, 0.50);
    s.p99 = quantile(values, 0.99);
    return s;
}

HistogramRecord makeHistogram(const std::vector<double>& values, const std::string& key,
                              int64_t step, double low, double high, int bins) {
    HistogramRecord h;
    h.step = step;
    h.key = key;
    h.low = low;
    h.high = high;
    h.counts.assign(static_cast<size_t>(bins), 0.0f);
    const double width = (high - low) / bins;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        const auto bin = static_cast<int>(std::floor((v - low) / width));
        h.counts[static_cast<size_t>(std::clamp(bin, 0, bins - 1))] += 1.0f;
    }
    return h;
}

}  // namespace sage
