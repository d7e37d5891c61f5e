#include <gtest/gtest.h>

#include <cmath>

#include "report/seed_statistics.h"

namespace sage {
namespace {

TEST(SeedStatistics, SummaryIsMeanAndSampleStdWithoutNaN) {
    const auto s = summarizeSeeds({1.0, 2.0, std::nan(""), 4.0});
    EXPECT_EQ(s.n, 3);
    EXPECT_DOUBLE_EQ(s.mean, 7.0 / 3.0);
    // Σ(x − x̄)² = 16/9 + 1/9 + 25/9 = 42/9, over n − 1 = 2.
    EXPECT_DOUBLE_EQ(s.std, std::sqrt(21.0 / 9.0));
    const auto one = summarizeSeeds({0.5});
    EXPECT_EQ(one.n, 1);
    EXPECT_DOUBLE_EQ(one.mean, 0.5);
    EXPECT_TRUE(std::isnan(one.std));
    EXPECT_EQ(summarizeSeeds({}).n, 0);
}

TEST(SeedStatistics, StudentPMatchesClosedFormsForOneAndTwoDegreesOfFreedom) {
    for (double t : {0.0, 0.3, 1.0, 2.5, 7.0, -4.0}) {
        // df = 1 is Cauchy: P(|T| ≥ t) = 1 − 2·atan(|t|)/π; df = 2: 1 − |t|/√(2 + t²).
        EXPECT_NEAR(studentTwoSidedP(t, 1), 1.0 - 2.0 * std::atan(std::abs(t)) / M_PI, 1e-12) << t;
        EXPECT_NEAR(studentTwoSidedP(t, 2), 1.0 - std::abs(t) / std::sqrt(2.0 + t * t), 1e-12) << t;
    }
}

TEST(SeedStatistics, StudentPMatchesTabulatedCriticalValues) {
    // Two-sided 5 % and 1 % critical values of Student's t.
    EXPECT_NEAR(studentTwoSidedP(4.302653, 2), 0.05, 1e-6);
    EXPECT_NEAR(studentTwoSidedP(2.228139, 10), 0.05, 1e-6);
    EXPECT_NEAR(studentTwoSidedP(2.845340, 20), 0.01, 1e-6);
    EXPECT_NEAR(studentTwoSidedP(1.959964, 1e6), 0.05, 1e-5);  // the normal limit
    EXPECT_DOUBLE_EQ(studentTwoSidedP(std::numeric_limits<double>::infinity(), 3), 0.0);
}

TEST(SeedStatistics, IncompleteBetaHasItsKnownValues) {
    EXPECT_NEAR(regularizedIncompleteBeta(0.3, 1.0, 1.0), 0.3, 1e-14);  // uniform
    EXPECT_NEAR(regularizedIncompleteBeta(0.4, 2.0, 3.0), 0.5248, 1e-12);
    EXPECT_NEAR(regularizedIncompleteBeta(0.4, 3.0, 2.0), 1.0 - regularizedIncompleteBeta(0.6, 2.0, 3.0), 1e-14);
    EXPECT_EQ(regularizedIncompleteBeta(0.0, 2.0, 3.0), 0.0);
    EXPECT_EQ(regularizedIncompleteBeta(1.0, 2.0, 3.0), 1.0);
}

TEST(SeedStatistics, PairedComparisonTestsTheDifferencesPerSeed) {
    // Differences 0.1, 0.3, 0.2: mean 0.2, std 0.1, t = 0.2/(0.1/√3) = 2√3.
    const auto p = comparePaired({1.1, 2.3, 3.2}, {1.0, 2.0, 3.0});
    EXPECT_EQ(p.n, 3);
    EXPECT_NEAR(p.meanDifference, 0.2, 1e-12);
    EXPECT_NEAR(p.stdDifference, 0.1, 1e-12);
    EXPECT_NEAR(p.t, 2.0 * std::sqrt(3.0), 1e-9);
    EXPECT_NEAR(p.pValue, 1.0 - 2.0 * std::sqrt(3.0) / std::sqrt(14.0), 1e-9);  // df = 2 form
    EXPECT_EQ(p.wins, 3);
    EXPECT_EQ(p.losses, 0);
}

TEST(SeedStatistics, PairedComparisonSkipsMissingPairsAndHasNoTestWithoutSpread) {
    const auto p = comparePaired({1.0, std::nan(""), 3.0}, {0.5, 2.0, 2.5});
    EXPECT_EQ(p.n, 2);
    EXPECT_DOUBLE_EQ(p.meanDifference, 0.5);
    EXPECT_DOUBLE_EQ(p.stdDifference, 0.0);
    EXPECT_TRUE(std::isnan(p.t));  // every difference equal: t is not defined
    EXPECT_TRUE(std::isnan(p.pValue));
    EXPECT_THROW(comparePaired({1.0}, {1.0, 2.0}), std::invalid_argument);
}

}  // namespace
}  // namespace sage
