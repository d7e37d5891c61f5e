// sage_gui_bench: how responsive the dashboard is, against issue #5's acceptance 3.
//   redraw  8 panels of 100,000 points each redrawn: rebuild of what each panel draws and the real
//           paint (QCustomPlot's replot into its pixmap buffer, then the widget's repaint), in four
//           situations, 20 frames each; target < 30 ms a frame.
//   open    a stored run of 1,000,000 metric rows opened in the main window: from opening the
//           store file to the visible tab's charts drawn (target < 1 s), then the other groups.
//   train   a real training run on the worker thread behind the main window, with a 10 ms timer
//           on the GUI thread: the longest gap between its ticks (target < 100 ms).
// Runs offscreen unless QT_QPA_PLATFORM says otherwise.
// Usage: sage_gui_bench [--markdown] [--only redraw|open|train] [--train-seconds N]
//                       [--presets DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include "config/run_config.h"
#include "store/run_store.h"
#include "ui/dashboard_panel.h"
#include "ui/main_window.h"
#include "ui/panel_spec.h"
#include "ui/plot_group_view.h"
#include "ui/plot_panel.h"
#include "ui/series_cache.h"
#include "ui/training_controller.h"

namespace {

using sage::RunStore;
using namespace sage::ui;

/// One line of the report: a median and a maximum over frames, or a single measurement.
struct Figure {
    std::string what;
    double medianMs = 0;
    double maxMs = 0;
    double cpuMedianMs = -1;  // the GUI thread's own CPU time per frame; -1: not measured
    int samples = 1;
    double targetMs = 0;  // 0: no target, reported for context
    // Which of the two the target is judged on: the max for stalls, the median for frame times
    // (one frame slowed by another process on a shared machine is not the dashboard's cost).
    bool judgeMax = false;
};

Figure summarize(std::string what, std::vector<double> ms, double targetMs, bool judgeMax = false) {
    std::sort(ms.begin(), ms.end());
    Figure f;
    f.what = std::move(what);
    f.samples = int(ms.size());
    f.medianMs = ms.empty() ? 0 : ms[ms.size() / 2];
    f.maxMs = ms.empty() ? 0 : ms.back();
    f.targetMs = targetMs;
    f.judgeMax = judgeMax;
    return f;
}

double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

template <typename Work>
double timeMs(Work&& work) {
    QElapsedTimer timer;
    timer.start();
    work();
    return double(timer.nsecsElapsed()) / 1e6;
}

/// Wall-clock and GUI-thread CPU time of each of `frames` runs of `frame(i)`. On a busy machine
/// the wall time includes waiting for a core; the CPU time is the dashboard's own work.
template <typename Frame>
Figure frames(std::string what, int count, double targetMs, Frame&& frame) {
    std::vector<double> wall, cpu;
    for (int i = 0; i < count; ++i) {
        const double cpuBefore = threadCpuMs();
        wall.push_back(timeMs([&] { frame(i); }));
        cpu.push_back(threadCpuMs() - cpuBefore);
    }
    Figure f = summarize(std::move(what), wall, targetMs);
    std::sort(cpu.begin(), cpu.end());
    f.cpuMedianMs = cpu[cpu.size() / 2];
    return f;
}

/// Runs the event loop (timers, queued signals, paints) until `done` holds; false on timeout.
bool runUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    }
    return true;
}

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
    store.setRunStatus(run, sage::RunStatus::Finished);
    return run;
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

QList<PlotGroupView*> plotGroups(MainWindow& window) {
    QList<PlotGroupView*> groups;
    QTabWidget* tabs = window.viewTabs();
    for (int i = 0; i < tabs->count(); ++i)
        if (auto* g = qobject_cast<PlotGroupView*>(tabs->widget(i))) groups.append(g);
    return groups;
}

bool drawn(const PlotGroupView& group) {
    const QList<DashboardPanel*> panels = group.panels();
    return std::none_of(panels.begin(), panels.end(),
                        [](const DashboardPanel* p) { return p->isDirty(); });
}

