#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <nlohmann/json.hpp>
#include "ui/qcustomplot_no_keywords.h"

#include <gtest/gtest.h>

#include "config/config_schema.h"
#include "gui_test_support.h"
#include "store/run_store.h"
#include "training/training_job.h"
#include "ui/config_form_view.h"
#include "ui/event_log_view.h"
#include "ui/experiments_browser_view.h"
#include "ui/main_window.h"
#include "ui/metric_plot_panel.h"
#include "ui/run_list_view.h"
#include "ui/store_watcher.h"
#include "ui/training_controller.h"
#include "ui/training_panel.h"

namespace sage::ui {
namespace {

using test::tinyConfig;

RunStore::Batch rewards(int64_t from, int64_t to) {
    RunStore::Batch batch;
    for (int64_t step = from; step <= to; ++step)
        batch.steps.push_back({step, double(step), {{"reward", 0.1 * double(step)}, {"kl", 0.0}}});
    return batch;
}

/// Stands in for `sage-train` in another process: its own connection to the same file.
int64_t writeExternalRun(const QString& path, int64_t steps) {
    RunStore writer(path.toStdString());
    const int64_t id = writer.createRun("cli", "external", toJson(tinyConfig()).dump(), 7);
    writer.setRunStatus(id, RunStatus::Running);
    writer.writeBatch(id, rewards(1, steps));
    return id;
}

void spin(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

class MainWindowTest : public ::testing::Test {
protected:
    test::TempStore m_temp;
};

TEST_F(MainWindowTest, ConstructsOffscreenWithRunListFormAndPlot) {
    RunStore store(m_temp.path().toStdString());
    MainWindow window(store, m_temp.path(), test::presetsDir());
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));

    auto* runs = window.findChild<RunListView*>(QStringLiteral("runList"));
    auto* form = window.findChild<ConfigFormView*>(QStringLiteral("configForm"));
    auto* plot = window.findChild<MetricPlotPanel*>(QStringLiteral("metricPlotPanel"));
    auto* panel = window.findChild<TrainingPanel*>(QStringLiteral("trainingPanel"));
    auto* events = window.findChild<EventLogView*>(QStringLiteral("eventLog"));
    ASSERT_NE(runs, nullptr);
    ASSERT_NE(form, nullptr);
    ASSERT_NE(plot, nullptr);
    ASSERT_NE(panel, nullptr);
    ASSERT_NE(events, nullptr);
    for (QWidget* w :
         {static_cast<QWidget*>(runs), static_cast<QWidget*>(form), static_cast<QWidget*>(plot),
          static_cast<QWidget*>(panel), static_cast<QWidget*>(events)}) {
        EXPECT_TRUE(w->isVisible()) << w->objectName().toStdString();
        EXPECT_GT(w->width(), 50) << w->objectName().toStdString();
        EXPECT_GT(w->height(), 30) << w->objectName().toStdString();
    }
    EXPECT_NE(window.findChild<QCustomPlot*>(QStringLiteral("metricPlot")), nullptr);
    EXPECT_EQ(runs->runCount(), 0);
    // The default configuration is valid, so Start is offered.
    EXPECT_TRUE(form->isValid());
    EXPECT_TRUE(window.findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
    EXPECT_FALSE(window.findChild<QPushButton*>(QStringLiteral("stopButton"))->isEnabled());

    if (const QByteArray shot = qgetenv("SAGE_UI_SHOT"); !shot.isEmpty())
        window.grab().save(QString::fromLocal8Bit(shot));
}

TEST_F(MainWindowTest, SupervisedRunOpensOnItsLossNotTheFirstKey) {
    RunStore store(m_temp.path().toStdString());
    RunStore::Batch batch;
    for (int64_t step = 1; step <= 5; ++step)
        batch.steps.push_back({step, double(step), {{"eval/cold_exposure@10", 0.0}, {"grad_norm", 1.0},
                                                    {"sft/loss", 6.0 - double(step)}}});
    const int64_t id = store.createRun("cli", "sft", toJson(tinyConfig()).dump(), 7);
    store.writeBatch(id, batch);
    store.setRunStatus(id, RunStatus::Finished);
    MainWindow window(store, m_temp.path(), QString());
    auto* runs = window.findChild<RunListView*>(QStringLiteral("runList"));
    auto* plot = window.findChild<MetricPlotPanel*>(QStringLiteral("metricPlotPanel"));
    ASSERT_TRUE(runs && plot);
    ASSERT_TRUE(QTest::qWaitFor([&] { return runs->runCount() == 1; }, 3000));
    runs->selectRun(id);
    EXPECT_EQ(plot->metric(), QStringLiteral("sft/loss"));
    EXPECT_EQ(plot->pointCount(), 5);
}

TEST_F(MainWindowTest, RunWrittenByAnotherConnectionAppearsAndItsPlotGrows) {
    RunStore store(m_temp.path().toStdString());
    MainWindow window(store, m_temp.path(), QString());
    window.show();
    auto* runs = window.findChild<RunListView*>(QStringLiteral("runList"));
    auto* plot = window.findChild<MetricPlotPanel*>(QStringLiteral("metricPlotPanel"));
    ASSERT_TRUE(runs && plot);

    const int64_t id = writeExternalRun(m_temp.path(), 20);
    ASSERT_TRUE(QTest::qWaitFor([&] { return runs->runCount() == 1; }, 3000));

    runs->selectRun(id);
    EXPECT_EQ(runs->selectedRunId(), id);
    EXPECT_EQ(plot->runId(), id);
    EXPECT_EQ(plot->metric(), QStringLiteral("reward"));  // the default when the run has it
    EXPECT_EQ(plot->pointCount(), 20);
    EXPECT_TRUE(plot->availableMetrics().contains(QStringLiteral("kl")));

    // More steps committed elsewhere reach the plot through the watcher, incrementally.
    {
        RunStore writer(m_temp.path().toStdString());
        writer.writeBatch(id, rewards(21, 35));
        writer.setRunStatus(id, RunStatus::Finished);
    }
    ASSERT_TRUE(QTest::qWaitFor([&] { return plot->pointCount() == 35; }, 3000));
    auto* tree = runs->findChild<QTreeWidget*>(QStringLiteral("runTree"));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return tree->topLevelItem(0)->text(RunListView::StatusColumn) == "finished"; },
        3000));
    // The refresh kept the selection.
    EXPECT_EQ(runs->selectedRunId(), id);
    EXPECT_EQ(tree->selectedItems().size(), 1);

    plot->setMetric(QStringLiteral("kl"));
    EXPECT_EQ(plot->pointCount(), 35);
}

