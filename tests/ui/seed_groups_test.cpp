#include <QCheckBox>

#include <gtest/gtest.h>

#include "gui_test_support.h"
#include "store/run_store.h"
#include "ui/compare_view.h"
#include "ui/plot_group_view.h"
#include "ui/plot_panel.h"
#include "ui/seed_group_series.h"
#include "ui/seed_groups.h"
#include "ui/series_cache.h"

namespace sage::ui {
namespace {

QString configWithSeed(int seed, const QString& objective = QStringLiteral("sage")) {
    return QStringLiteral(R"({"name": "run %1", "objective": {"kind": "%2"}, "training": {"seed": %1, "steps": 3}})")
        .arg(seed)
        .arg(objective);
}

TEST(SeedGroups, RunsWhoseConfigurationsDifferOnlyInSeedAndNameFormOneGroup) {
    const QList<qint64> runs{4, 5, 6, 7, 8};
    const QList<QString> configs{configWithSeed(0), configWithSeed(0, "gbpo"), configWithSeed(1),
                                 QStringLiteral("not json"), configWithSeed(2)};
    EXPECT_EQ(SeedGroups::of(runs, configs), (QList<QList<qint64>>{{4, 6, 8}, {5}, {7}}));
    // Two unreadable configurations are not taken for seeds of each other.
    EXPECT_EQ(SeedGroups::of({1, 2}, {QString(), QString()}), (QList<QList<qint64>>{{1}, {2}}));
}

Series seriesOf(std::vector<double> steps, std::vector<double> values) {
    Series s;
    s.steps = steps;
    s.values = values;
    for (double step : steps) s.wallTimes.push_back(10.0 * step);
    s.lastStep = qint64(steps.back());
    return s;
}

TEST(SeedGroupSeries, MeanAndBandOverTheStepsEverySeedHasLogged) {
    const Series a = seriesOf({1, 2, 3}, {1.0, 2.0, 3.0});
    const Series b = seriesOf({1, 2, 3, 4}, {3.0, 4.0, 8.0, 9.0});  // step 4: only b so far
    const Series c = seriesOf({1, 3, 4}, {2.0, 1.0, 7.0});          // c skipped step 2
    SeedGroupSeries group;
    EXPECT_TRUE(group.update({&a, &b, &c}));
    EXPECT_EQ(group.mean.steps, (std::vector<double>{1, 3}));
    EXPECT_EQ(group.mean.values, (std::vector<double>{2.0, 4.0}));  // (1+3+2)/3, (3+8+1)/3
    EXPECT_EQ(group.low.values, (std::vector<double>{1.0, 1.0}));
    EXPECT_EQ(group.high.values, (std::vector<double>{3.0, 8.0}));
    EXPECT_EQ(group.mean.wallTimes, (std::vector<double>{10.0, 30.0}));
    EXPECT_FALSE(group.update({&a, &b, &c})) << "nothing grew";
}

TEST(CompareViewSeeds, GroupSeedsDrawsTheSeedsOfAConfigurationAsTheirMeanInABand) {
    test::TempStore temp;
    RunStore store(temp.path().toStdString());
    const auto write = [&](int64_t run, std::vector<double> rewards) {
        RunStore::Batch batch;
        for (size_t s = 0; s < rewards.size(); ++s) batch.steps.push_back({int64_t(s + 1), double(s), {{"reward", rewards[s]}}});
        store.writeBatch(run, batch);
    };
    const int64_t seed0 = store.createRun("seeds", "a", configWithSeed(0).toStdString(), 0);
    const int64_t seed1 = store.createRun("seeds", "b", configWithSeed(1).toStdString(), 1);
    const int64_t other = store.createRun("seeds", "c", configWithSeed(0, "gbpo").toStdString(), 0);
    write(seed0, {0.2, 0.4, 0.6});
    write(seed1, {0.4, 0.8, 1.0});
    write(other, {0.1, 0.1, 0.1});

    SeriesCache cache(store);
    CompareView view(store, cache);
    view.setCheckedRuns({seed0, seed1, other});
    auto* reward = qobject_cast<PlotPanel*>(view.plots()->panels().first());
    ASSERT_NE(reward, nullptr);
    reward->redrawNow();
    EXPECT_EQ(reward->curveLabels().size(), 3);

    view.groupSeedsBox()->setChecked(true);
    reward->redrawNow();
    const QStringList labels = reward->curveLabels();
    ASSERT_EQ(labels.size(), 2) << labels.join(" / ").toStdString();
    EXPECT_TRUE(labels.contains(QStringLiteral("runs %1,%2 (mean of 2) reward").arg(seed0).arg(seed1)));
    const QList<QStringList> csv = test::parseCsv(reward->csvText());
    ASSERT_EQ(csv.size(), 4);  // header + 3 steps
    const int meanColumn = int(csv[0].indexOf(QStringLiteral("runs %1,%2 (mean of 2) reward").arg(seed0).arg(seed1)));
    ASSERT_GE(meanColumn, 0) << csv[0].join(",").toStdString();
    EXPECT_DOUBLE_EQ(csv[1][meanColumn].toDouble(), 0.3);
    EXPECT_DOUBLE_EQ(csv[2][meanColumn].toDouble(), 0.6);
    EXPECT_DOUBLE_EQ(csv[3][meanColumn].toDouble(), 0.8);

    view.groupSeedsBox()->setChecked(false);
    reward->redrawNow();
    EXPECT_EQ(reward->curveLabels().size(), 3);
}

}  // namespace
}  // namespace sage::ui
