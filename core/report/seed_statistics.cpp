#include "report/seed_statistics.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace sage {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> withoutNaN(const std::vector<double>& values) {
    std::vector<double> kept;
    for (double v : values)
        if (!std::isnan(v)) kept.push_back(v);
    return kept;
}

// Lentz's evaluation of the continued fraction of I_x(a, b) (Numerical Recipes, betacf); it
// converges fast for x < (a + 1) / (a + b + 2), which the caller arranges by symmetry.
double betaContinuedFraction(double x, double a, double b) {
    constexpr int kMaxIterations = 300;
    constexpr double kEpsilon = 1e-15;
    constexpr double kTiny = 1e-300;
    const double qab = a + b;
    const double qap = a + 1.0;
    const double qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::abs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::abs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::abs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::abs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::abs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1.0) < kEpsilon) return h;
    }
    return h;  // not reached for the (a, b) of a t-test with df ≤ 10^6
}

}  // namespace

SeedSummary summarizeSeeds(const std::vector<double>& values) {
    const auto kept = withoutNaN(values);
    SeedSummary summary;
    summary.n = static_cast<int>(kept.size());
    if (kept.empty()) return {0, kNaN, kNaN};
    double sum = 0.0;
    for (double v : kept) sum += v;
    summary.mean = sum / summary.n;
    if (summary.n < 2) {
        summary.std = kNaN;
        return summary;
    }
    double squares = 0.0;
    for (double v : kept) squares += (v - summary.mean) * (v - summary.mean);
    summary.std = std::sqrt(squares / (summary.n - 1));
    return summary;
}

PairedComparison comparePaired(const std::vector<double>& arm, const std::vector<double>& baseline) {
    if (arm.size() != baseline.size())
        throw std::invalid_argument("comparePaired: the arm and the baseline need one value per seed each");
    std::vector<double> differences;
    PairedComparison result;
    for (size_t i = 0; i < arm.size(); ++i) {
        if (std::isnan(arm[i]) || std::isnan(baseline[i])) continue;
        differences.push_back(arm[i] - baseline[i]);
        if (arm[i] > baseline[i]) ++result.wins;
        if (arm[i] < baseline[i]) ++result.losses;
    }
    const SeedSummary summary = summarizeSeeds(differences);
    result.n = summary.n;
    result.meanDifference = summary.mean;
    result.stdDifference = summary.std;
    if (summary.n < 2 || !(summary.std > 0.0)) {
        result.t = kNaN;
        result.pValue = kNaN;
        return result;
    }
    result.t = summary.mean / (summary.std / std::sqrt(static_cast<double>(summary.n)));
    result.pValue = studentTwoSidedP(result.t, summary.n - 1);
    return result;
}

double studentTwoSidedP(double t, double df) {
    if (std::isnan(t) || !(df > 0.0)) return kNaN;
    if (std::isinf(t)) return 0.0;
    // P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).
    return regularizedIncompleteBeta(df / (df + t * t), df / 2.0, 0.5);
}

double regularizedIncompleteBeta(double x, double a, double b) {
    if (!(a > 0.0) || !(b > 0.0) || std::isnan(x)) return kNaN;
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                            b * std::log1p(-x);
    const double front = std::exp(logFront);
    if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(x, a, b) / a;
    return 1.0 - front * betaContinuedFraction(1.0 - x, b, a) / b;
}

}  // namespace sage