TEST_F(MainWindowTest, StartTrainsLivePlotsEveryStepOnceAndStopEndsTheRun) {
    RunStore store(m_temp.path().toStdString());
    MainWindow window(store, m_temp.path(), QString());
    window.show();
    auto* form = window.findChild<ConfigFormView*>(QStringLiteral("configForm"));
    auto* runs = window.findChild<RunListView*>(QStringLiteral("runList"));
    auto* plot = window.findChild<MetricPlotPanel*>(QStringLiteral("metricPlotPanel"));
    auto* panel = window.findChild<TrainingPanel*>(QStringLiteral("trainingPanel"));
    auto* events = window.findChild<EventLogView*>(QStringLiteral("eventLog"));
    auto* start = window.findChild<QPushButton*>(QStringLiteral("startButton"));
    auto* stop = window.findChild<QPushButton*>(QStringLiteral("stopButton"));
    ASSERT_TRUE(form && runs && plot && panel && events && start && stop);
    form->setConfig(tinyConfig(100000));

    QTest::mouseClick(start, Qt::LeftButton);
    EXPECT_TRUE(window.controller()->isRunning());
    EXPECT_FALSE(form->isEnabled());  // the configuration of a live run does not change
    EXPECT_FALSE(start->isEnabled());
    EXPECT_TRUE(stop->isEnabled());

    // The new run is selected and its plot grows from the drained buffer.
    ASSERT_TRUE(QTest::qWaitFor([&] { return plot->pointCount() > 30; }, 30000));
    const qint64 id = window.controller()->currentRunId();
    EXPECT_GT(id, 0);
    EXPECT_EQ(runs->selectedRunId(), id);
    EXPECT_EQ(plot->runId(), id);
    EXPECT_EQ(plot->metric(), QStringLiteral("reward"));
    EXPECT_TRUE(panel->progressText().startsWith(QStringLiteral("step ")))
        << panel->progressText().toStdString();
    EXPECT_TRUE(panel->progressText().contains(QStringLiteral("steps/s")));
    EXPECT_GT(events->eventCount(), 0);
    if (const QByteArray shot = qgetenv("SAGE_UI_SHOT_LIVE"); !shot.isEmpty())
        window.grab().save(QString::fromLocal8Bit(shot));

    QTest::mouseClick(stop, Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller()->isRunning(); }, 2000));
    EXPECT_TRUE(form->isEnabled());
    EXPECT_TRUE(start->isEnabled());
    auto* tree = runs->findChild<QTreeWidget*>(QStringLiteral("runTree"));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return tree->topLevelItem(0)->text(RunListView::StatusColumn) == "stopped"; }, 3000));
    // Live points and stored points meet without gaps or duplicates.
    const size_t stored = store.metricSeries(id, "reward").size();
    ASSERT_TRUE(QTest::qWaitFor([&] { return size_t(plot->pointCount()) == stored; }, 3000))
        << plot->pointCount() << " points drawn, " << stored << " stored";
    // Each event once, though it reached the view from the buffer and from the store.
    EXPECT_EQ(size_t(events->eventCount()), store.events(id).size());
}

