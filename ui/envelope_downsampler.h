#pragma once
#include <vector>

namespace sage::ui {

/// Points ready for a plot: x sorted ascending.
struct XYPoints {
    std::vector<double> x;
    std::vector<double> y;
};

/// Reduces the part of a series inside [xLow, xHigh] to at most two points per pixel bucket:
/// each bucket's minimum and maximum, in x order. Spikes survive at any zoom, and zooming in
/// narrows the buckets until every point is drawn. `x` must be sorted ascending; one point on
/// each side of the window is kept so lines run to the frame. NaN values are skipped.
XYPoints minMaxEnvelope(const std::vector<double>& x, const std::vector<double>& y, double xLow,
                        double xHigh, int buckets);

}  // namespace sage::ui
