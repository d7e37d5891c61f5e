#include <algorithm>
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

TEST(DebiasedEmaTest, ExtendingOverNewPointsGivesTheSameValuesAsSmoothingTheWholeSeries) {
    std::vector<double> values;
    std::mt19937 rng(5);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int i = 0; i < 5000; ++i) values.push_back(i == 1234 ? kNaN : noise(rng));
    const std::vector<double> whole = debiasedEma(values, 0.8);
    // The live case: the series grows in uneven chunks and is smoothed over the new points only.
    EmaState state;
    std::vector<double> smoothed;
    std::vector<double> grown;
    for (size_t end : {1u, 2u, 700u, 1234u, 1235u, 4999u, 5000u}) {
        grown.assign(values.begin(), values.begin() + long(end));
        extendDebiasedEma(grown, 0.8, state, smoothed);
        ASSERT_EQ(smoothed.size(), end);
    }
    for (size_t i = 0; i < values.size(); ++i) {
        if (std::isnan(whole[i]))
            EXPECT_TRUE(std::isnan(smoothed[i])) << i;
        else
            EXPECT_EQ(smoothed[i], whole[i]) << i;  // bit for bit
    }
}

TEST(DebiasedEmaTest, LongSeriesMatchTheReferenceLoopBitForBit) {
    // Past a few thousand points w^n underflows; the implementation then stops the product (the
    // debias is exactly 1 from 2^-53 on), which must not change a single value.
    std::vector<double> values(20000);
    for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(double(i) * 0.01) + 0.001 * double(i);
    for (double weight : {0.6, 0.99}) {
        const std::vector<double> got = debiasedEma(values, weight);
        double last = 0.0, power = 1.0;
        for (size_t i = 0; i < values.size(); ++i) {
            last = last * weight + (1.0 - weight) * values[i];
            power *= weight;
            ASSERT_EQ(got[i], last / (1.0 - power)) << "w=" << weight << " i=" << i;
        }
    }
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
    EXPECT_LE(env.x.size(), 1600u + 4u);
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

// Every pixel bucket's smallest and largest value is drawn, whatever the series looks like:
// checked for every bucket of a long noisy series with spikes, NaN and infinities.
TEST(MinMaxEnvelopeTest, EveryBucketOfALongSeriesKeepsItsMinimumAndMaximum) {
    const int n = 250000, buckets = 737;
    std::vector<double> x(n), y(n);
    std::mt19937 rng(11);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int i = 0; i < n; ++i) {
        x[size_t(i)] = 3.0 * i;  // uneven bucket fill: 250000 points over 737 buckets
        y[size_t(i)] = std::sin(i * 1e-4) * 10.0 + noise(rng);
    }
    y[1000] = 1e6;
    y[1001] = -1e6;
    y[99999] = kNaN;
    y[123456] = kInf;
    y[200000] = -kInf;
    const double xLow = 300.0, xHigh = 3.0 * (n - 500);
    const XYPoints env = minMaxEnvelope(x, y, xLow, xHigh, buckets);
    ASSERT_TRUE(std::is_sorted(env.x.begin(), env.x.end()));
    EXPECT_LE(env.x.size(), size_t(2 * buckets + 4));

    // Bucket b ends where x reaches xLow + (b + 1) * width, as one pixel column does.
    const double width = (xHigh - xLow) / buckets;
    std::vector<double> edges;
    for (int b = 1; b < buckets; ++b) edges.push_back(xLow + width * double(b));
    const auto bucketOf = [&](double px) {
        return int(std::upper_bound(edges.begin(), edges.end(), px) - edges.begin());
    };
    std::vector<double> lo(buckets, kInf), hi(buckets, -kInf);
    std::vector<double> drawnLo(buckets, kInf), drawnHi(buckets, -kInf);
    for (int i = 0; i < n; ++i) {
        if (x[size_t(i)] < xLow || x[size_t(i)] > xHigh || std::isnan(y[size_t(i)])) continue;
        const int b = bucketOf(x[size_t(i)]);
        lo[size_t(b)] = std::min(lo[size_t(b)], y[size_t(i)]);
        hi[size_t(b)] = std::max(hi[size_t(b)], y[size_t(i)]);
    }
    for (size_t k = 0; k < env.x.size(); ++k) {
        // Each drawn point is a point of the series.
        const size_t i = size_t(env.x[k] / 3.0);
        ASSERT_EQ(env.x[k], x[i]);
        ASSERT_EQ(env.y[k], y[i]);
        if (env.x[k] < xLow || env.x[k] > xHigh) continue;  // the neighbours outside
        const int b = bucketOf(env.x[k]);
        drawnLo[size_t(b)] = std::min(drawnLo[size_t(b)], env.y[k]);
        drawnHi[size_t(b)] = std::max(drawnHi[size_t(b)], env.y[k]);
    }
    for (int b = 0; b < buckets; ++b) {
        EXPECT_EQ(drawnLo[size_t(b)], lo[size_t(b)]) << "bucket " << b;
        EXPECT_EQ(drawnHi[size_t(b)], hi[size_t(b)]) << "bucket " << b;
    }
    EXPECT_EQ(env.x.front(), 297.0) << "one neighbour left of the window";
    EXPECT_EQ(env.x.back(), 3.0 * (n - 499)) << "one neighbour right of the window";
}

TEST(MinMaxEnvelopeTest, ALogarithmicAxisDropsValuesAtOrBelowZero) {
    std::vector<double> x(10000), y(10000);
    for (size_t i = 0; i < x.size(); ++i) {
        x[i] = double(i);
        y[i] = (i % 3 == 0) ? -1.0 : (i % 3 == 1 ? 0.0 : 1.0 + double(i % 7));
    }
    const XYPoints env = minMaxEnvelope(x, y, 0.0, 9999.0, 100, true);
    ASSERT_FALSE(env.y.empty());
    for (double v : env.y) EXPECT_GT(v, 0.0);
    EXPECT_EQ(*std::min_element(env.y.begin(), env.y.end()), 1.0);
    EXPECT_EQ(*std::max_element(env.y.begin(), env.y.end()), 7.0);
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