TEST_F(MainWindowTest, ClosingTheWindowWhileTrainingEndsTheRunStopped) {
    RunStore store(m_temp.path().toStdString());
    qint64 id = 0;
    QElapsedTimer clock;
    {
        MainWindow window(store, m_temp.path(), QString());
        window.show();
        window.findChild<ConfigFormView*>(QStringLiteral("configForm"))
            ->setConfig(tinyConfig(100000));
        QTest::mouseClick(window.findChild<QPushButton*>(QStringLiteral("startButton")),
                          Qt::LeftButton);
        ASSERT_TRUE(
            QTest::qWaitFor([&] { return window.controller()->currentRunId() > 0; }, 30000));
        id = window.controller()->currentRunId();
        spin(100);
        window.close();
        clock.start();
    }
    EXPECT_LT(clock.elapsed(), 1000);
    const auto run = store.run(id);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, RunStatus::Stopped);
    // The stop left a checkpoint of its last step, so Resume run can continue it.
    const auto checkpoints = store.checkpoints(id);
    ASSERT_FALSE(checkpoints.empty());
    EXPECT_EQ(run->lastStep, checkpoints.back().step);
}

/// A run of `config` trained in this thread until it reports step `stopAfter` (0: to the end).
int64_t trainRun(const QString& path, const RunConfig& config, int64_t stopAfter) {
    TrainerControl control;
    struct StopAt : TrainingSink {
        TrainerControl* control = nullptr;
        int64_t step = 0;
        void onStep(const StepScalars& s) override {
            if (s.step == step) control->stopRequested = true;
        }
        void onHistogram(const HistogramRecord&) override {}
        void onSlates(const std::vector<SlateRecord>&) override {}
        void onEval(const EvalRecord&) override {}
        void onEvent(const EventRecord&) override {}
    } stop;
    stop.control = &control;
    stop.step = stopAfter;
    return TrainingJob(config, path.toStdString(), "e", control, &stop).run().runId;
}

TEST_F(MainWindowTest, ResumeButtonContinuesAStoppedRunFromItsCheckpointToTheEnd) {
    RunConfig config = tinyConfig(8);
    config.training.checkpointEverySteps = 2;
    const int64_t finished = trainRun(m_temp.path(), tinyConfig(2), 0);
    RunConfig noCheckpoints = tinyConfig(8);
    noCheckpoints.training.checkpointEverySteps = 0;
    noCheckpoints.training.checkpointDir = (m_temp.path() + ".file").toStdString();
    QFile blocker(m_temp.path() + ".file");  // a file where the checkpoint folder should go
    ASSERT_TRUE(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const int64_t failed = trainRun(m_temp.path(), noCheckpoints, 3);  // its stop checkpoint fails
    const int64_t stopped = trainRun(m_temp.path(), config, 3);

    RunStore store(m_temp.path().toStdString());
    ASSERT_EQ(RunStatus::Failed, store.run(failed)->status);
    ASSERT_EQ(RunStatus::Stopped, store.run(stopped)->status);
    MainWindow window(store, m_temp.path(), QString());
    window.show();
    auto* runs = window.findChild<RunListView*>(QStringLiteral("runList"));
    auto* resume = window.findChild<QPushButton*>(QStringLiteral("resumeRunButton"));
    ASSERT_TRUE(runs && resume);
    runs->selectRun(finished);
    EXPECT_FALSE(resume->isEnabled());
    runs->selectRun(failed);
    EXPECT_FALSE(resume->isEnabled());
    EXPECT_TRUE(resume->toolTip().contains(QStringLiteral("no checkpoint"))) << resume->toolTip().toStdString();
    runs->selectRun(stopped);
    ASSERT_TRUE(resume->isEnabled()) << resume->toolTip().toStdString();

    QTest::mouseClick(resume, Qt::LeftButton);
    EXPECT_TRUE(window.controller()->isRunning());
    EXPECT_FALSE(resume->isEnabled()) << "one run at a time";
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller()->isRunning(); }, 30000));
    const auto run = store.run(stopped);
    EXPECT_EQ(RunStatus::Finished, run->status) << run->error;
    const auto series = store.metricSeries(stopped, "reward");
    ASSERT_EQ(8u, series.size());
    for (size_t i = 0; i < series.size(); ++i) EXPECT_EQ(int64_t(i + 1), series[i].step);
    EXPECT_FALSE(resume->isEnabled()) << "a finished run does not resume";
}

