#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/experiment_report.h"

namespace sage {

/// One arm's curve: at each x (a step, or the centre of a bin of steps) the mean and sample std
/// of the metric over the arm's seeds (std NaN with one seed).
struct ArmCurve {
    std::string arm;
    int seeds = 0;
    std::vector<double> steps;
    std::vector<double> mean;
    std::vector<double> std;
};

/// One plot of the report: a metric over steps, one curve per arm.
struct CurvePlot {
    std::string dataset;
    std::string key;    // "val/recall@10", "reward", ...
    std::string title;
    std::string file;   // the PNG's name, unique within the report
    std::vector<ArmCurve> arms;
};

/// The curves behind the report's figures: for each evaluation column the validation series
/// ("val/…", else the "eval/…" series when the environment evaluates during training), and the
/// training metrics of the table. Series longer than `maxPoints` are averaged in equal step bins
/// per seed before the mean over seeds. The SFT stage is left out (its steps are epochs of
/// another stage). Plain data, written as JSON for the plot renderer.
class EvaluationCurves {
public:
    static std::vector<CurvePlot> build(const RunStore& store, const ExperimentReport& report,
                                        int maxPoints = 60);
    static nlohmann::json toJson(const std::vector<CurvePlot>& plots);
    /// Throws std::runtime_error naming the missing or malformed field.
    static std::vector<CurvePlot> fromJson(const nlohmann::json& json);
};

}  // namespace sage
