#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/experiment_report.h"

namespace sage {

class RunStore;

/// What the stored per-slate records (SAGE.md 5, the sequence inspector's rows) say about how an
/// arm's objective acted, pooled over its seeds and every step that logged slates. This is the
/// evidence for why an arm differs from another: whether SAGE's boost and entropy-aware penalty
/// changed any coefficient at all, and which reward components its advantages follow.
struct ArmSlateDiagnostics {
    std::string arm;
    int64_t slates = 0;
    int64_t positives = 0;  // A_i > 0
    int64_t negatives = 0;  // A_i < 0
    /// Positives: the mean ratio r_i, the share with r_i > 1 (where a cap above 1 can act), the
    /// share whose coefficient exceeds 1 (GBPO caps a positive at min(r_i, 1)), and the mean extra
    /// coefficient c_i − min(r_i, 1) over all positives: what the boost added.
    double positiveRatioMean = 0.0;
    double positiveRatioAboveOne = 0.0;
    double positiveCoefficientAboveOne = 0.0;
    double boostExtraMean = 0.0;
    /// Share of positives with b_i > 0 under the arm's boost_mode. Every arm records it; only SAGE
    /// with ε_boost > 0 acts on it (boostExtraMean says by how much).
    double boostEligible = 0.0;
    /// Negatives: the mean penalty scale Λ_i, the share where the cap (not r_i) set c_i, the mean
    /// coefficient, and the mean list entropy Ĥ_i of negatives and of positives.
    double negativeScaleMean = 0.0;
    double negativeCapActive = 0.0;
    double negativeCoefficientMean = 0.0;
    double negativeEntropyMean = 0.0;
    double positiveEntropyMean = 0.0;
    /// Pearson correlation of A_i with each reward component (names from the records), and with Ĥ_i.
    std::vector<std::pair<std::string, double>> advantageCorrelation;
    double advantageEntropyCorrelation = 0.0;
};

struct DatasetSlateDiagnostics {
    std::string dataset;
    std::vector<ArmSlateDiagnostics> arms;  // arms with logged slates, in the report's order
};

/// Reads the slates of every run the report uses (its arms' finished runs).
std::vector<DatasetSlateDiagnostics> buildSlateDiagnostics(const RunStore& store,
                                                           const ExperimentReport& report);

/// The diagnostics of one data set as a Markdown section ("## Per-slate diagnostics: <data set>")
/// of two tables (coefficients, advantage composition) with how to read them; "" when no arm
/// logged slates.
std::string slateDiagnosticsMarkdown(const DatasetSlateDiagnostics& diagnostics);

}  // namespace sage