TEST_F(MainWindowTest, StoreWatcherSignalsOnlyForOtherConnectionsCommits) {
    RunStore store(m_temp.path().toStdString());
    StoreWatcher watcher(store);
    int changes = 0;
    QObject::connect(&watcher, &StoreWatcher::changed, [&] { ++changes; });
    watcher.poll();
    EXPECT_EQ(changes, 0);
    writeExternalRun(m_temp.path(), 3);
    watcher.poll();
    EXPECT_EQ(changes, 1);
    watcher.poll();
    EXPECT_EQ(changes, 1);
}

TEST_F(MainWindowTest, ConfigFormIsBuiltFromTheSchemaAndFollowsApplies) {
    ConfigFormView form{QString()};
    const auto shownAsSchemaSays = [&] {
        for (const FieldSpec& spec : ConfigSchema::instance().fields()) {
            const QString key = QString::fromStdString(spec.key);
            EXPECT_NE(form.editor(key), nullptr) << spec.key;
            EXPECT_EQ(form.isFieldShown(key), !spec.applies || spec.applies(form.config()))
                << spec.key;
        }
    };
    shownAsSchemaSays();

    // The default objective is SAGE: its options show, GRPO's do not.
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("objective.kappa")));
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("objective.dual_clip")));
    auto* objective = qobject_cast<QComboBox*>(form.editor(QStringLiteral("objective.kind")));
    ASSERT_NE(objective, nullptr);
    objective->setCurrentText(QStringLiteral("grpo"));
    EXPECT_EQ(form.config().objective.kind, "grpo");
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("objective.kappa")));
    shownAsSchemaSays();

    // dual_clip_c matters only with dual clip on; the form re-evaluates on every change.
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("objective.dual_clip_c")));
    auto* dualClip = qobject_cast<QCheckBox*>(form.editor(QStringLiteral("objective.dual_clip")));
    ASSERT_NE(dualClip, nullptr);
    dualClip->setChecked(true);
    EXPECT_TRUE(form.config().objective.dualClip);
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("objective.dual_clip_c")));
    shownAsSchemaSays();
    dualClip->setChecked(false);
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("objective.dual_clip_c")));

    // Choices come from the spec.
    auto* optimizer = qobject_cast<QComboBox*>(form.editor(QStringLiteral("optimizer.kind")));
    ASSERT_NE(optimizer, nullptr);
    EXPECT_EQ(size_t(optimizer->count()),
              ConfigSchema::instance().find("optimizer.kind")->choices.size());
    optimizer->setCurrentText(QStringLiteral("sgd"));
    EXPECT_EQ(form.config().optimizer.kind, "sgd");
}

TEST_F(MainWindowTest, ConfigFormValidatesInlineAndAcceptsScientificNotation) {
    ConfigFormView form{QString()};
    bool validSignal = true;
    QObject::connect(&form, &ConfigFormView::validityChanged, [&](bool v) { validSignal = v; });
    auto* lr = qobject_cast<QLineEdit*>(form.editor(QStringLiteral("optimizer.learning_rate")));
    ASSERT_NE(lr, nullptr);

    lr->setText(QStringLiteral("fast"));
    EXPECT_FALSE(form.isValid());
    EXPECT_FALSE(validSignal);
    EXPECT_TRUE(
        form.fieldError(QStringLiteral("optimizer.learning_rate")).contains("not a number"));

    lr->setText(QStringLiteral("5"));  // out of [1e-8, 1]
    EXPECT_FALSE(form.isValid());
    EXPECT_TRUE(form.fieldError(QStringLiteral("optimizer.learning_rate")).contains("expected"));

    lr->setText(QStringLiteral("3e-4"));
    EXPECT_TRUE(form.isValid());
    EXPECT_TRUE(validSignal);
    EXPECT_TRUE(form.fieldError(QStringLiteral("optimizer.learning_rate")).isEmpty());
    EXPECT_DOUBLE_EQ(form.config().optimizer.learningRate, 3e-4);

    // A cross-field rule: a slate cannot hold more items than the catalogue.
    qobject_cast<QSpinBox*>(form.editor(QStringLiteral("environment.items")))->setValue(30);
    qobject_cast<QSpinBox*>(form.editor(QStringLiteral("training.slate_length")))->setValue(31);
    EXPECT_FALSE(form.isValid());
    EXPECT_FALSE(form.fieldError(QStringLiteral("training.slate_length")).isEmpty());
    qobject_cast<QSpinBox*>(form.editor(QStringLiteral("training.slate_length")))->setValue(5);
    EXPECT_TRUE(form.isValid());

    // The wide seed field takes integers beyond a spin box's range.
    auto* seed = qobject_cast<QLineEdit*>(form.editor(QStringLiteral("training.seed")));
    ASSERT_NE(seed, nullptr);
    seed->setText(QStringLiteral("4294967296"));
    EXPECT_TRUE(form.isValid());
    EXPECT_EQ(form.config().training.seed, int64_t(4294967296));
}

