#include <gtest/gtest.h>

#include <cmath>

#include "png_test_decoder.h"
#include "report/curve_plot_renderer.h"
#include "report/png_writer.h"

namespace sage {
namespace {

constexpr Rgb kWhite{255, 255, 255};

// Arm "rising": two seeds, mean 0 → 1 over steps 0..100 with std 0.1; arm "flat": one seed at 0.2.
CurvePlot twoArms() {
    CurvePlot plot{"synthetic", "val/recall@10", "val/recall@10 (validation)", "synthetic-val_recall_10.png", {}};
    ArmCurve rising{"rising", 2, {}, {}, {}};
    ArmCurve flat{"flat", 1, {}, {}, {}};
    for (int step = 0; step <= 100; step += 10) {
        rising.steps.push_back(step);
        rising.mean.push_back(step / 100.0);
        rising.std.push_back(0.1);
        flat.steps.push_back(step);
        flat.mean.push_back(0.2);
        flat.std.push_back(std::nan(""));
    }
    plot.arms = {rising, flat};
    return plot;
}

Rgb blended(Rgb colour, double alpha) {
    const auto mix = [alpha](uint8_t over) { return uint8_t(std::lround(255 + alpha * (double(over) - 255))); };
    return {mix(colour.r), mix(colour.g), mix(colour.b)};
}

TEST(CurvePlotRenderer, FrameRoundsTheDataRangesOutToNiceTicks) {
    const PlotFrame f = CurvePlotRenderer::frame(twoArms(), 960, 540);
    EXPECT_EQ(f.xTicks, (std::vector<double>{0, 20, 40, 60, 80, 100}));
    // The band reaches −0.1 and 1.1; ticks every 0.2 from −0.2 to 1.2.
    ASSERT_EQ(f.yTicks.size(), 8u);
    EXPECT_NEAR(f.yTicks.front(), -0.2, 1e-12);
    EXPECT_NEAR(f.yTicks.back(), 1.2, 1e-12);
    EXPECT_EQ(f.toPixelX(0), f.left);
    EXPECT_EQ(f.toPixelX(100), f.right);
    EXPECT_EQ(f.toPixelY(-0.2), f.bottom);
    EXPECT_EQ(f.toPixelY(1.2), f.top);
    EXPECT_LT(f.left, f.right);
    EXPECT_LT(f.top, f.bottom);
}

TEST(CurvePlotRenderer, StepTicksAreWholeNumbersOnShortRuns) {
    CurvePlot plot{"synthetic", "reward", "reward (training)", "synthetic-reward.png",
                   {{"sage", 1, {1, 2, 3, 4, 5}, {0.1, 0.2, 0.1, 0.3, 0.2}, std::vector<double>(5, std::nan(""))}}};
    EXPECT_EQ(CurvePlotRenderer::frame(plot).xTicks, (std::vector<double>{1, 2, 3, 4, 5}));
}

TEST(CurvePlotRenderer, LinesBandsLegendAndTitleWhereTheyBelong) {
    const CurvePlot plot = twoArms();
    const RgbImage drawn = CurvePlotRenderer::render(plot, 960, 540);
    // Through the encoder and an independent decoder: the file shows what was drawn.
    const auto image = testing::decodePng(PngWriter::encode(drawn));
    ASSERT_EQ(image.width, 960);
    ASSERT_EQ(image.height, 540);
    const PlotFrame f = CurvePlotRenderer::frame(plot, 960, 540);
    const Rgb rising = CurvePlotRenderer::armColour(0), flat = CurvePlotRenderer::armColour(1);
    EXPECT_NE(rising, flat);

    // On each arm's mean line, between its points too.
    EXPECT_EQ(image.pixel(f.toPixelX(55), f.toPixelY(0.55)), rising);
    EXPECT_EQ(image.pixel(f.toPixelX(35), f.toPixelY(0.2)), flat);
    // Inside the rising arm's ± std band but off its line: white under the band's tint.
    EXPECT_EQ(image.pixel(f.toPixelX(83), f.toPixelY(0.83 + 0.07)), blended(rising, 0.18));
    // Above the band, and where only the single-seed arm is (it has no band): background.
    EXPECT_EQ(image.pixel(f.toPixelX(30), f.toPixelY(0.9)), kWhite);
    EXPECT_EQ(image.pixel(f.toPixelX(90), f.toPixelY(0.25)), kWhite);
    // Legend swatches right of the axes, in the arms' colours and order.
    bool risingSwatch = false, flatSwatch = false;
    for (int x = f.right + 1; x < image.width; ++x)
        for (int y = f.top; y < f.top + 60; ++y) {
            risingSwatch |= image.pixel(x, y) == rising;
            flatSwatch |= image.pixel(x, y) == flat && y > f.top + 14;
        }
    EXPECT_TRUE(risingSwatch);
    EXPECT_TRUE(flatSwatch);
    // The title is written above the axes.
    int ink = 0;
    for (int x = 0; x < image.width; ++x)
        for (int y = 0; y < f.top; ++y) ink += image.pixel(x, y) != kWhite;
    EXPECT_GT(ink, 100);
}

TEST(CurvePlotRenderer, AMissingPointBreaksTheLineAndAnEmptyPlotStillDraws) {
    CurvePlot plot = twoArms();
    plot.arms.resize(1);
    plot.arms[0].std.assign(plot.arms[0].std.size(), std::nan(""));
    plot.arms[0].mean[5] = std::nan("");  // step 50
    const RgbImage image = CurvePlotRenderer::render(plot, 960, 540);
    const PlotFrame f = CurvePlotRenderer::frame(plot, 960, 540);
    const Rgb colour = CurvePlotRenderer::armColour(0);
    EXPECT_EQ(image.pixel(f.toPixelX(35), f.toPixelY(0.35)), colour);
    EXPECT_NE(image.pixel(f.toPixelX(50), f.toPixelY(0.5)), colour);
    EXPECT_EQ(image.pixel(f.toPixelX(65), f.toPixelY(0.65)), colour);

    CurvePlot empty{"synthetic", "reward", "reward (training)", "synthetic-reward.png", {}};
    const RgbImage blank = CurvePlotRenderer::render(empty, 320, 200);
    EXPECT_EQ(blank.width(), 320);
}

}  // namespace
}  // namespace sage
