#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include <QApplication>
#include <QFile>
#include <QMouseEvent>
#include <QTest>

#include <gtest/gtest.h>

#include "gui_test_support.h"
#include "store/run_store.h"
#include "ui/heatmap_panel.h"
#include "ui/panel_spec.h"
#include "ui/plot_group_view.h"
#include "ui/plot_panel.h"
#include "ui/qcustomplot_no_keywords.h"
#include "ui/series_cache.h"
#include "ui/series_smoothing.h"

namespace sage::ui {
namespace {

// reward = step / 10 (run A) or step / 5 (run B); rewards/click mean and std; a histogram.
int64_t writeRun(RunStore& store, const std::string& name, double scale, int steps) {
    const int64_t id = store.createRun("plots", name, "{}", 1);
    RunStore::Batch batch;
    for (int s = 1; s <= steps; ++s) {
        batch.steps.push_back({s, 0.5 * s,
                               {{"reward", s * scale},
                                {"rewards/click/mean", 0.1 * s},
                                {"rewards/click/std", 0.01},
                                {"rewards/dwell/mean", 2.0},
                                {"rewards/dwell/std", 0.5}}});
        batch.histograms.push_back({s, "hist/log_ratio", -1.0, 1.0, {1.f, 2.f, float(s), 0.f}});
    }
    store.writeBatch(id, batch);
    return id;
}

class PlotPanelTest : public ::testing::Test {
protected:
    test::TempStore m_temp;
    RunStore m_store{m_temp.path().toStdString()};
    SeriesCache m_cache{m_store};
};

TEST_F(PlotPanelTest, WildcardCurvesWithStdBandsExportAsCsvWithTheRightRowsAndColumns) {
    const int64_t run = writeRun(m_store, "a", 0.1, 40);
    PanelSpec spec;
    spec.title = "components";
    spec.curves.append({"rewards/*/mean", {}, {}, "rewards/*/std"});
    PlotPanel panel(m_cache, spec);
    panel.resize(600, 400);
    panel.show();
    panel.setRuns({run});
    panel.setSmoothing(0.6);
    panel.redrawNow();

    EXPECT_EQ(panel.curveLabels(),
              (QStringList{"rewards/click/mean", "rewards/dwell/mean"}));
    // Per curve: its band (2 graphs), the faint raw line and the smoothed line.
    EXPECT_EQ(panel.plot()->graphCount(), 8);

    const QString path = m_temp.dir() + "/panel.csv";
    ASSERT_TRUE(panel.exportCsv(path));
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = test::parseCsv(QString::fromUtf8(file.readAll()));
    ASSERT_EQ(rows.size(), 41);  // header + 40 steps
    EXPECT_EQ(rows[0], (QStringList{"step", QString("run%1:rewards/click/mean").arg(run),
                                    QString("run%1:rewards/click/mean (smoothed)").arg(run),
                                    QString("run%1:rewards/dwell/mean").arg(run),
                                    QString("run%1:rewards/dwell/mean (smoothed)").arg(run)}));
    for (const QStringList& row : rows) EXPECT_EQ(row.size(), 5);
    EXPECT_EQ(rows[3][0], "3");
    EXPECT_DOUBLE_EQ(rows[3][1].toDouble(), 0.3);
    const std::vector<double> smoothed = debiasedEma({0.1, 0.2, 0.30000000000000004}, 0.6);
    EXPECT_NEAR(rows[3][2].toDouble(), smoothed[2], 1e-12);

    EXPECT_TRUE(panel.exportPng(m_temp.dir() + "/panel.png"));
    EXPECT_TRUE(panel.exportPdf(m_temp.dir() + "/panel.pdf"));
    EXPECT_GT(QFileInfo(m_temp.dir() + "/panel.png").size(), 1000);
    EXPECT_GT(QFileInfo(m_temp.dir() + "/panel.pdf").size(), 1000);
}

TEST_F(PlotPanelTest, CrosshairShowsEveryVisibleRunsValueAtTheStep) {
    const int64_t a = writeRun(m_store, "a", 0.1, 30);
    const int64_t b = writeRun(m_store, "b", 0.2, 20);
    PlotPanel panel(m_cache, PanelSpec::ofKeys("reward", {"reward"}));
    panel.resize(600, 400);
    panel.show();
    panel.setRuns({a, b});
    panel.redrawNow();

    const QString at12 = panel.crosshairText(12.0);
    EXPECT_TRUE(at12.contains("step 12")) << at12.toStdString();
    EXPECT_TRUE(at12.contains(QString("run %1 reward: 1.2").arg(a))) << at12.toStdString();
    EXPECT_TRUE(at12.contains(QString("run %1 reward: 2.4").arg(b))) << at12.toStdString();
    // Past run b's end it still shows b's last value; a hidden curve drops out.
    EXPECT_TRUE(panel.crosshairText(25.0).contains(QString("run %1 reward: 4").arg(b)));
    panel.setCurveHidden(QString("run %1 reward").arg(b), true);
    panel.redrawNow();
    EXPECT_FALSE(panel.crosshairText(12.0).contains(QString("run %1").arg(b)));
}

// The points a graph hands to the painter, in x order.
std::vector<std::pair<double, double>> pointsOf(const QCPGraph* graph) {
    std::vector<std::pair<double, double>> points;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        points.emplace_back(it->key, it->value);
    return points;
}

QCPGraph* graphNamed(const QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name) return plot->graph(i);
    return nullptr;
}

// The faint raw line drawn under a smoothed curve: the graph with a pen but no legend entry.
QCPGraph* rawGraph(const QCustomPlot* plot) {
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (!plot->legend->hasItemWithPlottable(g) && g->pen().style() != Qt::NoPen) return g;
    }
    return nullptr;
}

