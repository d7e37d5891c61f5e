#pragma once
// Value types a trainer reports through a TrainingSink. Plain C++ (no torch, no Qt): they cross
// threads and are written to the store as they are.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sage {

using NamedValues = std::vector<std::pair<std::string, double>>;

/// Every scalar metric of one training step (keys as in SAGE.md section 5).
struct StepScalars {
    int64_t step = 0;
    double wallTime = 0.0;  // seconds since the run started
    NamedValues values;
};

/// A fixed-bin histogram of one quantity at one step (e.g. the sequence log-ratio ρ).
struct HistogramRecord {
    int64_t step = 0;
    std::string key;
    double low = 0.0;
    double high = 0.0;
    std::vector<float> counts;  // equal-width bins over [low, high]
};

/// One slate of a step as the per-slate inspector shows it (SAGE.md section 5).
struct SlateRecord {
    int64_t step = 0;
    int64_t user = 0;
    int32_t group = 0;
    std::vector<int64_t> items;
    std::vector<float> logpOld;
    std::vector<float> logpNew;
    std::vector<float> tokenRatio;
    double logRatio = 0.0;  // ρ_i
    double ratio = 0.0;     // r_i
    double pbarOld = 0.0;
    double pbarNew = 0.0;
    double denominator = 0.0;  // D_i (0 where the objective has none)
    double coefficient = 0.0;  // c_i
    std::string branch;        // which cap or clip set c_i: "ratio", "pos_cap", "neg_cap", "clip_low", ...
    double boost = 0.0;        // b_i
    double posCap = 0.0;       // Γ⁺_i
    double listEntropy = 0.0;  // Ĥ_i
    double negScale = 0.0;     // Λ_i
    double advantage = 0.0;    // A_i
    NamedValues rewards;       // each reward component
};

struct EvalRecord {
    int64_t step = 0;
    NamedValues values;  // keys "eval/..."
};

enum class EventLevel { Info, Warning, Error };

struct EventRecord {
    int64_t step = 0;
    double wallTime = 0.0;
    EventLevel level = EventLevel::Info;
    std::string message;
};

std::string toString(EventLevel level);

}  // namespace sage
