// sage_gui_bench: how responsive the dashboard's plots are on long runs.
//   1. Redraw 8 panels of 100,000 points each (target < 30 ms: one 30 Hz frame).
//   2. Open a stored run of 1,000,000 metric rows with its charts drawn (target < 1 s).
// Runs offscreen; prints a table. Usage: sage_gui_bench [--keep DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <QApplication>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTemporaryDir>

#include "store/run_store.h"
#include "ui/dashboard_panel.h"
#include "ui/panel_spec.h"
#include "ui/plot_group_view.h"
#include "ui/plot_panel.h"
#include "ui/qcustomplot_no_keywords.h"
#include "ui/series_cache.h"

namespace {

using sage::RunStore;
using namespace sage::ui;

struct Row {
    std::string what;
    double ms;
    double targetMs;
};

// Writes `steps` steps of `keys` into a new run, in batches of 2,000 steps (as the trainer does).
int64_t writeRun(RunStore& store, const std::vector<std::string>& keys, int steps,
                 bool histograms) {
    const int64_t run = store.createRun("bench", "long", "{}", 1);
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (int from = 0; from < steps; from += 2000) {
        RunStore::Batch batch;
        for (int s = from; s < std::min(steps, from + 2000); ++s) {
            sage::StepScalars scalars{s, 0.05 * s, {}};
            for (size_t k = 0; k < keys.size(); ++k)
                scalars.values.emplace_back(keys[k], std::sin(s * 1e-3 + double(k)) + 0.1 * noise(rng));
            batch.steps.push_back(std::move(scalars));
            if (histograms && s % 10 == 0) {
                std::vector<float> counts(40);
                for (size_t b = 0; b < counts.size(); ++b)
                    counts[b] = float(std::exp(-std::pow((double(b) - 20.0) / 5.0, 2)));
                batch.histograms.push_back({s, "hist/log_ratio", -1.0, 1.0, counts});
            }
        }
        store.writeBatch(run, batch);
    }
    return run;
}

template <typename Work>
double timeMs(Work&& work, int repeats = 1) {
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < repeats; ++i) work();
    return double(timer.nsecsElapsed()) / 1e6 / repeats;
}