// The crosshair's line and read-out: the items on the overlay layer.
QList<QCPAbstractItem*> crosshairItems(const QCustomPlot* plot) {
    QList<QCPAbstractItem*> items;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (plot->item(i)->layer() == plot->layer("overlay")) items.append(plot->item(i));
    return items;
}

TEST_F(PlotPanelTest, LongSeriesDrawFromAnEnvelopeAndRegainDetailWhenZoomed) {
    const int64_t run = m_store.createRun("plots", "long", "{}", 1);
    RunStore::Batch batch;
    std::vector<double> values;
    std::mt19937 rng(2);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (int s = 0; s < 100000; ++s) {
        values.push_back(s == 31337 ? 25.0 : s == 77777 ? -25.0 : std::sin(s * 0.01) + noise(rng));
        batch.steps.push_back({s, double(s), {{"m", values.back()}}});
    }
    m_store.writeBatch(run, batch);
    PlotPanel panel(m_cache, PanelSpec::ofKeys("m", {"m"}));
    panel.resize(700, 400);
    panel.show();
    panel.setRuns({run});
    panel.setSmoothing(0.6);
    panel.redrawNow();
    const int width = panel.plot()->width();
    QCPGraph* line = graphNamed(panel.plot(), "m");
    QCPGraph* raw = rawGraph(panel.plot());
    ASSERT_TRUE(line && raw);
    EXPECT_LE(line->dataCount(), 2 * std::max(64, width) + 4);
    EXPECT_GT(line->dataCount(), 64);
    // Zoomed out, the raw envelope still holds both one-step spikes.
    const auto zoomedOut = pointsOf(raw);
    EXPECT_LE(zoomedOut.size(), size_t(2 * std::max(64, width) + 4));
    EXPECT_NE(std::find(zoomedOut.begin(), zoomedOut.end(), std::make_pair(31337.0, 25.0)),
              zoomedOut.end());
    EXPECT_NE(std::find(zoomedOut.begin(), zoomedOut.end(), std::make_pair(77777.0, -25.0)),
              zoomedOut.end());

    // Zoomed in to 100 steps: every raw point, and the smoothing of the whole series there.
    panel.zoomTo(5000, 5099);
    panel.redrawNow();
    EXPECT_EQ(panel.drawnPointCount("m"), 102) << "100 points in view and a neighbour each side";
    const std::vector<double> smoothed = debiasedEma(values, 0.6);
    const auto rawPoints = pointsOf(raw);
    const auto linePoints = pointsOf(line);
    ASSERT_EQ(rawPoints.size(), 102u);
    ASSERT_EQ(linePoints.size(), 102u);
    for (size_t k = 0; k < rawPoints.size(); ++k) {
        const size_t step = 4999 + k;
        EXPECT_EQ(rawPoints[k], std::make_pair(double(step), values[step]));
        EXPECT_EQ(linePoints[k], std::make_pair(double(step), smoothed[step]));
    }

    // Out again: back to the envelope.
    panel.zoomTo(0, 99999);
    panel.redrawNow();
    EXPECT_LE(panel.drawnPointCount("m"), 2 * std::max(64, width) + 4);
}

