#include <cmath>

#include <QSortFilterProxyModel>
#include <QTableView>

#include <gtest/gtest.h>

#include "gui_test_support.h"
#include "store/run_store.h"
#include "ui/experiments_browser_view.h"
#include "ui/experiments_model.h"

namespace sage::ui {
namespace {

class ExperimentsBrowserTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_sage = m_store.createRun("ablation", "sage-full",
                                   R"({"objective": {"kind": "sage", "epsilon_boost": 0.5}})", 1);
        m_gbpo = m_store.createRun("ablation", "gbpo", R"({"objective": {"kind": "gbpo"}})", 1);
        m_other = m_store.createRun("smoke", "grpo", R"({"objective": {"kind": "grpo"}})", 1);
        RunStore::Batch batch;
        // reward rises then falls: final 0.2, best 0.9; loss/total best is its minimum.
        const double rewards[] = {0.1, 0.9, 0.2};
        const double losses[] = {1.0, 0.3, 0.5};
        for (int s = 0; s < 3; ++s)
            batch.steps.push_back({s + 1, double(s), {{"reward", rewards[s]}, {"loss/total", losses[s]}}});
        batch.evals.push_back({3, {{"eval/cold_recall@10", 0.06}}});
        m_store.writeBatch(m_sage, batch);
        m_store.setRunStatus(m_sage, RunStatus::Running);
        m_store.setRunStatus(m_sage, RunStatus::Finished);
        m_store.setTags(m_sage, {"paper", "boost"});
    }
    test::TempStore m_temp;
    RunStore m_store{m_temp.path().toStdString()};
    int64_t m_sage = 0, m_gbpo = 0, m_other = 0;
};

TEST_F(ExperimentsBrowserTest, ModelShowsObjectiveStatusTagsAndFinalAndBestValues) {
    ExperimentsModel model(m_store);
    model.setMetrics({"reward", "loss/total", "eval/cold_recall@10"});
    model.refresh();
    ASSERT_EQ(model.rowCount(), 3);
    const int row = model.rowOf(m_sage);
    ASSERT_GE(row, 0);
    const auto cell = [&](int column) { return model.index(row, column).data().toString(); };
    EXPECT_EQ(cell(ExperimentsModel::ObjectiveColumn), "sage");
    EXPECT_EQ(cell(ExperimentsModel::StatusColumn), "finished");
    EXPECT_EQ(cell(ExperimentsModel::StepsColumn), "3");
    EXPECT_EQ(cell(ExperimentsModel::TagsColumn), "paper, boost");
    EXPECT_EQ(model.columnCount(), ExperimentsModel::kFixedColumns + 6);
    EXPECT_DOUBLE_EQ(model.finalValue(row, "reward"), 0.2);
    EXPECT_DOUBLE_EQ(model.bestValue(row, "reward"), 0.9);
    EXPECT_DOUBLE_EQ(model.bestValue(row, "loss/total"), 0.3) << "lower is better for a loss";
    EXPECT_DOUBLE_EQ(model.finalValue(row, "eval/cold_recall@10"), 0.06);
    EXPECT_EQ(cell(ExperimentsModel::kFixedColumns + 1), "0.9");
    EXPECT_TRUE(std::isnan(model.finalValue(model.rowOf(m_gbpo), "reward")));

    model.setExperiment(m_store.run(m_other)->experimentId);
    EXPECT_EQ(model.rowCount(), 1);
}

TEST_F(ExperimentsBrowserTest, EditsRenameAndTagsGoToTheStore) {
    ExperimentsModel model(m_store);
    model.refresh();
    const int row = model.rowOf(m_gbpo);
    EXPECT_TRUE(model.setData(model.index(row, ExperimentsModel::NameColumn), "gbpo-baseline"));
    EXPECT_TRUE(model.setData(model.index(row, ExperimentsModel::NotesColumn), "the baseline\nsecond line"));
    EXPECT_TRUE(model.setData(model.index(row, ExperimentsModel::TagsColumn), " base , ref,,"));
    EXPECT_FALSE(model.setData(model.index(row, ExperimentsModel::ObjectiveColumn), "x"));
    const auto run = m_store.run(m_gbpo);
    EXPECT_EQ(run->name, "gbpo-baseline");
    EXPECT_EQ(run->notes, "the baseline\nsecond line");
    EXPECT_EQ(run->tags, (std::vector<std::string>{"base", "ref"}));
    EXPECT_EQ(model.index(row, ExperimentsModel::NotesColumn).data().toString(), "the baseline");
}

TEST_F(ExperimentsBrowserTest, SearchDeleteRestoreAndPurge) {
    ExperimentsBrowserView view(m_store);
    view.show();
    EXPECT_EQ(view.proxy()->rowCount(), 3);
    view.setSearchText("gbpo");
    EXPECT_EQ(view.proxy()->rowCount(), 1);
    view.setSearchText("paper");  // tags are searched too
    EXPECT_EQ(view.proxy()->rowCount(), 1);
    view.setSearchText("");

    const auto select = [&](int64_t id) {
        view.table()->clearSelection();
        const int row = view.model()->rowOf(id);
        view.table()->selectRow(view.proxy()->mapFromSource(view.model()->index(row, 0)).row());
    };
    select(m_gbpo);
    EXPECT_EQ(view.selectedRuns(), (QList<qint64>{m_gbpo}));
    view.deleteSelected();
    EXPECT_EQ(view.proxy()->rowCount(), 2);
    EXPECT_TRUE(m_store.run(m_gbpo)->deleted);

    view.model()->setIncludeDeleted(true);
    EXPECT_EQ(view.proxy()->rowCount(), 3);
    select(m_gbpo);
    view.restoreSelected();
    EXPECT_FALSE(m_store.run(m_gbpo)->deleted);

    select(m_other);
    view.deleteSelected();
    view.purgeDeleted(/*ask=*/false);
    EXPECT_FALSE(m_store.run(m_other).has_value());
    EXPECT_EQ(view.model()->rowCount(), 2);
}

}  // namespace
}  // namespace sage::ui
