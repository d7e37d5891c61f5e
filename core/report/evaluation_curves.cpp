#include "report/evaluation_curves.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "store/run_store.h"

namespace sage {
namespace {

using Series = std::vector<MetricPoint>;

std::string fileName(const std::string& dataset, const std::string& key) {
    std::string name = dataset + "-" + key;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
    return name + ".png";
}

Series seriesOf(const RunStore& store, int64_t runId, const std::string& key, bool evaluation) {
    return evaluation ? store.evalSeries(runId, key) : store.metricSeries(runId, key);
}

// Mean ± std over seeds per step bin; each seed contributes the mean of its points in the bin.
ArmCurve curveOf(const std::string& arm, const std::vector<Series>& perSeed, int maxPoints) {
    ArmCurve curve;
    curve.arm = arm;
    curve.seeds = static_cast<int>(perSeed.size());
    std::set<int64_t> steps;
    for (const auto& s : perSeed)
        for (const auto& p : s) steps.insert(p.step);
    if (steps.empty()) return curve;
    const int64_t first = *steps.begin();
    const int64_t span = *steps.rbegin() - first + 1;
    const int64_t width =
        static_cast<int64_t>(steps.size()) <= maxPoints ? 1 : (span + maxPoints - 1) / maxPoints;
    const auto binOf = [&](int64_t step) { return width == 1 ? step : (step - first) / width; };
    std::map<int64_t, std::pair<double, int>> stepCentre;  // bin -> (sum of steps, count)
    for (int64_t step : steps) {
        auto& [sum, count] = stepCentre[binOf(step)];
        sum += static_cast<double>(step);
        ++count;
    }
    for (const auto& [bin, centre] : stepCentre) {
        std::vector<double> seedValues;
        for (const auto& s : perSeed) {
            double sum = 0.0;
            int count = 0;
            for (const auto& p : s) {
                if (binOf(p.step) != bin || std::isnan(p.value)) continue;
                sum += p.value;
                ++count;
            }
            if (count > 0) seedValues.push_back(sum / count);
        }
        const SeedSummary summary = summarizeSeeds(seedValues);
        if (summary.n == 0) continue;
        curve.steps.push_back(centre.first / centre.second);
        curve.mean.push_back(summary.mean);
        curve.std.push_back(summary.std);
    }
    return curve;
}

nlohmann::json numbers(const std::vector<double>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (double v : values) out.push_back(std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v));
    return out;
}

std::vector<double> numbersFrom(const nlohmann::json& array, const std::string& where) {
    if (!array.is_array()) throw std::runtime_error(where + " must be an array of numbers");
    std::vector<double> values;
    for (const auto& v : array) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    return values;
}

const nlohmann::json& field(const nlohmann::json& object, const char* name, const std::string& where) {
    if (!object.is_object() || !object.contains(name))
        throw std::runtime_error(where + " lacks \"" + name + "\"");
    return object[name];
}

}  // namespace

std::vector<CurvePlot> EvaluationCurves::build(const RunStore& store, const ExperimentReport& report,
                                               int maxPoints) {
    std::vector<CurvePlot> plots;
    for (const DatasetReport& dataset : report.datasets()) {
        for (const ReportColumn& column : dataset.columns) {
            const bool evaluation = column.source == ReportColumn::Source::FinalEvaluation;
            // A test metric is plotted through its validation twin, else through its own series
            // when the environment evaluates it during training.
            std::vector<std::string> candidates{column.key};
            if (evaluation && column.key.rfind("eval/", 0) == 0)
                candidates.insert(candidates.begin(), "val/" + column.key.substr(5));
            for (const std::string& key : candidates) {
                CurvePlot plot{dataset.dataset, key,
                               key + (evaluation ? " (evaluation)" : " (training)"),
                               fileName(dataset.dataset, key), {}};
                bool curve = false;
                for (const ArmResult& arm : dataset.arms) {
                    if (arm.sft) continue;
                    std::vector<Series> perSeed;
                    for (int64_t runId : arm.runIds) {
                        perSeed.push_back(seriesOf(store, runId, key, evaluation));
                        curve |= perSeed.back().size() >= 2;
                    }
                    plot.arms.push_back(curveOf(arm.arm, perSeed, maxPoints));
                }
                if (curve) {
                    if (key.rfind("val/", 0) == 0) plot.title = key + " (validation)";
                    plots.push_back(std::move(plot));
                    break;
                }
            }
        }
    }
    return plots;
}

nlohmann::json EvaluationCurves::toJson(const std::vector<CurvePlot>& plots) {
    nlohmann::json out = nlohmann::json::array();
    for (const CurvePlot& plot : plots) {
        nlohmann::json arms = nlohmann::json::array();
        for (const ArmCurve& a : plot.arms)
            arms.push_back({{"arm", a.arm},
                            {"seeds", a.seeds},
                            {"steps", numbers(a.steps)},
                            {"mean", numbers(a.mean)},
                            {"std", numbers(a.std)}});
        out.push_back({{"dataset", plot.dataset},
                       {"key", plot.key},
                       {"title", plot.title},
                       {"file", plot.file},
                       {"arms", arms}});
    }
    return {{"plots", out}};
}

std::vector<CurvePlot> EvaluationCurves::fromJson(const nlohmann::json& json) {
    std::vector<CurvePlot> plots;
    const auto& list = field(json, "plots", "the curves file");
    if (!list.is_array()) throw std::runtime_error("\"plots\" of the curves file must be an array");
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "plots[" + std::to_string(i) + "]";
        const auto& p = list[i];
        CurvePlot plot;
        plot.dataset = field(p, "dataset", where).get<std::string>();
        plot.key = field(p, "key", where).get<std::string>();
        plot.title = field(p, "title", where).get<std::string>();
        plot.file = field(p, "file", where).get<std::string>();
        if (plot.file.empty() || plot.file.find('/') != std::string::npos)
            throw std::runtime_error(where + ".file must be a plain file name");
        const auto& arms = field(p, "arms", where);
        for (size_t a = 0; a < arms.size(); ++a) {
            const std::string at = where + ".arms[" + std::to_string(a) + "]";
            ArmCurve curve;
            curve.arm = field(arms[a], "arm", at).get<std::string>();
            curve.seeds = field(arms[a], "seeds", at).get<int>();
            curve.steps = numbersFrom(field(arms[a], "steps", at), at + ".steps");
            curve.mean = numbersFrom(field(arms[a], "mean", at), at + ".mean");
            curve.std = numbersFrom(field(arms[a], "std", at), at + ".std");
            if (curve.mean.size() != curve.steps.size() || curve.std.size() != curve.steps.size())
                throw std::runtime_error(at + ": steps, mean and std must have the same length");
            plot.arms.push_back(std::move(curve));
        }
        plots.push_back(std::move(plot));
    }
    return plots;
}

}  // namespace sage