TEST_F(PlotPanelTest, RedrawsFollowNewPointsSmoothingChangesAndCurvesShownAgain) {
    const int64_t run = m_store.createRun("plots", "live", "{}", 1);
    RunStore::Batch batch;
    std::vector<double> values;
    for (int s = 0; s < 5000; ++s) {
        values.push_back(std::cos(s * 0.003) + (s % 11) * 0.01);
        batch.steps.push_back({s, double(s), {{"m", values.back()}}});
    }
    m_store.writeBatch(run, batch);
    PlotPanel panel(m_cache, PanelSpec::ofKeys("m", {"m"}));
    panel.resize(700, 400);
    panel.show();
    panel.setRuns({run});
    panel.setSmoothing(0.6);
    panel.redrawNow();
    ASSERT_EQ(pointsOf(graphNamed(panel.plot(), "m")).back().first, 4999.0);
    // The user looks at the newest steps and room to their right, so the view stays put.
    panel.zoomTo(4900, 5100);
    panel.redrawNow();
    ASSERT_EQ(pointsOf(graphNamed(panel.plot(), "m")).back().first, 4999.0);

    // Live points arrive in view: the curve reaches them, smoothed as if the series were whole.
    MetricsBatch live;
    for (int s = 5000; s < 5010; ++s) {
        values.push_back(2.0 + s * 1e-4);
        live.steps.push_back({s, double(s), {{"m", values.back()}}});
    }
    m_cache.appendLive(run, live);
    panel.redrawNow();
    auto last = pointsOf(graphNamed(panel.plot(), "m")).back();
    EXPECT_EQ(last.first, 5009.0);
    EXPECT_EQ(last.second, debiasedEma(values, 0.6).back());
    // The CSV has every point, smoothed over the whole series, even for points not yet drawn.
    values.push_back(-1.0);
    MetricsBatch one;
    one.steps.push_back({5010, 5010.0, {{"m", -1.0}}});
    m_cache.appendLive(run, one);
    const QList<QStringList> rows = test::parseCsv(panel.csvText());
    ASSERT_EQ(rows.size(), 5012);  // header + 5011 steps
    EXPECT_EQ(rows.back()[0], "5010");
    EXPECT_EQ(rows.back()[2].toDouble(), debiasedEma(values, 0.6).back());

    // Another smoothing weight redraws the curve with it.
    panel.setSmoothing(0.95);
    panel.redrawNow();
    last = pointsOf(graphNamed(panel.plot(), "m")).back();
    EXPECT_EQ(last.first, 5010.0);
    EXPECT_EQ(last.second, debiasedEma(values, 0.95).back());

    // A hidden curve is not recomputed while hidden, and is current again once shown.
    panel.setCurveHidden("m", true);
    panel.redrawNow();
    EXPECT_FALSE(graphNamed(panel.plot(), "m")->visible());
    panel.zoomTo(100, 199);
    panel.redrawNow();
    panel.setCurveHidden("m", false);
    panel.redrawNow();
    const auto shown = pointsOf(graphNamed(panel.plot(), "m"));
    ASSERT_EQ(shown.size(), 102u);
    EXPECT_EQ(shown.front().first, 99.0);
    EXPECT_EQ(shown.back().first, 200.0);
}