// The real metric keys the four groups draw (so opening the run loads what a user would see),
// topped up with others to reach the row count.
std::vector<std::string> dashboardKeys(size_t count) {
    std::vector<std::string> keys = {
        "ratio/seq_mean", "ratio/seq_p01", "ratio/seq_p50", "ratio/seq_p99", "ratio/token_mean",
        "ratio/token_max", "clip_ratio/low_mean", "clip_ratio/high_mean", "bound/pos_active_frac",
        "bound/neg_active_frac", "log_ratio/mean", "approx_kl_old", "bound/pos_cap_mean",
        "bound/neg_scale_mean", "bound/neg_cap_mean", "boost/applied_frac", "coef/pos_mean",
        "coef/neg_mean", "rewards/click/mean", "rewards/click/std", "rewards/dwell/mean",
        "rewards/dwell/std", "rewards/cold_click/mean", "rewards/cold_click/std", "reward",
        "reward_std", "adv/mean", "adv/std", "adv/min", "adv/max", "adv/zero_std_groups",
        "slate/entropy_mean", "entropy", "kl", "loss/policy", "loss/total", "grad_norm",
        "learning_rate", "time/rollout_seconds", "time/update_seconds"};
    for (size_t i = keys.size(); i < count; ++i) keys.push_back("extra/" + std::to_string(i));
    keys.resize(count);
    return keys;
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    std::vector<Row> rows;

    // ---- 1. Redrawing 8 panels of 100,000 points ----
    {
        RunStore store(dir.filePath("redraw.sqlite").toStdString());
        std::vector<std::string> keys;
        for (int k = 0; k < 8; ++k) keys.push_back("m" + std::to_string(k));
        std::fprintf(stderr, "writing 8 x 100,000 points...\n");
        const int64_t run = writeRun(store, keys, 100000, false);
        SeriesCache cache(store);
        PanelGroupSpec group{"bench", "bench", {}};
        for (const std::string& k : keys)
            group.panels.append(PanelSpec::ofKeys(QString::fromStdString(k), {QString::fromStdString(k)}));
        PlotGroupView view(cache, group);
        view.resize(1600, 1800);
        view.show();
        view.setSmoothing(0.6);
        view.showRun(run);
        const double first = timeMs([&] { view.redrawAllNow(); });
        rows.push_back({"8 panels x 100k: first draw (load from store + smooth + draw)", first, 0});
        rows.push_back({"8 panels x 100k: redraw (new frame, same data)",
                        timeMs([&] { view.redrawAllNow(); }, 20), 30});
        rows.push_back({"8 panels x 100k: replot only (painting, no envelope rebuild)",
                        timeMs(
                            [&] {
                                for (DashboardPanel* p : view.panels())
                                    p->plot()->replot(QCustomPlot::rpImmediateRefresh);
                            },
                            20),
                        30});
        int flip = 0;
        rows.push_back({"8 panels x 100k: redraw after smoothing change (EMA over 800k points)",
                        timeMs(
                            [&] {
                                view.setSmoothing((flip++ % 2) ? 0.6 : 0.9);
                                view.redrawAllNow();
                            },
                            10),
                        30});
        int pan = 0;
        rows.push_back({"8 panels x 100k: redraw after pan/zoom (new envelopes)",
                        timeMs(
                            [&] {
                                ++pan;
                                for (DashboardPanel* p : view.panels())
                                    static_cast<PlotPanel*>(p)->zoomTo(1000.0 * pan, 1000.0 * pan + 50000.0);
                                view.redrawAllNow();
                            },
                            10),
                        30});
    }

    // ---- 2. Opening a stored run of 1,000,000 metric rows ----
    {
        const QString path = dir.filePath("open.sqlite");
        {
            RunStore writer(path.toStdString());
            std::fprintf(stderr, "writing 50 keys x 20,000 steps = 1,000,000 rows...\n");
            writeRun(writer, dashboardKeys(50), 20000, true);
        }
        QWidget window;
        window.resize(1500, 900);
        auto* tabs = new QTabWidget(&window);
        tabs->resize(1500, 900);
        std::unique_ptr<RunStore> store;
        std::unique_ptr<SeriesCache> cache;
        QList<PlotGroupView*> groups;
        double openMs = 0, allMs = 0;
        const double t = timeMs([&] {
            store = std::make_unique<RunStore>(path.toStdString());
            cache = std::make_unique<SeriesCache>(*store);
            for (const PanelGroupSpec& g : defaultPanelGroups()) {
                groups.append(new PlotGroupView(*cache, g));
                tabs->addTab(groups.back(), g.title);
            }
            window.show();
            const int64_t run = store->listRuns().front().id;
            for (PlotGroupView* g : groups) g->showRun(run);
            groups.front()->redrawAllNow();  // the tab in view
        });
        openMs = t;
        allMs = timeMs([&] {
            for (int i = 1; i < groups.size(); ++i) {
                tabs->setCurrentIndex(i);
                groups[i]->redrawAllNow();
            }
        });
        rows.push_back({"open 1M-row run: first tab (Importance ratios, 6 panels) drawn", openMs, 1000});
        rows.push_back({"open 1M-row run: + the other three groups drawn", openMs + allMs, 1000});
    }

    std::printf("\n%-78s %10s %10s %6s\n", "benchmark", "ms", "target", "ok");
    std::printf("%s\n", std::string(108, '-').c_str());
    for (const Row& r : rows) {
        if (r.targetMs > 0)
            std::printf("%-78s %10.1f %10.0f %6s\n", r.what.c_str(), r.ms, r.targetMs,
                        r.ms < r.targetMs ? "yes" : "NO");
        else
            std::printf("%-78s %10.1f %10s %6s\n", r.what.c_str(), r.ms, "-", "");
    }
    return 0;
}
