#pragma once
#include <vector>

namespace sage::ui {

/// Where a debiased EMA stands after the points it has seen, so a growing series is smoothed
/// only over its new points.
struct EmaState {
    double last = 0.0;
    double weightPower = 1.0;  // weight^(finite values so far)
};

/// TensorBoard's debiased exponential moving average (its "smoothing" slider), so curves read
/// the same here and there. Runs over the whole series: smoothing the downsampled points instead
/// would make the curve depend on the zoom. Non-finite values are passed through unchanged and do
/// not enter the average; weight is clamped to [0, 0.999] (0: the series itself).
std::vector<double> debiasedEma(const std::vector<double>& values, double weight);

/// The same average, continued: appends the smoothed values of values[smoothed.size()...] to
/// `smoothed`, from `state` (which it advances). Starting from an empty `smoothed` and a fresh
/// state gives debiasedEma(values, weight).
void extendDebiasedEma(const std::vector<double>& values, double weight, EmaState& state,
                       std::vector<double>& smoothed);

}  // namespace sage::ui