TEST_F(PlotPanelTest, TheCrosshairShowsWhileTheMouseIsOverThePlotAndGoesWhenItLeaves) {
    const int64_t run = writeRun(m_store, "a", 0.1, 30);
    PlotPanel panel(m_cache, PanelSpec::ofKeys("reward", {"reward"}));
    panel.resize(600, 400);
    panel.show();
    panel.setRuns({run});
    panel.redrawNow();
    QCPLayer* overlay = panel.plot()->layer("overlay");
    ASSERT_TRUE(overlay);
    EXPECT_EQ(overlay->mode(), QCPLayer::lmLogical) << "no second paint buffer while not hovered";

    const QPoint inside = panel.plot()->axisRect()->rect().center();
    QMouseEvent move(QEvent::MouseMove, inside, panel.plot()->mapToGlobal(inside), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(panel.plot(), &move);
    const QList<QCPAbstractItem*> items = crosshairItems(panel.plot());
    ASSERT_EQ(items.size(), 2);
    EXPECT_EQ(overlay->mode(), QCPLayer::lmBuffered);
    for (QCPAbstractItem* item : items) EXPECT_TRUE(item->visible());

    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(panel.plot(), &leave);
    EXPECT_EQ(overlay->mode(), QCPLayer::lmLogical);
    for (QCPAbstractItem* item : items) EXPECT_FALSE(item->visible());
}

TEST_F(PlotPanelTest, LogAxisWallTimeAndEmptyPanelsDoNotBreak) {
    const int64_t run = writeRun(m_store, "a", 0.1, 10);
    PlotPanel panel(m_cache, PanelSpec::ofKeys("missing", {"eval/not_yet"}));
    panel.resize(500, 300);
    panel.show();
    panel.setRuns({run});
    panel.redrawNow();
    EXPECT_EQ(panel.plot()->graphCount(), 0);

    PlotPanel wall(m_cache, PanelSpec::ofKeys("reward", {"reward"}));
    wall.resize(500, 300);
    wall.show();
    wall.setRuns({run});
    wall.setXAxisMode(XAxisMode::WallTime);
    wall.setLogY(true);
    wall.redrawNow();
    EXPECT_EQ(wall.drawnPointCount("reward"), 10);
    EXPECT_DOUBLE_EQ(wall.plot()->xAxis->range().upper, 5.0);
    EXPECT_TRUE(wall.crosshairText(2.5).contains("reward: 0.5"));
}

TEST_F(PlotPanelTest, HeatmapHoldsOneColumnPerLoggedStep) {
    const int64_t run = writeRun(m_store, "a", 0.1, 25);
    PanelSpec spec;
    spec.title = "rho";
    spec.histogramKey = "hist/log_ratio";
    HeatmapPanel panel(m_cache, spec);
    panel.resize(500, 300);
    panel.show();
    panel.setRuns({run});
    panel.redrawNow();
    EXPECT_EQ(panel.stepCount(), 25);
    const QString path = m_temp.dir() + "/heat.csv";
    ASSERT_TRUE(panel.exportCsv(path));
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const auto rows = test::parseCsv(QString::fromUtf8(file.readAll()));
    ASSERT_EQ(rows.size(), 26);
    EXPECT_EQ(rows[0].size(), 5);  // step + 4 bins
    EXPECT_EQ(rows[0][1], "-0.75");
}

TEST_F(PlotPanelTest, GroupAddsUserPanelsAndAppliesSmoothingToAll) {
    const int64_t run = writeRun(m_store, "a", 0.1, 10);
    PanelGroupSpec group{"test_group", "Test", {PanelSpec::ofKeys("r", {"reward"})}};
    PlotGroupView view(m_cache, group);
    view.show();
    view.showRun(run);
    const int before = view.panels().size();
    DashboardPanel* added = view.addPanel({"rewards/click/mean", "rewards/dwell/mean"});
    EXPECT_EQ(view.panels().size(), before + 1);
    EXPECT_TRUE(added->spec().userAdded);
    view.setSmoothing(0.9);
    for (DashboardPanel* p : view.panels()) EXPECT_DOUBLE_EQ(p->smoothing(), 0.9);
    view.setWallTimeAxis(true);
    for (DashboardPanel* p : view.panels()) EXPECT_EQ(p->xAxisMode(), XAxisMode::WallTime);
    view.redrawAllNow();
    EXPECT_EQ(static_cast<PlotPanel*>(added)->curveLabels().size(), 2);
}

// The live view's "Diversity and cold start" tab.
PanelGroupSpec diversityGroup() {
    for (const PanelGroupSpec& g : defaultPanelGroups())
        if (g.id == "diversity") return g;
    ADD_FAILURE() << "no diversity group";
    return {};
}

TEST_F(PlotPanelTest, DiversityTabPlotsTheSimulatorsExpectedReward) {
    // A synthetic run's evaluations as the trainer stores them (step metrics and evaluation rows):
    // the simulator's exact figures of the validation users at steps 10, 20 and 30.
    const QStringList keys{"val/expected_reward", "val/expected_clicks@10", "val/expected_cold_clicks@10"};
    const int64_t run = m_store.createRun("plots", "synthetic", "{}", 1);
    RunStore::Batch batch;
    for (int s = 10; s <= 30; s += 10) {
        NamedValues values;
        for (const QString& key : keys) values.push_back({key.toStdString(), 0.01 * s});
        batch.steps.push_back({s, 0.1 * s, values});
        batch.evals.push_back({s, values});
    }
    m_store.writeBatch(run, batch);

    PlotGroupView view(m_cache, diversityGroup());
    view.show();
    view.showRun(run);
    view.redrawAllNow();
    QStringList drawn;
    for (DashboardPanel* panel : view.panels()) {
        auto* plot = qobject_cast<PlotPanel*>(panel);
        if (!plot) continue;
        for (const QString& label : plot->curveLabels()) {
            drawn << label;
            if (keys.contains(label)) {
                EXPECT_EQ(plot->drawnPointCount(label), 3) << label.toStdString();
            }
        }
    }
    for (const QString& key : keys) EXPECT_TRUE(drawn.contains(key)) << key.toStdString();
}

TEST_F(PlotPanelTest, DiversityTabPlotsScheduledValidationAndTheFinalTestPoint) {
    // The trainer's ranking evaluations: "val/..." every 10 steps, "eval/..." once at the end.
    const int64_t run = m_store.createRun("plots", "synthetic", "{}", 1);
    RunStore::Batch batch;
    for (int s = 10; s <= 30; s += 10) {
        const NamedValues values{{"val/entropy@10", 2.0 + 0.01 * s}, {"val/cold_recall@10", 0.001 * s}};
        batch.steps.push_back({s, 0.1 * s, values});
        batch.evals.push_back({s, values});
    }
    const NamedValues test{{"eval/entropy@10", 2.4}, {"eval/cold_recall@10", 0.035}};
    batch.steps.push_back({30, 3.5, test});
    batch.evals.push_back({30, test});
    m_store.writeBatch(run, batch);

    PlotGroupView view(m_cache, diversityGroup());
    view.resize(1200, 900);
    view.show();
    view.showRun(run);
    view.redrawAllNow();
    std::map<QString, int> points;
    std::map<QString, bool> markers;
    for (DashboardPanel* panel : view.panels()) {
        auto* plot = qobject_cast<PlotPanel*>(panel);
        if (!plot) continue;
        for (const QString& label : plot->curveLabels()) {
            points[label] = plot->drawnPointCount(label);
            markers[label] = plot->drawsMarkers(label);
        }
    }
    EXPECT_EQ(points["val/entropy@10"], 3);
    EXPECT_EQ(points["val/cold_recall@10"], 3);
    EXPECT_EQ(points["eval/entropy@10"], 1);
    EXPECT_EQ(points["eval/cold_recall@10"], 1);
    // A lone test point is only visible as a marker.
    EXPECT_TRUE(markers["eval/entropy@10"]);
    EXPECT_TRUE(markers["val/entropy@10"]);
}

TEST_F(PlotPanelTest, CacheGrowsFromTheStoreAndFromLiveBatchesWithoutDuplicates) {
    const int64_t run = writeRun(m_store, "a", 0.1, 10);
    EXPECT_EQ(m_cache.series(run, "reward").size(), 10u);
    {
        RunStore writer(m_temp.path().toStdString());
        RunStore::Batch more;
        for (int s = 11; s <= 15; ++s) more.steps.push_back({s, 0.0, {{"reward", 1.0}}});
        writer.writeBatch(run, more);
    }
    m_cache.refreshFromStore();
    EXPECT_EQ(m_cache.series(run, "reward").size(), 15u);
    MetricsBatch live;
    for (int s = 14; s <= 20; ++s) live.steps.push_back({s, 0.0, {{"reward", 2.0}}});
    m_cache.appendLive(run, live);
    EXPECT_EQ(m_cache.series(run, "reward").size(), 20u);
    EXPECT_EQ(m_cache.series(run, "reward").lastStep, 20);
}

}  // namespace
}  // namespace sage::ui
