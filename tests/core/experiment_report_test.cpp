#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include "report/experiment_report.h"
#include "report/report_markdown.h"
#include "report_store_fixture.h"
#include "temp_dir.h"

namespace sage {
namespace {

using testing::armLabel;
using testing::FakeRun;

// A Markdown table as rows of cells, found by the line that starts it.
using Table = std::vector<std::vector<std::string>>;

std::vector<std::string> cellsOf(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|' && line[i - 1] != '\\') {
            const auto first = cell.find_first_not_of(' ');
            const auto last = cell.find_last_not_of(' ');
            cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

// The first table after the line containing `heading`, header row included, separator dropped.
Table tableAfter(const std::string& markdown, const std::string& heading, const std::string& firstHeader) {
    std::istringstream in(markdown);
    Table table;
    bool afterHeading = false;
    for (std::string line; std::getline(in, line);) {
        if (!afterHeading) {
            afterHeading = line.find(heading) != std::string::npos;
            continue;
        }
        if (line.rfind("| " + firstHeader, 0) == 0 || (!table.empty() && line.rfind("|", 0) == 0)) {
            if (line.rfind("|---", 0) != 0) table.push_back(cellsOf(line));
        } else if (!table.empty()) {
            break;
        }
    }
    return table;
}

struct Cell {
    double mean = NAN, std = NAN, change = NAN;
};

Cell parseCell(const std::string& text) {
    static const std::regex pattern(R"(^([-+0-9.eE]+)(?: ± ([-+0-9.eE]+))?(?: \(([-+0-9.]+) %\))?$)");
    std::smatch m;
    Cell cell;
    if (!std::regex_match(text, m, pattern)) return cell;
    cell.mean = std::stod(m[1]);
    if (m[2].matched) cell.std = std::stod(m[2]);
    if (m[3].matched) cell.change = std::stod(m[3]);
    return cell;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
}

double sampleStd(const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size() - 1));
}

class ExperimentReportTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = std::make_unique<RunStore>(dir.file("runs.sqlite"));
        for (int64_t seed = 0; seed < 3; ++seed) {
            for (const auto& [arm, base] : std::vector<std::pair<std::string, double>>{
                     {"sage", 0.20}, {"gbpo-token", 0.15}, {"grpo", 0.10}}) {
                FakeRun run;
                run.label = armLabel(arm, seed, arm == "gbpo-token");
                const double recall = base + 0.01 * double(seed * seed) + (arm == "sage" ? 0.002 * seed : 0.0);
                const double entropy = 2.0 + base + 0.1 * double(seed);
                run.finalEvals = {{"eval/recall@10", recall}, {"eval/entropy@10", entropy}};
                for (int step = 1; step <= 20; ++step) run.rewards.push_back(base * step + double(seed));
                run.validation["val/recall@10"] = {base / 2, base};
                writeFakeRun(*store, run);
                recalls[arm].push_back(recall);
                entropies[arm].push_back(entropy);
                // Last 10 % of 20 steps: steps 19 and 20.
                tailRewards[arm].push_back((base * 19 + double(seed) + base * 20 + double(seed)) / 2);
            }
        }
        FakeRun stopped;
        stopped.label = armLabel("sage", 3);
        stopped.status = RunStatus::Stopped;
        stopped.finalEvals = {{"eval/recall@10", 99.0}};
        writeFakeRun(*store, stopped);
        FakeRun elsewhere;
        elsewhere.experiment = "other";
        elsewhere.label = armLabel("sage", 0);
        elsewhere.finalEvals = {{"eval/recall@10", 42.0}};
        writeFakeRun(*store, elsewhere);
    }

    testing::TempDir dir{"sage_report"};
    std::unique_ptr<RunStore> store;
    std::map<std::string, std::vector<double>> recalls, entropies, tailRewards;
};

