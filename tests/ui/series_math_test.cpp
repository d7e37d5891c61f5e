#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "ui/envelope_downsampler.h"
#include "ui/series_smoothing.h"

namespace sage::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Reference values computed with TensorBoard's smoothing loop (last = last*w + (1-w)*v;
// debias = 1 - w^(number of finite values so far); smoothed = last/debias; non-finite values pass
// through and do not count).
TEST(DebiasedEmaTest, MatchesTensorBoardOnAReferenceSequence) {
    const std::vector<double> values = {1.0, 2.0, kNaN, 4.0, 8.0, -3.0, 0.5, kInf, 10.0};
    const struct {
        double weight;
        std::vector<double> expected;
    } cases[] = {
        {0.6, {1.0, 1.625, kNaN, 2.8367346938775513, 5.209558823529411, 1.6488549618320607,
               1.1668233082706765, kInf, 4.801851510442729}},
        {0.9, {1.0, 1.5263157894736843, kNaN, 2.4391143911439115, 4.056120965396917,
               2.333056579814901, 1.9418451038183029, kInf, 3.4864314588124934}},
        {0.999, {1.0, 1.5002501250625528, kNaN, 2.334333889111151, 3.7528768130309915,
                 2.3995975971985284, 2.0822055747896577, kInf, 3.216716931287309}},
    };
    for (const auto& c : cases) {
        const std::vector<double> got = debiasedEma(values, c.weight);
        ASSERT_EQ(got.size(), c.expected.size());
        for (size_t i = 0; i < got.size(); ++i) {
            if (std::isnan(c.expected[i])) {
                EXPECT_TRUE(std::isnan(got[i])) << "w=" << c.weight << " i=" << i;
            } else if (std::isinf(c.expected[i])) {
                EXPECT_EQ(got[i], c.expected[i]);
            } else {
                EXPECT_NEAR(got[i], c.expected[i], 1e-12) << "w=" << c.weight << " i=" << i;
            }
        }
    }
}

TEST(DebiasedEmaTest, ZeroWeightIsTheSeriesAndAConstantStaysConstant) {
    const std::vector<double> values = {3.0, -1.0, 7.5};
    EXPECT_EQ(debiasedEma(values, 0.0), values);
    for (double v : debiasedEma(std::vector<double>(50, 2.5), 0.95)) EXPECT_NEAR(v, 2.5, 1e-12);
    EXPECT_TRUE(debiasedEma({}, 0.5).empty());
}

TEST(MinMaxEnvelopeTest, KeepsEveryBucketsExtremesAndStaysSmall) {
    const int n = 100000;
    std::vector<double> x(n), y(n);
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int i = 0; i < n; ++i) {
        x[size_t(i)] = double(i);
        y[size_t(i)] = noise(rng);
    }
    y[31337] = 100.0;   // one spike up
    y[77777] = -100.0;  // one spike down
    y[500] = kNaN;

    const XYPoints env = minMaxEnvelope(x, y, 0.0, double(n - 1), 800);
    EXPECT_LE(env.x.size(), 1600u + 2u);
    EXPECT_GE(env.x.size(), 800u);
    EXPECT_TRUE(std::is_sorted(env.x.begin(), env.x.end()));
    bool up = false, down = false;
    for (size_t i = 0; i < env.x.size(); ++i) {
        up |= env.x[i] == 31337.0 && env.y[i] == 100.0;
        down |= env.x[i] == 77777.0 && env.y[i] == -100.0;
        EXPECT_FALSE(std::isnan(env.y[i]));
    }
    EXPECT_TRUE(up && down) << "a one-point spike survives downsampling";

    // Every bucket's true min and max appear.
    const double width = double(n - 1) / 800.0;
    for (int b = 0; b < 800; b += 97) {
        double lo = kInf, hi = -kInf;
        for (int i = 0; i < n; ++i) {
            const int bucket = std::min(799, int(double(i) / double(n - 1) * 800));
            if (bucket != b || std::isnan(y[size_t(i)])) continue;
            lo = std::min(lo, y[size_t(i)]);
            hi = std::max(hi, y[size_t(i)]);
        }
        bool foundLo = false, foundHi = false;
        for (size_t i = 0; i < env.x.size(); ++i) {
            if (env.x[i] < b * width - 1 || env.x[i] > (b + 1) * width + 1) continue;
            foundLo |= env.y[i] == lo;
            foundHi |= env.y[i] == hi;
        }
        EXPECT_TRUE(foundLo && foundHi) << "bucket " << b;
    }
}

TEST(MinMaxEnvelopeTest, ZoomingInReturnsEveryPointPlusOneNeighbourEachSide) {
    std::vector<double> x(100000), y(100000);
    for (size_t i = 0; i < x.size(); ++i) {
        x[i] = double(i);
        y[i] = std::sin(double(i));
    }
    const XYPoints env = minMaxEnvelope(x, y, 1000.0, 1100.0, 800);
    ASSERT_EQ(env.x.size(), 103u);
    EXPECT_EQ(env.x.front(), 999.0);
    EXPECT_EQ(env.x.back(), 1101.0);
    for (size_t i = 0; i < env.x.size(); ++i) EXPECT_EQ(env.y[i], std::sin(env.x[i]));
    EXPECT_TRUE(minMaxEnvelope({}, {}, 0, 1, 10).x.empty());
}

}  // namespace
}  // namespace sage::ui
