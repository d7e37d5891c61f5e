#pragma once
#include <vector>

namespace sage {

/// Mean and sample standard deviation (n − 1) of the values of one metric over seeds. NaN values
/// (a run without the metric) are left out; std is NaN below two values.
struct SeedSummary {
    int n = 0;
    double mean = 0.0;
    double std = 0.0;
};

SeedSummary summarizeSeeds(const std::vector<double>& values);

/// Paired comparison of an arm against the baseline over the seeds both have: the per-seed
/// differences arm − baseline, their mean and sample std, and Student's paired t-test
/// t = mean / (std / √n) with n − 1 degrees of freedom and its exact two-sided p-value.
/// t and p are NaN below two pairs or when every difference is the same (std 0).
struct PairedComparison {
    int n = 0;
    double meanDifference = 0.0;
    double stdDifference = 0.0;
    double t = 0.0;
    double pValue = 0.0;
    int wins = 0;  // pairs where the arm is higher
    int losses = 0;
};

/// `arm[i]` and `baseline[i]` belong to the same seed; pairs with a NaN side are skipped.
PairedComparison comparePaired(const std::vector<double>& arm, const std::vector<double>& baseline);

/// Two-sided p-value P(|T| ≥ |t|) of Student's t distribution with `df` degrees of freedom.
double studentTwoSidedP(double t, double df);

/// The regularized incomplete beta function I_x(a, b), by its continued fraction.
double regularizedIncompleteBeta(double x, double a, double b);

}  // namespace sage
