#include "report/experiment_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "store/run_store.h"
#include "suite/suite_run_label.h"

namespace sage {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Source = ReportColumn::Source;

// The runs of one arm on one data set, by seed; a later finished run of a seed replaces an
// earlier one (and says so in the notes).
struct ArmRuns {
    std::string arm;
    bool baseline = false;
    bool sft = false;
    int64_t firstRunId = 0;
    std::map<int64_t, int64_t> runBySeed;
};

struct DatasetRuns {
    std::string name;
    int64_t firstRunId = 0;
    std::vector<ArmRuns> arms;
    std::vector<std::string> notes;

    ArmRuns& arm(const SuiteRunLabel& label, int64_t runId) {
        for (auto& a : arms)
            if (a.arm == label.arm) return a;
        arms.push_back({label.arm, false, label.sft, runId, {}});
        return arms.back();
    }
};

std::string seedLabel(const std::string& arm, int64_t seed) {
    return arm + "/seed" + std::to_string(seed);
}

std::vector<DatasetRuns> groupRuns(const RunStore& store, const std::string& experiment) {
    std::vector<DatasetRuns> datasets;
    bool experimentExists = false;
    for (const auto& e : store.listExperiments()) experimentExists |= e.name == experiment;
    if (!experimentExists) {
        std::string known;
        for (const auto& e : store.listExperiments()) known += (known.empty() ? "" : ", ") + e.name;
        throw StoreError("Run store " + store.path() + " has no experiment '" + experiment +
                         "' (it has: " + (known.empty() ? "none" : known) +
                         "). Pass the experiment name a suite file gives under \"experiment\".");
    }
    for (const RunSummary& run : store.listRuns()) {
        if (run.experiment != experiment) continue;
        const SuiteRunLabel label = SuiteRunLabel::of(run);
        auto it = std::find_if(datasets.begin(), datasets.end(),
                               [&](const DatasetRuns& d) { return d.name == label.dataset; });
        if (it == datasets.end()) {
            datasets.push_back({label.dataset, run.id, {}, {}});
            it = datasets.end() - 1;
        }
        const std::string name = label.sft ? label.arm : seedLabel(label.arm, label.seed);
        if (run.status != RunStatus::Finished) {
            it->notes.push_back("left out " + name + " (run " + std::to_string(run.id) + "): " +
                                toString(run.status));
            continue;
        }
        ArmRuns& arm = it->arm(label, run.id);
        arm.baseline |= label.baseline;
        if (const auto previous = arm.runBySeed.find(label.seed); previous != arm.runBySeed.end()) {
            it->notes.push_back("two finished runs of " + name + ": run " +
                                std::to_string(run.id) + " is used, run " +
                                std::to_string(previous->second) + " is not");
        }
        arm.runBySeed[label.seed] = run.id;
    }
    for (auto& d : datasets) {
        // The SFT stage first: it is where every RL arm starts.
        std::stable_sort(d.arms.begin(), d.arms.end(), [](const ArmRuns& a, const ArmRuns& b) {
            return a.sft != b.sft ? a.sft : a.firstRunId < b.firstRunId;
        });
    }
    return datasets;
}

double tailMean(const std::vector<MetricPoint>& series) {
    if (series.empty()) return kNaN;
    const size_t tail = std::max<size_t>(1, (series.size() + 9) / 10);
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = series.size() - tail; i < series.size(); ++i) {
        if (std::isnan(series[i].value)) continue;
        sum += series[i].value;
        ++count;
    }
    return count == 0 ? kNaN : sum / static_cast<double>(count);
}

std::string chooseBaseline(const DatasetRuns& runs, const std::string& requested,
                           std::vector<std::string>& notes) {
    if (!requested.empty()) {
        for (const auto& a : runs.arms)
            if (a.arm == requested) return requested;
        notes.push_back("baseline arm '" + requested + "' has no finished run on this data set");
        return {};
    }
    for (const auto& a : runs.arms)
        if (a.baseline) return a.arm;
    return {};
}

}  // namespace

