#include "series_smoothing.h"

#include <algorithm>
#include <cmath>

namespace sage::ui {

std::vector<double> debiasedEma(const std::vector<double>& values, double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    std::vector<double> smoothed(values.size());
    double last = 0.0;
    double weightPower = 1.0;  // w^(finite values so far), kept as a product: pow per point is slow
    for (size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v)) {
            smoothed[i] = v;
            continue;
        }
        last = last * weight + (1.0 - weight) * v;
        // TensorBoard counts only the finite points in the debias exponent.
        weightPower *= weight;
        const double debias = 1.0 - weightPower;
        smoothed[i] = debias > 0.0 ? last / debias : v;
    }
    return smoothed;
}

}  // namespace sage::ui