// ---- redraw: 8 panels of 100,000 points ----
void benchRedraw(const QString& dir, std::vector<Figure>& figures) {
    constexpr int kPoints = 100000;
    constexpr int kFrames = 20;
    constexpr double kTarget = 30.0;
    RunStore store(QDir(dir).filePath(QStringLiteral("redraw.sqlite")).toStdString());
    std::vector<std::string> keys;
    for (int k = 0; k < 8; ++k) keys.push_back("m" + std::to_string(k));
    std::fprintf(stderr, "redraw: writing 8 x %d points...\n", kPoints);
    const int64_t run = writeRun(store, keys, kPoints, false);
    SeriesCache cache(store);
    PanelGroupSpec group{"bench", "bench", {}};
    for (const std::string& k : keys)
        group.panels.append(PanelSpec::ofKeys(QString::fromStdString(k), {QString::fromStdString(k)}));
    PlotGroupView view(cache, group);
    view.resize(1600, 1800);  // 2 columns x 4 rows: each plot about 790 x 420 pixels
    view.show();
    QCoreApplication::processEvents();
    view.setSmoothing(0.6);
    view.showRun(run);
    figures.push_back(summarize("first draw: load 800k points from the store, smooth, draw",
                                {timeMs([&] { view.redrawAllNow(); })}, 0));

    // A frame while training: one more step arrives, the view follows it, every panel redraws.
    int64_t step = kPoints;
    figures.push_back(frames("redraw after a new step arrives (live run)", kFrames, kTarget, [&](int) {
        MetricsBatch batch;
        sage::StepScalars scalars{step, 0.05 * double(step), {}};
        for (const std::string& k : keys) scalars.values.emplace_back(k, std::sin(double(step)));
        batch.steps.push_back(std::move(scalars));
        ++step;
        cache.appendLive(run, batch);
        view.redrawAllNow();
    }));
    // The user pans: a new visible range of 60,000 steps every frame.
    figures.push_back(frames("redraw after pan/zoom (new visible range)", kFrames, kTarget, [&](int i) {
        for (DashboardPanel* p : view.panels())
            static_cast<PlotPanel*>(p)->zoomTo(1000.0 * i, 1000.0 * i + 60000.0);
        view.redrawAllNow();
    }));
    // Nothing changed (a window expose or resize of the same data).
    figures.push_back(frames("redraw, same data and range", kFrames, kTarget,
                             [&](int) { view.redrawAllNow(); }));
    // The smoothing slider moves: the EMA over every point of every series is recomputed.
    figures.push_back(frames("redraw after a smoothing change (EMA over all 800k points)", kFrames,
                             kTarget, [&](int i) {
                                 view.setSmoothing(i % 2 ? 0.6 : 0.9);
                                 view.redrawAllNow();
                             }));
}

// ---- open: a stored run of 1,000,000 metric rows ----
void benchOpen(const QString& dir, const QString& presets, std::vector<Figure>& figures) {
    const QString path = QDir(dir).filePath(QStringLiteral("open.sqlite"));
    {
        RunStore writer(path.toStdString());
        std::fprintf(stderr, "open: writing 50 keys x 20,000 steps = 1,000,000 rows...\n");
        writeRun(writer, dashboardKeys(50), 20000, true);
    }
    std::unique_ptr<RunStore> store;
    std::unique_ptr<MainWindow> window;
    QList<PlotGroupView*> groups;
    QElapsedTimer timer;
    timer.start();
    // As the application opens a store: the connection, the window (which selects the newest
    // run), here with the first plot group's tab in front.
    store = std::make_unique<RunStore>(path.toStdString());
    window = std::make_unique<MainWindow>(*store, path, presets);
    groups = plotGroups(*window);
    window->viewTabs()->setCurrentWidget(groups.front());
    window->show();
    const bool first = runUntil([&] { return drawn(*groups.front()); }, 30000);
    const double firstMs = double(timer.nsecsElapsed()) / 1e6;
    bool all = first;
    for (PlotGroupView* g : groups) {
        window->viewTabs()->setCurrentWidget(g);
        all = all && runUntil([&] { return drawn(*g); }, 30000);
    }
    const double allMs = double(timer.nsecsElapsed()) / 1e6;
    if (!first || !all) std::fprintf(stderr, "open: the charts were not drawn within 30 s\n");
    figures.push_back(summarize(
        QStringLiteral("open 1M-row run: window up, \"%1\" tab's %2 charts drawn")
            .arg(groups.front()->title())
            .arg(groups.front()->panels().size())
            .toStdString(),
        {first ? firstMs : 1e9}, 1000));
    figures.push_back(summarize("open 1M-row run: then every plot group's charts drawn",
                                {all ? allMs : 1e9}, 0));
}