std::vector<ReportColumn> ExperimentReport::columnsFor(ReportSplit split) {
    std::vector<ReportColumn> columns{
        {"eval/recall@5", "R@5", Source::FinalEvaluation},
        {"eval/recall@10", "R@10", Source::FinalEvaluation},
        {"eval/ndcg@5", "N@5", Source::FinalEvaluation},
        {"eval/ndcg@10", "N@10", Source::FinalEvaluation},
        {"eval/cold_recall@10", "Cold-R@10", Source::FinalEvaluation},
        {"eval/entropy@10", "Entropy@10", Source::FinalEvaluation},
        {"eval/coverage@10", "Coverage@10", Source::FinalEvaluation},
        {"eval/expected_reward", "E[reward]", Source::FinalEvaluation},
        {"eval/expected_cold_clicks@10", "E[cold clicks@10]", Source::FinalEvaluation},
        {"reward", "train reward", Source::TrainingTail},
        {"slate/entropy_mean", "train Ĥ", Source::TrainingTail},
    };
    if (split == ReportSplit::Validation) {
        for (ReportColumn& column : columns)
            if (column.source == Source::FinalEvaluation) column.key.replace(0, 5, "val/");
    }
    return columns;
}

double reportValue(const RunStore& store, int64_t runId, const ReportColumn& column) {
    if (column.source == Source::TrainingTail) return tailMean(store.metricSeries(runId, column.key));
    const auto series = store.evalSeries(runId, column.key);
    return series.empty() ? kNaN : series.back().value;
}

ExperimentReport ExperimentReport::build(const RunStore& store, const std::string& experiment,
                                         const std::string& baselineArm, ReportSplit split) {
    ExperimentReport report;
    report.m_experiment = experiment;
    report.m_split = split;
    const std::vector<ReportColumn> columns = columnsFor(split);
    for (const DatasetRuns& runs : groupRuns(store, experiment)) {
        DatasetReport dataset;
        dataset.dataset = runs.name;
        dataset.notes = runs.notes;
        dataset.baseline = chooseBaseline(runs, baselineArm, dataset.notes);

        // Every value of every requested column, then keep the columns some run has.
        std::vector<std::vector<std::vector<double>>> values(runs.arms.size());
        std::vector<bool> present(columns.size(), false);
        for (size_t a = 0; a < runs.arms.size(); ++a) {
            values[a].resize(columns.size());
            for (size_t c = 0; c < columns.size(); ++c) {
                for (const auto& [seed, runId] : runs.arms[a].runBySeed) {
                    const double v = reportValue(store, runId, columns[c]);
                    values[a][c].push_back(v);
                    present[c] = present[c] || !std::isnan(v);
                }
            }
        }
        std::vector<size_t> kept;
        for (size_t c = 0; c < columns.size(); ++c) {
            if (present[c]) {
                kept.push_back(c);
                dataset.columns.push_back(columns[c]);
            } else {
                dataset.absentKeys.push_back(columns[c].key);
            }
        }

        for (size_t a = 0; a < runs.arms.size(); ++a) {
            const ArmRuns& source = runs.arms[a];
            ArmResult arm;
            arm.arm = source.arm;
            arm.sft = source.sft;
            arm.baseline = source.arm == dataset.baseline;
            for (const auto& [seed, runId] : source.runBySeed) {
                arm.seeds.push_back(seed);
                arm.runIds.push_back(runId);
            }
            for (size_t c : kept) {
                arm.values.push_back(values[a][c]);
                arm.summaries.push_back(summarizeSeeds(values[a][c]));
            }
            dataset.arms.push_back(std::move(arm));
        }

        const auto base = std::find_if(dataset.arms.begin(), dataset.arms.end(),
                                       [](const ArmResult& a) { return a.baseline; });
        for (ArmResult& arm : dataset.arms) {
            for (size_t c = 0; c < kept.size(); ++c) {
                double change = kNaN;
                PairedComparison paired{0, kNaN, kNaN, kNaN, kNaN, 0, 0};
                if (base != dataset.arms.end() && !arm.baseline && !arm.sft) {
                    const double b = base->summaries[c].mean;
                    const double v = arm.summaries[c].mean;
                    if (!std::isnan(b) && !std::isnan(v) && b != 0.0)
                        change = 100.0 * (v - b) / std::abs(b);
                    // Pair the seeds both arms ran.
                    std::vector<double> mine, theirs;
                    for (size_t i = 0; i < arm.seeds.size(); ++i) {
                        const auto j = std::find(base->seeds.begin(), base->seeds.end(), arm.seeds[i]);
                        if (j == base->seeds.end()) continue;
                        mine.push_back(arm.values[c][i]);
                        theirs.push_back(base->values[c][size_t(j - base->seeds.begin())]);
                    }
                    paired = comparePaired(mine, theirs);
                }
                arm.changePercent.push_back(change);
                arm.paired.push_back(paired);
            }
        }
        report.m_datasets.push_back(std::move(dataset));
    }
    return report;
}

}  // namespace sage
