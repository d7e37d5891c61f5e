#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/seed_statistics.h"

namespace sage {

class RunStore;

/// Which held-out figures a report shows. Validation is what tuning may look at; test is what is
/// reported, never tuned on (issue #6).
enum class ReportSplit { Test, Validation };

/// One column of the report: a metric and where its value per run comes from.
struct ReportColumn {
    enum class Source {
        FinalEvaluation,  // the run's last evaluation of the key ("eval/…": the test pass at the
                          // end; "val/…": the validation pass at the end)
        TrainingTail,     // mean of a step metric over the last 10 % of the run's steps
    };
    std::string key;
    std::string label;
    Source source = Source::FinalEvaluation;
};

/// The finished runs of one arm on one data set, one per seed.
struct ArmResult {
    std::string arm;
    bool baseline = false;
    bool sft = false;                 // the shared SFT stage: the point every RL arm starts from
    std::vector<int64_t> seeds;       // ascending
    std::vector<int64_t> runIds;      // one per seed
    std::vector<std::vector<double>> values;  // [column][seed]; NaN where the run lacks the metric
    std::vector<SeedSummary> summaries;       // [column]
    std::vector<double> changePercent;        // [column] 100·(mean − base mean)/|base mean|, or NaN
    std::vector<PairedComparison> paired;     // [column] against the baseline over common seeds
};

struct DatasetReport {
    std::string dataset;
    std::string baseline;  // the baseline arm ("" when none is known)
    std::vector<ReportColumn> columns;  // only those some run of the data set has
    std::vector<std::string> absentKeys;  // requested keys no run of the data set has
    std::vector<ArmResult> arms;          // the SFT stage first, then arms in the suite's order
    std::vector<std::string> notes;       // unfinished or duplicate runs left out, and why
};

/// The comparison table of an experiment (a suite's runs), per data set: each metric as mean ±
/// std over seeds, the change against the baseline arm, and a paired comparison across seeds.
/// Pure C++ over the store: `sage-train report` prints it as Markdown and the dashboard's compare
/// view shows the same numbers.
class ExperimentReport {
public:
    /// The columns the paper's comparison needs (SAGE.md 6), in order, with the held-out metrics
    /// of `split` ("eval/…" or "val/…"); a data set keeps those its runs have.
    static std::vector<ReportColumn> columnsFor(ReportSplit split);

    /// Reads every finished, non-deleted run of `experiment`. `baselineArm` empty: the arm whose
    /// runs carry the "baseline" tag. Throws StoreError when the experiment does not exist.
    static ExperimentReport build(const RunStore& store, const std::string& experiment,
                                  const std::string& baselineArm = {},
                                  ReportSplit split = ReportSplit::Test);

    const std::string& experiment() const { return m_experiment; }
    ReportSplit split() const { return m_split; }
    const std::vector<DatasetReport>& datasets() const { return m_datasets; }

private:
    std::string m_experiment;
    ReportSplit m_split = ReportSplit::Test;
    std::vector<DatasetReport> m_datasets;
};

/// The value of one report column for one run (NaN when the run lacks it): what the report
/// aggregates, exposed so that tests and tools read runs exactly as the report does.
double reportValue(const RunStore& store, int64_t runId, const ReportColumn& column);

}  // namespace sage
