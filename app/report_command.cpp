#include "report_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "report/curve_plot_renderer.h"
#include "report/evaluation_curves.h"
#include "report/experiment_report.h"
#include "report/png_writer.h"
#include "report/report_markdown.h"
#include "report/slate_diagnostics.h"
#include "store/run_store.h"

namespace sage {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr const char* kReportFile = "report.md";

struct ReportArguments {
    std::string dbPath;
    std::string experiment;
    std::string outDir;
    std::string baseline;
    ReportSplit split = ReportSplit::Test;
    bool help = false;
};

std::string reportUsage() {
    return "usage: sage-train report --db FILE --experiment NAME --out DIR [--baseline ARM]\n"
           "                         [--split test|validation]\n"
           "\n"
           "Writes DIR/report.md: per data set of the experiment, each metric as mean ± sample std\n"
           "over the seeds' finished runs (the final test evaluation; training metrics marked †),\n"
           "the change of each arm against the baseline arm in %, and a paired t-test across seeds;\n"
           "and DIR/<data set>-<metric>.png, the validation (or training) curves, mean ± std over\n"
           "seeds per arm. The baseline is the arm a suite tagged (its \"baseline\"), or --baseline.\n"
           "Where runs logged slates, the report ends with per-slate diagnostics per arm: how often\n"
           "the objective's caps set the coefficients, and what the advantages correlate with.\n"
           "--split validation reports the last validation figures (val/…) instead of the test\n"
           "ones: tune on those, report the test ones.\n"
           "Exit codes: 0 written, 1 a file could not be written, 2 bad arguments, no such store or\n"
           "experiment.\n";
}

std::optional<ReportArguments> parse(int argc, char** argv, std::string& error) {
    ReportArguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            args.help = true;
            continue;
        }
        std::string* target = arg == "--db"           ? &args.dbPath
                              : arg == "--experiment" ? &args.experiment
                              : arg == "--out"        ? &args.outDir
                              : arg == "--baseline"   ? &args.baseline
                                                      : nullptr;
        if (arg == "--split") {
            const std::string value = i + 1 < argc ? argv[++i] : "";
            if (value != "test" && value != "validation") {
                error = "--split takes test or validation, not '" + value + "'";
                return std::nullopt;
            }
            args.split = value == "test" ? ReportSplit::Test : ReportSplit::Validation;
            continue;
        }
        if (!target) {
            error = "unknown argument '" + arg + "'";
            return std::nullopt;
        }
        if (i + 1 >= argc) {
            error = arg + " needs a value";
            return std::nullopt;
        }
        *target = argv[++i];
    }
    if (!args.help) {
        if (args.dbPath.empty()) error = "--db FILE is required";
        else if (args.experiment.empty()) error = "--experiment NAME is required (a suite's \"experiment\")";
        else if (args.outDir.empty()) error = "--out DIR is required (created if missing)";
        if (!error.empty()) return std::nullopt;
    }
    return args;
}

}  // namespace

int runReportCommand(int argc, char** argv) {
    std::string usageError;
    const auto args = parse(argc, argv, usageError);
    if (!args) {
        std::cerr << "sage-train report: " << usageError << "\n\n" << reportUsage();
        return kExitBadInput;
    }
    if (args->help) {
        std::cout << reportUsage();
        return 0;
    }
    // Opening a missing store would create an empty one: say what is wrong instead.
    if (!std::filesystem::is_regular_file(args->dbPath)) {
        std::cerr << "sage-train report: no run store at " << args->dbPath
                  << " (pass the --db FILE that sage-train suite wrote)\n";
        return kExitBadInput;
    }
    std::optional<ExperimentReport> report;
    std::optional<RunStore> store;
    try {
        store.emplace(args->dbPath);
        report = ExperimentReport::build(*store, args->experiment, args->baseline, args->split);
    } catch (const StoreError& error) {
        std::cerr << "sage-train report: " << error.what() << '\n';
        return kExitBadInput;
    }
    try {
        std::filesystem::create_directories(args->outDir);
        std::vector<ReportFigure> figures;
        for (const CurvePlot& plot : EvaluationCurves::build(*store, *report)) {
            PngWriter::write(CurvePlotRenderer::render(plot),
                             (std::filesystem::path(args->outDir) / plot.file).string());
            figures.push_back({plot.dataset, plot.title, plot.file});
        }
        const auto path = std::filesystem::path(args->outDir) / kReportFile;
        const std::string temporary = path.string() + ".tmp";
        {
            std::ofstream out(temporary, std::ios::trunc);
            out << reportMarkdown(*report, args->dbPath, figures, "No run of this data set logged a curve.");
            for (const DatasetSlateDiagnostics& diagnostics : buildSlateDiagnostics(*store, *report))
                out << slateDiagnosticsMarkdown(diagnostics);
            if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
        }
        std::filesystem::rename(temporary, path);
        std::cerr << "sage-train report: wrote " << path.string() << " and " << figures.size() << " plot"
                  << (figures.size() == 1 ? "" : "s") << '\n';
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "sage-train report: " << error.what() << '\n';
        return kExitFailed;
    }
}

}  // namespace sage
