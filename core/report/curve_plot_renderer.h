#pragma once
#include <vector>

#include "report/evaluation_curves.h"
#include "report/rgb_image.h"

namespace sage {

/// Where a plot's data lands in its image: the axes' ranges and the pixel rectangle inside them.
struct PlotFrame {
    double xMin = 0.0, xMax = 1.0, yMin = 0.0, yMax = 1.0;
    int left = 0, top = 0, right = 1, bottom = 1;  // pixels; right/bottom inclusive
    std::vector<double> xTicks, yTicks;

    int toPixelX(double x) const;
    int toPixelY(double y) const;
};

/// Draws one curve plot of the report as a line chart: per arm its mean over seeds as a line and
/// the ± one sample std band (arms with two or more seeds), ticked axes, a title and a legend
/// naming each arm in its colour. Pure C++ (no Qt), for `sage-train report`.
class CurvePlotRenderer {
public:
    static constexpr int kDefaultWidth = 960;
    static constexpr int kDefaultHeight = 540;

    static RgbImage render(const CurvePlot& plot, int width = kDefaultWidth, int height = kDefaultHeight);
    /// The frame `render` uses for this plot and size (the data ranges rounded out to ticks).
    static PlotFrame frame(const CurvePlot& plot, int width = kDefaultWidth, int height = kDefaultHeight);
    /// The colour of the arm at `index` (a fixed palette, repeated after ten arms).
    static Rgb armColour(size_t index);
};

}  // namespace sage