// ---- train: GUI-thread stalls during a real training run ----
void benchTraining(const QString& dir, const QString& presets, int seconds,
                   std::vector<Figure>& figures) {
    const QString path = QDir(dir).filePath(QStringLiteral("train.sqlite"));
    sage::RunConfig config =
        sage::loadConfigFile(QDir(presets).filePath(QStringLiteral("synthetic.json")).toStdString());
    config.training.threads = 1;  // the trainer keeps one core; the GUI thread has the other
    config.training.steps = 100000;  // stopped after `seconds`
    RunStore store(path.toStdString());
    MainWindow window(store, path, presets);
    const QList<PlotGroupView*> groups = plotGroups(window);
    window.show();
    QCoreApplication::processEvents();

    // A 10 ms timer on the GUI thread: a gap between ticks is how long the thread was busy.
    QElapsedTimer clock;
    std::vector<double> gaps;
    double last = -1;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double now = double(clock.nsecsElapsed()) / 1e6;
        if (last >= 0) gaps.push_back(now - last);
        last = now;
    });
    // The user looks around: every 1.5 s the next tab of charts comes to the front.
    int tab = 0;
    QTimer tour;
    tour.setInterval(1500);
    QObject::connect(&tour, &QTimer::timeout, [&] {
        tab = (tab + 1) % (groups.size() + 1);
        window.viewTabs()->setCurrentIndex(tab);  // 0: Overview, then the plot groups
    });

    bool ended = false;
    qint64 steps = 0;
    TrainingController* controller = window.controller();
    QObject::connect(controller, &TrainingController::progress,
                     [&](qint64 step, qint64, double, double) { steps = step; });
    QObject::connect(controller, &TrainingController::runEnded, [&] { ended = true; });
    clock.start();
    probe.start();
    tour.start();
    if (!controller->start(config, path, QStringLiteral("bench"))) {
        std::fprintf(stderr, "train: the controller refused to start\n");
        return;
    }
    runUntil([&] { return ended; }, seconds * 1000);
    if (!ended) controller->stop();
    runUntil([&] { return ended; }, 60000);
    probe.stop();
    tour.stop();
    const double ranS = double(clock.nsecsElapsed()) / 1e9;
    std::sort(gaps.begin(), gaps.end());
    const double p99 = gaps.empty() ? 0 : gaps[size_t(double(gaps.size() - 1) * 0.99)];
    std::fprintf(stderr, "train: %lld steps in %.1f s, %zu ticks, p99 gap %.1f ms\n",
                 static_cast<long long>(steps), ranS, gaps.size(), p99);
    Figure f = summarize(QStringLiteral("GUI-thread gap between 10 ms timer ticks while training "
                                        "(%1 steps in %2 s, tabs cycling)")
                             .arg(steps)
                             .arg(ranS, 0, 'f', 0)
                             .toStdString(),
                         gaps, 100, true);
    figures.push_back(f);
}

QString argument(int argc, char** argv, const char* name, const QString& fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return QString::fromLocal8Bit(argv[i + 1]);
    return fallback;
}

bool flag(int argc, char** argv, const char* name) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return true;
    return false;
}

void printTable(const std::vector<Figure>& figures, bool markdown) {
    const auto verdict = [](const Figure& f) -> std::string {
        if (f.targetMs <= 0) return "";
        return (f.judgeMax ? f.maxMs : f.medianMs) < f.targetMs ? "met" : "NOT met";
    };
    const auto target = [](const Figure& f) -> std::string {
        if (f.targetMs <= 0) return "";
        char text[64];
        std::snprintf(text, sizeof text, "< %.0f ms (%s)", f.targetMs, f.judgeMax ? "max" : "median");
        return text;
    };
    const auto cpu = [](const Figure& f) -> std::string {
        if (f.cpuMedianMs < 0) return "";
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", f.cpuMedianMs);
        return text;
    };
    if (markdown) {
        std::printf("| measurement | frames | median ms | max ms | GUI-thread CPU ms (median) | target | result |\n");
        std::printf("|---|---:|---:|---:|---:|---|---|\n");
        for (const Figure& f : figures)
            std::printf("| %s | %d | %.1f | %.1f | %s | %s | %s |\n", f.what.c_str(), f.samples,
                        f.medianMs, f.maxMs, cpu(f).c_str(), target(f).c_str(), verdict(f).c_str());
        return;
    }
    std::printf("\n%-84s %6s %9s %9s %9s %18s %8s\n", "measurement", "frames", "median", "max",
                "cpu", "target", "result");
    std::printf("%s\n", std::string(150, '-').c_str());
    for (const Figure& f : figures)
        std::printf("%-84s %6d %9.1f %9.1f %9s %18s %8s\n", f.what.c_str(), f.samples, f.medianMs,
                    f.maxMs, cpu(f).c_str(), target(f).c_str(), verdict(f).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Settings (smoothing, panels, layout) go to a scratch folder: the user's are neither read
    // nor changed, and every run starts from the defaults.
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", QDir(dir.path()).filePath(QStringLiteral("config")).toLocal8Bit());
    QApplication app(argc, argv);
    const QString only = argument(argc, argv, "--only", QString());
    const int trainSeconds = argument(argc, argv, "--train-seconds", QStringLiteral("15")).toInt();
    // The presets shipped with the sources (the default fits a run from the repository root).
    const QString presets = argument(argc, argv, "--presets", QStringLiteral("resources/presets"));
    if (!QFileInfo(QDir(presets).filePath(QStringLiteral("synthetic.json"))).isFile()) {
        std::fprintf(stderr, "no synthetic.json in %s: pass --presets DIR (resources/presets)\n",
                     qPrintable(presets));
        return 2;
    }
    if (trainSeconds <= 0) {
        std::fprintf(stderr, "--train-seconds expects a positive number of seconds\n");
        return 2;
    }
    if (!only.isEmpty() && only != "redraw" && only != "open" && only != "train") {
        std::fprintf(stderr, "--only expects redraw, open or train, got '%s'\n", qPrintable(only));
        return 2;
    }

    std::vector<Figure> figures;
    if (only.isEmpty() || only == "redraw") benchRedraw(dir.path(), figures);
    if (only.isEmpty() || only == "open") benchOpen(dir.path(), presets, figures);
    if (only.isEmpty() || only == "train") benchTraining(dir.path(), presets, trainSeconds, figures);
    printTable(figures, flag(argc, argv, "--markdown"));
    return 0;
}
