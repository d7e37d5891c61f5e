#pragma once
#include <vector>

namespace sage::ui {

/// TensorBoard's debiased exponential moving average (its "smoothing" slider), so curves read
/// the same here and there. Runs over the whole series: smoothing the downsampled points instead
/// would make the curve depend on the zoom. Non-finite values are passed through unchanged and do
/// not enter the average; weight is clamped to [0, 0.999] (0: the series itself).
std::vector<double> debiasedEma(const std::vector<double>& values, double weight);

}  // namespace sage::ui