TEST_F(ExperimentReportTest, TableHoldsMeanAndStdOverSeedsOfTheStoredFinalValues) {
    const auto report = ExperimentReport::build(*store, "suite");
    ASSERT_EQ(report.datasets().size(), 1u);
    const DatasetReport& d = report.datasets()[0];
    EXPECT_EQ(d.dataset, "synthetic");
    EXPECT_EQ(d.baseline, "gbpo-token");
    ASSERT_EQ(d.arms.size(), 3u);
    EXPECT_EQ(d.arms[0].arm, "sage");  // suite order: the order of their first runs
    std::vector<std::string> keys;
    for (const auto& c : d.columns) keys.push_back(c.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"eval/recall@10", "eval/entropy@10", "reward"}));
    EXPECT_NE(std::find(d.absentKeys.begin(), d.absentKeys.end(), "eval/expected_reward"), d.absentKeys.end());
    for (const ArmResult& arm : d.arms) {
        EXPECT_EQ(arm.seeds, (std::vector<int64_t>{0, 1, 2})) << arm.arm;
        EXPECT_NEAR(arm.summaries[0].mean, mean(recalls[arm.arm]), 1e-12);
        EXPECT_NEAR(arm.summaries[0].std, sampleStd(recalls[arm.arm]), 1e-12);
        EXPECT_NEAR(arm.summaries[2].mean, mean(tailRewards[arm.arm]), 1e-12);
    }
    ASSERT_EQ(d.notes.size(), 1u);  // the stopped run, left out
    EXPECT_NE(d.notes[0].find("sage/seed3"), std::string::npos);
    EXPECT_NE(d.notes[0].find("stopped"), std::string::npos);
}

TEST_F(ExperimentReportTest, ValidationSplitReportsTheLastValidationValuesAndNoTestValue) {
    const auto report = ExperimentReport::build(*store, "suite", {}, ReportSplit::Validation);
    EXPECT_EQ(report.split(), ReportSplit::Validation);
    ASSERT_EQ(report.datasets().size(), 1u);
    const DatasetReport& d = report.datasets()[0];
    std::vector<std::string> keys;
    for (const auto& c : d.columns) keys.push_back(c.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"val/recall@10", "reward"}));
    for (const ArmResult& arm : d.arms) {
        // Each run's validation series is {base/2, base}: the report takes the last, base.
        const double base = arm.arm == "sage" ? 0.20 : arm.arm == "gbpo-token" ? 0.15 : 0.10;
        EXPECT_NEAR(arm.summaries[0].mean, base, 1e-12) << arm.arm;
        EXPECT_NEAR(arm.summaries[0].std, 0.0, 1e-12) << arm.arm;
    }
    const std::string md = reportMarkdown(report, "runs.sqlite", {}, "");
    EXPECT_NE(md.find("final validation value"), std::string::npos) << md;
    EXPECT_EQ(md.find("final test value"), std::string::npos) << md;
}

TEST_F(ExperimentReportTest, MarkdownNumbersEqualTheStoreValues) {
    const auto report = ExperimentReport::build(*store, "suite");
    const std::string md = reportMarkdown(report, "runs.sqlite", {}, "no plots");
    const Table means = tableAfter(md, "## Data set: synthetic", "arm");
    ASSERT_EQ(means.size(), 4u) << md;
    EXPECT_EQ(means[0][2], "R@10");
    EXPECT_EQ(means[0][3], "Entropy@10");
    for (size_t r = 1; r < means.size(); ++r) {
        std::string arm = means[r][0];
        arm = arm.substr(0, arm.find(' '));
        EXPECT_EQ(means[r][1], "3");
        for (const auto& [column, values] : std::vector<std::pair<size_t, std::vector<double>*>>{
                 {2, &recalls[arm]}, {3, &entropies[arm]}, {4, &tailRewards[arm]}}) {
            const Cell cell = parseCell(means[r][column]);
            EXPECT_NEAR(cell.mean, mean(*values), 5e-4 * std::abs(mean(*values))) << arm << " " << means[r][column];
            EXPECT_NEAR(cell.std, sampleStd(*values), 5e-4 * sampleStd(*values)) << arm << " " << means[r][column];
            const double base = column == 2 ? mean(recalls["gbpo-token"])
                                : column == 3 ? mean(entropies["gbpo-token"])
                                              : mean(tailRewards["gbpo-token"]);
            if (arm == "gbpo-token")
                EXPECT_TRUE(std::isnan(cell.change));
            else
                EXPECT_NEAR(cell.change, 100.0 * (mean(*values) - base) / base, 0.051) << means[r][column];
        }
    }

    const Table paired = tableAfter(md, "### Paired comparison", "arm − gbpo-token");
    ASSERT_EQ(paired.size(), 3u) << md;
    for (size_t r = 1; r < paired.size(); ++r) {
        const std::string arm = paired[r][0];
        std::vector<double> differences;
        for (int s = 0; s < 3; ++s) differences.push_back(recalls[arm][s] - recalls["gbpo-token"][s]);
        const double t = mean(differences) / (sampleStd(differences) / std::sqrt(3.0));
        static const std::regex pattern(R"(^([-+0-9.eE]+) ± ([0-9.eE+-]+), t = ([-0-9.]+), p = ([0-9.]+), W/L (\d)/(\d)$)");
        std::smatch m;
        ASSERT_TRUE(std::regex_match(paired[r][2], m, pattern)) << paired[r][2];
        EXPECT_NEAR(std::stod(m[1]), mean(differences), 5e-4 * std::abs(mean(differences)));
        EXPECT_NEAR(std::stod(m[2]), sampleStd(differences), 5e-4 * sampleStd(differences));
        EXPECT_NEAR(std::stod(m[3]), t, 0.006);
        // df = 2: p = 1 − |t|/√(2 + t²).
        EXPECT_NEAR(std::stod(m[4]), 1.0 - std::abs(t) / std::sqrt(2.0 + t * t), 6e-4);
    }
}

