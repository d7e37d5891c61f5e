#pragma once
#include <cstdint>
#include <vector>

#include "training/training_records.h"

namespace sage {

/// What every minibatch update of one RL iteration produced, gathered for the step's metrics.
/// Per-slate entries are appended once per evaluation (each slate is seen μ times).
struct StepTrace {
    std::vector<double> tokenRatios;
    std::vector<double> sequenceLogRatios;
    std::vector<double> approxKlOld;  // k3 of π_old against π_θ, per slate
    std::vector<double> klReference;  // k3 of the reference against π_θ, per slate
    std::vector<double> coefficients;
    std::vector<double> advantages;
    std::vector<double> posCaps;
    std::vector<double> negScales;
    std::vector<double> negCaps;
    std::vector<uint8_t> boostApplied;
    double clipLow = 0.0, clipHigh = 0.0, clipRegion = 0.0;  // sums over updates
    double posActive = 0.0, negActive = 0.0;                 // sums over updates
    double policyLoss = 0.0, klLoss = 0.0, sftLoss = 0.0, totalLoss = 0.0, gradNorm = 0.0;
    int updates = 0;
    bool hasClip = false;
};

/// The ratio, bound, coefficient, clip and loss metrics of SAGE.md section 5 from a trace.
NamedValues stepMetrics(const StepTrace& trace);

}  // namespace sage
