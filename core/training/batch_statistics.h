#pragma once
#include <string>
#include <vector>

#include "training/training_records.h"

namespace sage {

/// Summary of a sample, as the step metrics report it.
struct SampleSummary {
    double mean = 0.0;
    double std = 0.0;  // population
    double min = 0.0;
    double max = 0.0;
    double p01 = 0.0;
    double p50 = 0.0;
    double p99 = 0.0;
};

/// Linear-interpolated quantiles (numpy's default). An empty sample gives all zeros.
SampleSummary summarize(std::vector<double> values);

/// Equal-width histogram of `values` over [low, high]; values outside land in the end bins.
HistogramRecord makeHistogram(const std::vector<double>& values, const std::string& key,
                              int64_t step, double low, double high, int bins);

}  // namespace sage