TEST_F(ExperimentReportTest, BaselineCanBeChosenAndAnUnknownOneIsANote) {
    const auto report = ExperimentReport::build(*store, "suite", "grpo");
    const DatasetReport& d = report.datasets()[0];
    EXPECT_EQ(d.baseline, "grpo");
    EXPECT_TRUE(d.arms[2].baseline);
    EXPECT_NEAR(d.arms[0].changePercent[0], 100.0 * (mean(recalls["sage"]) / mean(recalls["grpo"]) - 1.0), 1e-9);
    const auto none = ExperimentReport::build(*store, "suite", "nope");
    EXPECT_TRUE(none.datasets()[0].baseline.empty());
    EXPECT_TRUE(std::isnan(none.datasets()[0].arms[0].changePercent[0]));
    EXPECT_NE(none.datasets()[0].notes.back().find("nope"), std::string::npos);
}

TEST_F(ExperimentReportTest, UnknownExperimentIsAnErrorThatListsTheKnownOnes) {
    try {
        ExperimentReport::build(*store, "missing");
        FAIL() << "no error";
    } catch (const StoreError& error) {
        EXPECT_NE(std::string(error.what()).find("other, suite"), std::string::npos) << error.what();
    }
}

TEST_F(ExperimentReportTest, DataSetsAreSeparateTablesAndTheSftStageComesFirst) {
    FakeRun sft;
    sft.label.dataset = "Beauty";
    sft.label.sft = true;
    sft.label.arm = "sft";
    sft.finalEvals = {{"eval/recall@10", 0.07}};
    writeFakeRun(*store, sft);
    FakeRun arm;
    arm.label = armLabel("sage", 0, false, "Beauty");
    arm.finalEvals = {{"eval/recall@10", 0.08}, {"eval/cold_recall@10", 0.02}};
    writeFakeRun(*store, arm);
    const auto report = ExperimentReport::build(*store, "suite");
    ASSERT_EQ(report.datasets().size(), 2u);
    const DatasetReport& beauty = report.datasets()[1];
    EXPECT_EQ(beauty.dataset, "Beauty");
    ASSERT_EQ(beauty.arms.size(), 2u);
    EXPECT_TRUE(beauty.arms[0].sft);
    EXPECT_EQ(beauty.arms[0].arm, "sft");
    EXPECT_DOUBLE_EQ(beauty.arms[1].summaries[1].mean, 0.02);  // cold_recall@10
    EXPECT_TRUE(std::isnan(beauty.arms[0].summaries[1].mean));  // the SFT run lacks it
    const std::string md = reportMarkdown(report, "runs.sqlite", {}, "");
    EXPECT_NE(md.find("| sft (shared start) | 1 | 0.07 | — |"), std::string::npos) << md;
}

TEST_F(ExperimentReportTest, LaterFinishedRunOfASeedWinsAndIsNoted) {
    FakeRun again;
    again.label = armLabel("grpo", 1);
    again.finalEvals = {{"eval/recall@10", 0.5}};
    const int64_t id = writeFakeRun(*store, again);
    const auto report = ExperimentReport::build(*store, "suite");
    const ArmResult& grpo = report.datasets()[0].arms[2];
    EXPECT_EQ(grpo.runIds[1], id);
    EXPECT_DOUBLE_EQ(grpo.values[0][1], 0.5);
    EXPECT_NE(report.datasets()[0].notes.back().find("two finished runs of grpo/seed1"), std::string::npos);
}

}  // namespace
}  // namespace sage
