#include "report/curve_plot_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/bitmap_font.h"

namespace sage {
namespace {

constexpr Rgb kBackground{255, 255, 255};
constexpr Rgb kInk{40, 40, 40};
constexpr Rgb kGrid{225, 225, 225};
constexpr int kTextScale = 2;
constexpr int kLineThickness = 3;
constexpr double kBandAlpha = 0.18;
constexpr int kTargetTicks = 6;

// The "nice" step (1, 2 or 5 × 10^k) that splits `span` into about `target` intervals.
double niceStep(double span, int target) {
    const double raw = span / target;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / power;
    return (fraction < 1.5 ? 1.0 : fraction < 3.0 ? 2.0 : fraction < 7.0 ? 5.0 : 10.0) * power;
}

// Rounds [low, high] out to whole ticks (at least `minStep` apart) and lists them.
std::vector<double> ticksFor(double& low, double& high, double minStep = 0.0) {
    if (!(high > low)) {
        // A flat series: centre it in a range of its own size (or of 1 around zero).
        const double pad = low == 0.0 ? 1.0 : std::abs(low) * 0.1;
        low -= pad;
        high += pad;
    }
    const double step = std::max(minStep, niceStep(high - low, kTargetTicks));
    low = std::floor(low / step) * step;
    high = std::ceil(high / step) * step;
    std::vector<double> ticks;
    for (double t = low; t <= high + step * 0.5; t += step) ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

std::string tickLabel(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

bool finite(double v) { return std::isfinite(v); }

// "sage (3)": the arm and, when the curve is a mean, over how many seeds.
std::string legendName(const ArmCurve& arm) {
    return arm.arm + (arm.seeds > 1 ? " (" + std::to_string(arm.seeds) + ")" : "");
}

}  // namespace

int PlotFrame::toPixelX(double x) const {
    return left + int(std::lround((x - xMin) / (xMax - xMin) * double(right - left)));
}

int PlotFrame::toPixelY(double y) const {
    return bottom - int(std::lround((y - yMin) / (yMax - yMin) * double(bottom - top)));
}

Rgb CurvePlotRenderer::armColour(size_t index) {
    // Tableau 10: distinct on white, and for the common forms of colour blindness mostly.
    static const Rgb palette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                  {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                  {188, 189, 34}, {23, 190, 207}};
    return palette[index % (sizeof palette / sizeof palette[0])];
}

PlotFrame CurvePlotRenderer::frame(const CurvePlot& plot, int width, int height) {
    PlotFrame f;
    double xLow = std::numeric_limits<double>::infinity(), xHigh = -xLow;
    double yLow = xLow, yHigh = -xLow;
    size_t longestName = 0;
    for (const ArmCurve& arm : plot.arms) {
        longestName = std::max(longestName, legendName(arm).size());
        for (size_t i = 0; i < arm.steps.size(); ++i) {
            if (!finite(arm.steps[i]) || !finite(arm.mean[i])) continue;
            xLow = std::min(xLow, arm.steps[i]);
            xHigh = std::max(xHigh, arm.steps[i]);
            const double spread = finite(arm.std[i]) ? arm.std[i] : 0.0;
            yLow = std::min(yLow, arm.mean[i] - spread);
            yHigh = std::max(yHigh, arm.mean[i] + spread);
        }
    }
    if (!finite(xLow)) xLow = xHigh = yLow = yHigh = 0.0;  // no data: an empty, labelled frame
    f.xMin = xLow;
    f.xMax = xHigh;
    f.yMin = yLow;
    f.yMax = yHigh;
    f.xTicks = ticksFor(f.xMin, f.xMax, 1.0);  // steps are whole numbers
    f.yTicks = ticksFor(f.yMin, f.yMax);

    size_t widestTick = 0;
    for (double t : f.yTicks) widestTick = std::max(widestTick, tickLabel(t).size());
    const int glyph = BitmapFont::kAdvance * kTextScale;
    const int lineHeight = BitmapFont::height(kTextScale);
    f.left = 16 + int(widestTick) * glyph + 8;
    f.top = 16 + lineHeight + 16;
    // The legend sits right of the axes: a colour swatch and the arm's name.
    f.right = width - 1 - (24 + 28 + int(longestName) * glyph + 16);
    f.bottom = height - 1 - (16 + 2 * lineHeight + 20);
    if (f.right - f.left < 50 || f.bottom - f.top < 50) {
        // Too small for the margins: draw into the whole image rather than fail.
        f.left = 0;
        f.top = 0;
        f.right = width - 1;
        f.bottom = height - 1;
    }
    return f;
}

RgbImage CurvePlotRenderer::render(const CurvePlot& plot, int width, int height) {
    RgbImage image(width, height, kBackground);
    const PlotFrame f = frame(plot, width, height);
    const int lineHeight = BitmapFont::height(kTextScale);

    // Grid and tick labels.
    for (double t : f.yTicks) {
        const int y = f.toPixelY(t);
        image.drawLine(f.left, y, f.right, y, kGrid);
        const std::string label = tickLabel(t);
        BitmapFont::draw(image, f.left - 8 - BitmapFont::width(label, kTextScale), y - lineHeight / 2, label, kInk,
                         kTextScale);
    }
    for (double t : f.xTicks) {
        const int x = f.toPixelX(t);
        image.drawLine(x, f.top, x, f.bottom, kGrid);
        const std::string label = tickLabel(t);
        BitmapFont::draw(image, x - BitmapFont::width(label, kTextScale) / 2, f.bottom + 8, label, kInk, kTextScale);
    }
    const std::string xLabel = "step";
    BitmapFont::draw(image, (f.left + f.right - BitmapFont::width(xLabel, kTextScale)) / 2,
                     f.bottom + 8 + lineHeight + 8, xLabel, kInk, kTextScale);
    BitmapFont::draw(image, f.left, 16, plot.dataset + ": " + plot.title, kInk, kTextScale);

    // Bands first, so that every line stays visible above every band.
    for (size_t a = 0; a < plot.arms.size(); ++a) {
        const ArmCurve& arm = plot.arms[a];
        for (size_t i = 0; i + 1 < arm.steps.size(); ++i) {
            const double s0 = arm.std[i], s1 = arm.std[i + 1];
            if (!finite(s0) || !finite(s1) || !finite(arm.mean[i]) || !finite(arm.mean[i + 1])) continue;
            const int x0 = f.toPixelX(arm.steps[i]), x1 = f.toPixelX(arm.steps[i + 1]);
            for (int x = x0; x < x1 || (x == x0 && x0 == x1); ++x) {
                const double w = x1 == x0 ? 0.0 : double(x - x0) / double(x1 - x0);
                const double mean = arm.mean[i] + w * (arm.mean[i + 1] - arm.mean[i]);
                const double spread = s0 + w * (s1 - s0);
                for (int y = f.toPixelY(mean + spread); y <= f.toPixelY(mean - spread); ++y)
                    image.blend(x, y, armColour(a), kBandAlpha);
            }
        }
    }
    for (size_t a = 0; a < plot.arms.size(); ++a) {
        const ArmCurve& arm = plot.arms[a];
        int previousX = 0, previousY = 0;
        bool open = false;  // a NaN point breaks the line
        for (size_t i = 0; i < arm.steps.size(); ++i) {
            if (!finite(arm.steps[i]) || !finite(arm.mean[i])) {
                open = false;
                continue;
            }
            const int x = f.toPixelX(arm.steps[i]), y = f.toPixelY(arm.mean[i]);
            if (open) image.drawLine(previousX, previousY, x, y, armColour(a), kLineThickness);
            else image.fillRect(x - 2, y - 2, 5, 5, armColour(a));  // a lone point stays visible
            previousX = x;
            previousY = y;
            open = true;
        }
    }

    // Axes over the data, then the legend.
    image.drawLine(f.left, f.bottom, f.right, f.bottom, kInk);
    image.drawLine(f.left, f.top, f.left, f.bottom, kInk);
    int legendY = f.top;
    for (size_t a = 0; a < plot.arms.size(); ++a) {
        const ArmCurve& arm = plot.arms[a];
        image.fillRect(f.right + 24, legendY + lineHeight / 2 - 2, 20, 5, armColour(a));
        BitmapFont::draw(image, f.right + 24 + 28, legendY, legendName(arm), kInk, kTextScale);
        legendY += lineHeight + 10;
    }
    return image;
}

}  // namespace sage
