#include <cmath>

#include <QFile>
#include <QTabWidget>
#include <QTableWidget>

#include <gtest/gtest.h>

#include "../core/report_store_fixture.h"
#include "gui_test_support.h"
#include "report/report_markdown.h"
#include "store/run_store.h"
#include "ui/compare_summary.h"
#include "ui/compare_view.h"
#include "ui/config_diff.h"
#include "ui/experiment_report_view.h"
#include "ui/metrics_csv_export.h"
#include "ui/series_cache.h"

namespace sage::ui {
namespace {

class CompareViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_base = m_store.createRun(
            "cmp", "gbpo", R"({"objective": {"kind": "gbpo", "level": "token"}, "seed": 7, "training": {"steps": 3}})", 7);
        m_sage = m_store.createRun(
            "cmp", "sage", R"({"objective": {"kind": "sage", "kappa": 1.0}, "seed": 7, "training": {"steps": 3}})", 7);
        const auto write = [&](int64_t run, std::vector<double> rewards, double recall) {
            RunStore::Batch batch;
            for (size_t s = 0; s < rewards.size(); ++s)
                batch.steps.push_back({int64_t(s + 1), double(s), {{"reward", rewards[s]}, {"kl", 0.1 * double(s)}}});
            batch.evals.push_back({int64_t(rewards.size()), {{"eval/cold_recall@10", recall}}});
            m_store.writeBatch(run, batch);
        };
        write(m_base, {0.2, 0.5, 0.4}, 0.03);
        write(m_sage, {0.3, 0.8, 0.6}, 0.06);
    }
    test::TempStore m_temp;
    RunStore m_store{m_temp.path().toStdString()};
    int64_t m_base = 0, m_sage = 0;
};

TEST_F(CompareViewTest, SummaryNumbersEqualTheStoredValues) {
    const QStringList metrics{"reward", "eval/cold_recall@10", "kl"};
    const CompareSummary final =
        CompareSummary::fromStore(m_store, {m_base, m_sage}, metrics, CompareSummary::Mode::Final, m_base);
    EXPECT_DOUBLE_EQ(final.value(0, 0), 0.4);
    EXPECT_DOUBLE_EQ(final.value(1, 0), 0.6);
    EXPECT_DOUBLE_EQ(final.value(1, 1), 0.06);
    EXPECT_NEAR(final.changePercent(1, 0), 50.0, 1e-9);
    EXPECT_NEAR(final.changePercent(1, 1), 100.0, 1e-9);
    EXPECT_TRUE(std::isnan(final.changePercent(0, 0))) << "the baseline has no change";

    const CompareSummary best =
        CompareSummary::fromStore(m_store, {m_base, m_sage}, metrics, CompareSummary::Mode::Best, m_base);
    EXPECT_DOUBLE_EQ(best.value(0, 0), 0.5);
    EXPECT_DOUBLE_EQ(best.value(1, 0), 0.8);
    EXPECT_DOUBLE_EQ(best.value(0, 2), 0.0) << "KL: lower is better";
    for (const LatestMetric& m : m_store.latestMetrics(m_sage)) {
        if (m.key == "reward") {
            EXPECT_DOUBLE_EQ(best.value(1, 0), m.max);
        }
    }

    const QList<QStringList> csv = test::parseCsv(final.toCsv());
    ASSERT_EQ(csv.size(), 3);
    EXPECT_EQ(csv[0], (QStringList{"run_id", "run", "reward", "reward change %", "eval/cold_recall@10",
                                   "eval/cold_recall@10 change %", "kl", "kl change %"}));
    EXPECT_EQ(csv[2][0].toLongLong(), m_sage);
    EXPECT_DOUBLE_EQ(csv[2][2].toDouble(), 0.6);
    EXPECT_NEAR(csv[2][3].toDouble(), 50.0, 1e-9);

    const QString md = final.toMarkdown();
    EXPECT_EQ(md.count('\n'), 4);
    EXPECT_TRUE(md.contains("| gbpo (baseline) |"));
    EXPECT_TRUE(md.contains("+50.0%"));
    const QString tex = final.toLatex();
    EXPECT_TRUE(tex.startsWith("\\begin{tabular}{lrrrrrr}"));
    EXPECT_TRUE(tex.contains("eval/cold\\_recall@10"));
    EXPECT_TRUE(tex.contains("+50.0\\%"));
}

TEST_F(CompareViewTest, ConfigDiffKeepsOnlyDifferingFlattenedKeys) {
    const auto a = ConfigDiff::flatten(R"({"objective": {"kind": "gbpo", "level": "token"}, "seed": 7, "list": [1, 2]})");
    const auto b = ConfigDiff::flatten(R"({"objective": {"kind": "sage", "kappa": 1.0}, "seed": 7, "list": [1, 2]})");
    EXPECT_EQ(a.value("objective.kind"), "gbpo");
    EXPECT_EQ(a.value("list"), "[1,2]");
    const auto rows = ConfigDiff::differing({a, b});
    QStringList keys;
    for (const auto& r : rows) keys.append(r.key);
    EXPECT_EQ(keys, (QStringList{"objective.kappa", "objective.kind", "objective.level"}));
    EXPECT_EQ(rows[1].values, (QStringList{"gbpo", "sage"}));
}

