#include <cmath>

#include <QTableView>
#include <QTableWidget>

#include <gtest/gtest.h>

#include "gui_test_support.h"
#include "store/run_store.h"
#include "ui/slate_filter_proxy.h"
#include "ui/slate_inspector_view.h"
#include "ui/slate_table_model.h"

namespace sage::ui {
namespace {

SlateRecord slate(int64_t user, double advantage, double ratio, double coefficient,
                  const std::string& branch, double boost = 0.0) {
    SlateRecord s;
    s.step = 5;
    s.user = user;
    s.group = int32_t(user % 2);
    s.items = {10 + user, 20 + user, 30 + user};
    s.logpOld = {-1.0f, -2.0f, -0.5f};
    s.logpNew = {-0.9f, -2.2f, -0.4f};
    for (size_t t = 0; t < 3; ++t) s.tokenRatio.push_back(std::exp(s.logpNew[t] - s.logpOld[t]));
    s.ratio = ratio;
    s.logRatio = std::log(ratio);
    s.pbarOld = 0.2;
    s.pbarNew = 0.2;
    s.advantage = advantage;
    s.coefficient = coefficient;
    s.branch = branch;
    s.boost = boost;
    s.posCap = 1.0 + 0.5 * boost;
    s.negScale = 1.5;
    s.listEntropy = 0.5;
    s.rewards = {{"click", double(user % 2)}, {"dwell", 0.3}};
    return s;
}

class SlateInspectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_run = m_store.createRun("e", "slates", "{}", 1);
        RunStore::Batch batch;
        batch.slates = {
            slate(1, 1.0, 1.3, 1.3, "ratio", 1.0),     // boosted past GBPO's 1
            slate(2, 1.0, 1.8, 1.5, "pos_cap", 1.0),   // capped at Γ⁺ = 1.5
            slate(3, -1.0, 0.9, 0.375, "neg_cap"),     // Λ·p̄/(1−p̄) = 1.5·0.25
            slate(4, -0.5, 0.2, 0.2, "ratio"),         // below every cap
            slate(5, 0.5, 0.7, 0.0, "clip_low"),       // a clip objective's row
        };
        m_store.writeBatch(m_run, batch);
        RunStore::Batch later;
        later.slates = {slate(9, 1.0, 1.0, 1.0, "ratio")};
        later.slates[0].step = 10;
        m_store.writeBatch(m_run, later);
    }
    test::TempStore m_temp;
    RunStore m_store{m_temp.path().toStdString()};
    int64_t m_run = 0;
};

TEST_F(SlateInspectorTest, GbpoCoefficientFollowsSectionFourFour) {
    EXPECT_DOUBLE_EQ(SlateTableModel::gbpoCoefficient(slate(1, 1.0, 1.3, 1.3, "ratio")), 1.0);
    EXPECT_DOUBLE_EQ(SlateTableModel::gbpoCoefficient(slate(1, 1.0, 0.7, 0.7, "ratio")), 0.7);
    EXPECT_DOUBLE_EQ(SlateTableModel::gbpoCoefficient(slate(1, -1.0, 0.9, 0.3, "neg_cap")), 0.25);
    EXPECT_DOUBLE_EQ(SlateTableModel::gbpoCoefficient(slate(1, -1.0, 0.1, 0.1, "ratio")), 0.1);
    EXPECT_DOUBLE_EQ(SlateTableModel::sageCap(slate(1, -1.0, 0.9, 0.3, "neg_cap")), 0.375);
    EXPECT_DOUBLE_EQ(SlateTableModel::sageCap(slate(1, 1.0, 1.9, 1.5, "pos_cap", 1.0)), 1.5);
}

