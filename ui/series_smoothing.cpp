#include "series_smoothing.h"

#include <algorithm>
#include <cmath>

namespace sage::ui {

std::vector<double> debiasedEma(const std::vector<double>& values, double weight) {
    EmaState state;
    std::vector<double> smoothed;
    extendDebiasedEma(values, weight, state, smoothed);
    return smoothed;
}

void extendDebiasedEma(const std::vector<double>& values, double weight, EmaState& state,
                       std::vector<double>& smoothed) {
    weight = std::clamp(weight, 0.0, 0.999);
    const size_t from = std::min(smoothed.size(), values.size());
    smoothed.resize(values.size());
    double last = state.last;
    double weightPower = state.weightPower;  // a running product: pow per point is slow
    for (size_t i = from; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v)) {
            smoothed[i] = v;
            continue;
        }
        last = last * weight + (1.0 - weight) * v;
        // TensorBoard counts only the finite points in the debias exponent.
        weightPower *= weight;
        // Below 2^-53 the debias is exactly 1; left alone, the product would sink into the
        // subnormal range and stick at its smallest value, and every multiply by a subnormal
        // costs about a hundred cycles (10x the whole EMA on long series).
        if (weightPower < 1e-20) weightPower = 0.0;
        const double debias = 1.0 - weightPower;
        smoothed[i] = debias > 0.0 ? last / debias : v;
    }
    state.last = last;
    state.weightPower = weightPower;
}

}  // namespace sage::ui