TEST_F(CompareViewTest, ViewFillsDiffAndSummaryForTheTickedRuns) {
    SeriesCache cache(m_store);
    CompareView view(m_store, cache);
    view.show();
    view.setCheckedRuns({m_base, m_sage});
    EXPECT_EQ(view.checkedRuns(), (QList<qint64>{m_base, m_sage}));
    EXPECT_EQ(view.diffTable()->rowCount(), 3);
    view.setSummaryMetrics("reward, eval/cold_recall@10");
    view.setBaseline(m_base);
    QTableWidget* table = view.summaryTable();
    ASSERT_EQ(table->rowCount(), 2);
    ASSERT_EQ(table->columnCount(), 5);
    EXPECT_DOUBLE_EQ(table->item(1, 1)->text().toDouble(), 0.6);
    EXPECT_EQ(table->item(1, 2)->text(), "+50.0%");
}

TEST_F(CompareViewTest, AllMetricsExportIsOneLongCsvOfEveryRow) {
    const QString path = m_temp.dir() + "/all.csv";
    EXPECT_EQ(exportRunsMetricsCsv(m_store, {m_base, m_sage}, path), 2 * (3 * 2 + 1));
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const auto rows = test::parseCsv(QString::fromUtf8(file.readAll()));
    ASSERT_EQ(rows.size(), 1 + 14);
    EXPECT_EQ(rows[0], (QStringList{"run_id", "run", "key", "step", "wall_time", "value"}));
    for (const QStringList& r : rows) EXPECT_EQ(r.size(), 6);
    EXPECT_EQ(rows[1][1], "gbpo");
    int evals = 0;
    for (const QStringList& r : rows)
        if (r[2] == "eval/cold_recall@10") {
            ++evals;
            EXPECT_FALSE(r[4].isEmpty()) << "wall time borrowed from the step's reward row";
        }
    EXPECT_EQ(evals, 2);
}

// The compare view's report tab shows the numbers sage-train report prints, from the same core code.
TEST(ExperimentReportViewTest, TableIsTheExperimentReportOfTheChosenExperiment) {
    test::TempStore temp;
    RunStore store(temp.path().toStdString());
    const auto write = [&](const std::string& experiment, const std::string& arm, int64_t seed, double recall) {
        sage::testing::FakeRun run;
        run.experiment = experiment;
        run.label = sage::testing::armLabel(arm, seed, arm == "gbpo-token");
        run.finalEvals = {{"eval/recall@10", recall}};
        sage::testing::writeFakeRun(store, run);
    };
    write("suite", "gbpo-token", 0, 0.1);
    write("suite", "sage", 0, 0.2);
    write("suite", "gbpo-token", 1, 0.2);
    write("suite", "sage", 1, 0.4);
    write("other", "grpo", 0, 0.5);

    SeriesCache cache(store);
    CompareView compare(store, cache);
    ExperimentReportView* view = compare.reportView();
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(compare.tabs()->tabText(compare.tabs()->indexOf(view)), "Experiment report");
    view->showExperiment("suite");
    QTableWidget* table = view->table();
    ASSERT_EQ(table->columnCount(), 4);
    EXPECT_EQ(table->horizontalHeaderItem(3)->text(), "R@10");
    ASSERT_EQ(table->rowCount(), 2);
    EXPECT_EQ(table->item(0, 1)->text(), "gbpo-token (baseline)");
    EXPECT_EQ(table->item(0, 2)->text(), "2");
    EXPECT_EQ(table->item(0, 3)->text().toStdString(), formatMeanStd(summarizeSeeds({0.1, 0.2})));
    EXPECT_EQ(table->item(0, 3)->text(), QString::fromUtf8("0.15 ± 0.07071"));
    EXPECT_EQ(table->item(1, 1)->text(), "sage");
    EXPECT_EQ(table->item(1, 3)->text(), QString::fromUtf8("0.3 ± 0.1414 (+100.0 %)"));
    // Differences 0.1 and 0.2: the paired comparison is in the tooltip.
    EXPECT_TRUE(table->item(1, 3)->toolTip().contains(QStringLiteral("+0.15 ± 0.07071, t = 3.00"))) << table->item(1, 3)->toolTip().toStdString();

    view->showExperiment("other");
    ASSERT_EQ(table->rowCount(), 1);
    EXPECT_EQ(table->item(0, 1)->text(), "grpo");
    EXPECT_EQ(table->item(0, 3)->text(), "0.5");
}

}  // namespace
}  // namespace sage::ui
