#pragma once
#include <vector>

namespace sage::ui {

/// Points ready for a plot: x sorted ascending.
struct XYPoints {
    std::vector<double> x;
    std::vector<double> y;
};

/// Reduces the part of a series inside [xLow, xHigh] to at most two points per pixel bucket:
/// each bucket's minimum and maximum, in x order, plus the window's first and last points (a live
/// curve ends at its newest value). Spikes survive at any zoom, and once the window holds at most
/// 2 × `buckets` points every one of them is returned. `x` must be sorted ascending and finite;
/// one point on each side of the window is kept so lines run to the frame. NaN values are
/// skipped, and so are values ≤ 0 when `dropNonPositive` (a logarithmic axis). At most
/// 2 × `buckets` + 4 points.
/// Cost: one pass over the points in the window and a binary search per bucket.
XYPoints minMaxEnvelope(const std::vector<double>& x, const std::vector<double>& y, double xLow,
                        double xHigh, int buckets, bool dropNonPositive = false);

}  // namespace sage::ui
