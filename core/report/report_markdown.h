#pragma once
#include <string>
#include <vector>

#include "report/experiment_report.h"

namespace sage {

/// A plot of the report, written next to the Markdown file.
struct ReportFigure {
    std::string dataset;
    std::string title;
    std::string file;  // relative to the report's folder
};

/// The cell texts of the report, shared by the Markdown file and the dashboard's table.
/// "0.07452 ± 0.001234" (4 significant digits; "—" for a missing value; no ± below two seeds).
std::string formatMeanStd(const SeedSummary& summary);
/// `value` printed with the printf `pattern`, "—" for NaN.
std::string formatValue(double value, const char* pattern);
/// A Markdown table cell's text with its '|' escaped.
std::string escapeCell(std::string text);
/// "+3.1 %", or "" when there is no change to show.
std::string formatChange(double percent);
/// "+0.0012 ± 0.0003, t = 6.93, p = 0.020" (differences arm − baseline), "—" when nothing pairs.
std::string formatPaired(const PairedComparison& paired);

/// The report as Markdown: per data set the table of means ± std with the change against the
/// baseline, the paired comparison, the absent metrics, the notes and the figures.
/// `plotNote` is printed where figures are missing (e.g. a build without the GUI).
std::string reportMarkdown(const ExperimentReport& report, const std::string& storePath,
                           const std::vector<ReportFigure>& figures, const std::string& plotNote);

}  // namespace sage