TEST_F(MainWindowTest, ConfigFormSavesLoadsAndListsPresets) {
    ConfigFormView form(m_temp.dir());
    RunConfig config = tinyConfig(77);
    config.optimizer.learningRate = 2.5e-5;
    form.setConfig(config);
    EXPECT_EQ(qobject_cast<QSpinBox*>(form.editor(QStringLiteral("training.steps")))->value(), 77);

    const QString path = m_temp.dir() + QStringLiteral("/mine.json");
    ASSERT_TRUE(form.saveFile(path));
    form.resetToDefaults();
    EXPECT_EQ(form.config().training.steps, RunConfig{}.training.steps);

    form.reloadPresets();
    auto* presets = form.findChild<QComboBox*>(QStringLiteral("presetCombo"));
    ASSERT_NE(presets, nullptr);
    ASSERT_EQ(presets->count(), 2);  // the placeholder and mine.json
    EXPECT_EQ(presets->itemText(1), QStringLiteral("mine"));

    ASSERT_TRUE(form.loadFile(path));
    EXPECT_EQ(form.config().training.steps, 77);
    EXPECT_DOUBLE_EQ(form.config().optimizer.learningRate, 2.5e-5);
    EXPECT_EQ(form.config().environment.items, 40);

    // A broken file leaves the form as it was and says why.
    const QString broken = m_temp.dir() + QStringLiteral("/broken.json");
    QFile file(broken);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(R"({"training": {"steps": -3}})");
    file.close();
    EXPECT_FALSE(form.loadFile(broken));
    EXPECT_EQ(form.config().training.steps, 77);
}

TEST_F(MainWindowTest, NewRunFromAStoredRunsConfigurationFillsTheForm) {
    RunStore store(m_temp.path().toStdString());
    RunConfig stored = tinyConfig(37);
    stored.objective.kind = "gspo";
    stored.training.groupSize = 6;
    stored.name = "gspo-g6";
    const int64_t id = store.createRun("cli", stored.name, toJson(stored).dump(), 7);
    MainWindow window(store, m_temp.path(), test::presetsDir());
    auto* browser = window.findChild<ExperimentsBrowserView*>();
    auto* form = window.findChild<ConfigFormView*>(QStringLiteral("configForm"));
    ASSERT_NE(browser, nullptr);
    ASSERT_NE(form, nullptr);
    ASSERT_EQ(form->config().objective.kind, "sage");

    browser->refresh();
    browser->table()->selectRow(0);
    ASSERT_EQ(browser->selectedRuns(), QList<qint64>{id});
    window.findChild<QPushButton*>(QStringLiteral("newRunFromConfigButton"))->click();
    EXPECT_EQ(form->config().objective.kind, "gspo");
    EXPECT_EQ(form->config().training.groupSize, 6);
    EXPECT_EQ(form->config().training.steps, 37);
    EXPECT_EQ(form->config().name, "gspo-g6");
    EXPECT_TRUE(form->isValid());

    // A configuration the program cannot read leaves the form as it was and says why.
    EXPECT_FALSE(form->loadRunConfiguration(QStringLiteral("{\"training\": {\"group_size\": 1}}"), 99));
    EXPECT_EQ(form->config().training.groupSize, 6);
}

TEST_F(MainWindowTest, ShippedPresetsLoad) {
    ConfigFormView form{test::presetsDir()};
    auto* presets = form.findChild<QComboBox*>(QStringLiteral("presetCombo"));
    ASSERT_NE(presets, nullptr);
    for (int i = 1; i < presets->count(); ++i)
        EXPECT_TRUE(form.loadFile(presets->itemData(i).toString()))
            << presets->itemText(i).toStdString();
}

}  // namespace
}  // namespace sage::ui
