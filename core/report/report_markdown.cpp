#include "report/report_markdown.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace sage {
namespace {

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
    return out;
}

bool hasTrainingColumn(const DatasetReport& dataset) {
    for (const auto& c : dataset.columns)
        if (c.source == ReportColumn::Source::TrainingTail) return true;
    return false;
}

void writeHeader(std::ostringstream& out, const DatasetReport& dataset, const std::string& first) {
    out << "| " << first << " | n |";
    for (const auto& c : dataset.columns)
        out << ' ' << c.label << (c.source == ReportColumn::Source::TrainingTail ? "†" : "") << " |";
    out << "\n|---|---:|";
    for (size_t c = 0; c < dataset.columns.size(); ++c) out << "---:|";
    out << '\n';
}

void writeMeansTable(std::ostringstream& out, const DatasetReport& dataset) {
    writeHeader(out, dataset, "arm");
    for (const ArmResult& arm : dataset.arms) {
        out << "| " << escapeCell(arm.arm) << (arm.baseline ? " (baseline)" : "")
            << (arm.sft ? " (shared start)" : "") << " | " << arm.seeds.size() << " |";
        for (size_t c = 0; c < dataset.columns.size(); ++c) {
            const std::string change = formatChange(arm.changePercent[c]);
            out << ' ' << formatMeanStd(arm.summaries[c]) << (change.empty() ? "" : " (" + change + ")")
                << " |";
        }
        out << '\n';
    }
}

void writePairedTable(std::ostringstream& out, const DatasetReport& dataset) {
    out << "\n### Paired comparison against `" << dataset.baseline << "`\n\n"
        << "Per seed the difference arm − baseline; mean ± sample std of the differences; Student's "
           "paired t-test with n − 1 degrees of freedom and its exact two-sided p-value. With 2–3 "
           "seeds the test has little power and rests on roughly normal differences: read p as a "
           "guide, not a verdict. W/L: seeds where the arm was higher/lower.\n\n";
    writeHeader(out, dataset, "arm − " + escapeCell(dataset.baseline));
    for (const ArmResult& arm : dataset.arms) {
        if (arm.baseline || arm.sft) continue;
        const int n = arm.paired.empty() ? 0 : arm.paired.front().n;
        out << "| " << escapeCell(arm.arm) << " | " << n << " |";
        for (const auto& p : arm.paired)
            out << ' ' << formatPaired(p) << (p.n > 0 ? ", W/L " + std::to_string(p.wins) + "/" +
                                                            std::to_string(p.losses)
                                                      : "")
                << " |";
        out << '\n';
    }
}

}  // namespace

std::string escapeCell(std::string text) {
    for (size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
        text.replace(at, 1, "\\|");
    return text;
}

std::string formatValue(double value, const char* pattern) {
    return std::isnan(value) ? "—" : format(pattern, value);
}

std::string formatMeanStd(const SeedSummary& summary) {
    if (summary.n == 0 || std::isnan(summary.mean)) return "—";
    if (summary.n < 2 || std::isnan(summary.std)) return format("%.4g", summary.mean);
    return format("%.4g", summary.mean) + " ± " + format("%.4g", summary.std);
}

std::string formatChange(double percent) {
    if (std::isnan(percent)) return {};
    return format("%+.1f", percent) + " %";
}

std::string formatPaired(const PairedComparison& paired) {
    if (paired.n == 0 || std::isnan(paired.meanDifference)) return "—";
    std::string text = format("%+.4g", paired.meanDifference);
    if (!std::isnan(paired.stdDifference)) text += " ± " + format("%.4g", paired.stdDifference);
    if (!std::isnan(paired.t))
        text += ", t = " + format("%.2f", paired.t) + ", p = " + format("%.3f", paired.pValue);
    return text;
}

std::string reportMarkdown(const ExperimentReport& report, const std::string& storePath,
                           const std::vector<ReportFigure>& figures, const std::string& plotNote) {
    std::ostringstream out;
    out << "# Experiment `" << report.experiment() << "`\n\n"
        << "Written by `sage-train report` from the run store `" << storePath << "`. "
        << (report.split() == ReportSplit::Test
                ? "Each cell: the final test value of a metric (the last `eval/…` evaluation of each run)"
                : "Each cell: the final validation value of a metric (the last `val/…` evaluation of "
                  "each run, on the run's `training.eval_users` validation users): the figures to "
                  "tune on; the test figures come from the report without `--split validation`")
        << ", mean ± sample std over the seeds with a finished run (n), and in brackets the "
           "change of the mean against the baseline arm.\n";
    if (report.datasets().empty()) out << "\nThe experiment has no runs.\n";
    for (const DatasetReport& dataset : report.datasets()) {
        out << "\n## Data set: " << dataset.dataset << "\n\n";
        if (dataset.baseline.empty())
            out << "No baseline arm (no run tagged `baseline`; pass `--baseline ARM`): no changes "
                   "or paired comparisons.\n\n";
        else
            out << "Baseline arm: `" << dataset.baseline << "`.\n\n";
        if (dataset.columns.empty()) {
            out << "No run of this data set has any of the report's metrics.\n";
        } else {
            writeMeansTable(out, dataset);
            if (hasTrainingColumn(dataset))
                out << "\n† Training metric, not a held-out evaluation: the mean over the last 10 % "
                       "of the run's steps of the sampled slates' reward (`reward`) or normalised "
                       "category entropy (`slate/entropy_mean`).\n";
            if (!dataset.baseline.empty()) writePairedTable(out, dataset);
        }
        if (!dataset.absentKeys.empty())
            out << "\nMetrics not in the store for this data set: `" << joined(dataset.absentKeys, "`, `")
                << "`.\n";
        if (!dataset.notes.empty()) {
            out << "\nNotes:\n";
            for (const auto& note : dataset.notes) out << "- " << note << '\n';
        }
        std::vector<const ReportFigure*> mine;
        for (const auto& f : figures)
            if (f.dataset == dataset.dataset) mine.push_back(&f);
        out << "\n### Curves\n\n";
        if (mine.empty()) out << (plotNote.empty() ? "No curves for this data set." : plotNote) << '\n';
        for (const ReportFigure* f : mine) out << "![" << f->title << "](" << f->file << ")\n\n";
    }
    return out.str();
}

}  // namespace sage