TEST_F(SlateInspectorTest, ShowsTheNewestSlateStepAndFiltersByKind) {
    SlateInspectorView view(m_store);
    view.show();
    view.showRun(m_run);
    EXPECT_EQ(view.step(), 10);
    EXPECT_EQ(view.model()->rowCount(), 1);
    view.setStep(5);
    ASSERT_EQ(view.model()->rowCount(), 5);
    EXPECT_EQ(view.model()->columnCount(), SlateTableModel::kFixedColumns + 2);
    EXPECT_EQ(view.model()->headerData(SlateTableModel::kFixedColumns, Qt::Horizontal).toString(),
              "click");

    const auto users = [&] {
        QList<qint64> out;
        for (int r = 0; r < view.proxy()->rowCount(); ++r)
            out.append(view.proxy()->index(r, SlateTableModel::UserColumn).data(Qt::UserRole).toLongLong());
        return out;
    };
    view.setFilter(SlateFilterProxy::Negatives);
    EXPECT_EQ(users(), (QList<qint64>{3, 4}));
    view.setFilter(SlateFilterProxy::Positives);
    EXPECT_EQ(users(), (QList<qint64>{1, 2, 5}));
    view.setFilter(SlateFilterProxy::Capped);
    EXPECT_EQ(users(), (QList<qint64>{2, 3}));
    view.setFilter(SlateFilterProxy::Clipped);
    EXPECT_EQ(users(), (QList<qint64>{5}));
    view.setFilter(SlateFilterProxy::BoostApplied);
    EXPECT_EQ(users(), (QList<qint64>{1, 2}));
    view.setFilter(SlateFilterProxy::GbpoWouldCap);
    EXPECT_EQ(users(), (QList<qint64>{1, 2, 3}));
    view.setFilter(SlateFilterProxy::DiffersFromGbpo);
    EXPECT_EQ(users(), (QList<qint64>{1, 2, 3, 5}));
    view.setFilter(SlateFilterProxy::AllSlates);
    view.proxy()->setText("neg_cap");
    EXPECT_EQ(users(), (QList<qint64>{3}));
    view.proxy()->setText("");

    // Sorting is numeric: by r, descending.
    view.table()->sortByColumn(SlateTableModel::RatioColumn, Qt::DescendingOrder);
    EXPECT_EQ(users(), (QList<qint64>{2, 1, 3, 5, 4}));
}

TEST_F(SlateInspectorTest, SwitchingToARunWithTheSameStepsShowsThatRunsSlates) {
    // A bug once kept the first run's rows when the second run had the same step list.
    const int64_t other = m_store.createRun("e", "other", "{}", 2);
    RunStore::Batch batch;
    batch.slates = {slate(7, 2.0, 1.1, 1.1, "ratio")};
    batch.slates[0].step = 10;
    m_store.writeBatch(other, batch);
    SlateInspectorView view(m_store);
    view.show();
    view.showRun(m_run);
    ASSERT_EQ(view.step(), 10);
    EXPECT_EQ(view.model()->slate(0).user, 9);
    view.showRun(other);
    EXPECT_EQ(view.step(), 10);
    ASSERT_EQ(view.model()->rowCount(), 1);
    EXPECT_EQ(view.model()->slate(0).user, 7);
}

TEST_F(SlateInspectorTest, SelectingASlateShowsItsTokensAndBothCaps) {
    SlateInspectorView view(m_store);
    view.show();
    view.showRun(m_run);
    view.setStep(5);
    view.setFilter(SlateFilterProxy::Negatives);
    view.selectRow(0);  // user 3: A < 0, neg_cap
    QTableWidget* tokens = view.tokenTable();
    ASSERT_EQ(tokens->rowCount(), 3);
    EXPECT_EQ(tokens->item(0, 1)->text(), "13");
    EXPECT_NEAR(tokens->item(0, 4)->text().toDouble(), std::exp(0.1), 1e-4);
    // GBPO's token cap for a negative: p/(1−p) with p = exp(ℓ_new).
    const double p = std::exp(-0.9);
    EXPECT_NEAR(tokens->item(0, 5)->text().toDouble(), p / (1 - p), 1e-4);
    EXPECT_EQ(tokens->item(0, 7)->text(), "yes (slate)");
    const QString summary = view.capSummary();
    EXPECT_TRUE(summary.contains("under GBPO c would be 0.25")) << summary.toStdString();
    EXPECT_TRUE(summary.contains("0.375")) << summary.toStdString();
}

}  // namespace
}  // namespace sage::ui
