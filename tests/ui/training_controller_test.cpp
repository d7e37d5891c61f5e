#include <algorithm>
#include <memory>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include "gui_test_support.h"
#include "store/run_store.h"
#include "ui/training_controller.h"

namespace sage::ui {
namespace {

using test::tinyConfig;

// Long enough that no test run finishes before the test stops it.
constexpr int kLongRun = 100000;

/// Records what a controller reports, as the views would see it.
struct Recorder {
    explicit Recorder(TrainingController& controller) {
        QObject::connect(&controller, &TrainingController::runStarted, &context,
                         [this](qint64 id) { runId = id; });
        QObject::connect(&controller, &TrainingController::metricsArrived, &context,
                         [this](qint64, const MetricsBatch& batch) {
                             ++drains;
                             steps += int(batch.steps.size());
                             for (const StepScalars& s : batch.steps)
                                 lastStep = std::max(lastStep, s.step);
                             for (const EventRecord& e : batch.events)
                                 events.append(QString::fromStdString(e.message));
                         });
        QObject::connect(&controller, &TrainingController::progress, &context,
                         [this](qint64 step, qint64 total, double, double) {
                             progressStep = step;
                             progressTotal = total;
                         });
        QObject::connect(&controller, &TrainingController::runEnded, &context,
                         [this](qint64 id, const QString& s, const QString& e) {
                             endedId = id;
                             status = s;
                             error = e;
                             ended = true;
                         });
    }
    bool sawEvent(const QString& text) const {
        return std::any_of(events.begin(), events.end(),
                           [&](const QString& e) { return e.startsWith(text); });
    }

    QObject context;
    qint64 runId = 0;
    int drains = 0;
    int steps = 0;
    int64_t lastStep = 0;
    QStringList events;
    qint64 progressStep = 0;
    qint64 progressTotal = 0;
    bool ended = false;
    qint64 endedId = 0;
    QString status;
    QString error;
};

/// Spins the real event loop (no sleeping between passes, unlike qWaitFor) for `ms`.
void spin(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

class TrainingControllerTest : public ::testing::Test {
protected:
    test::TempStore m_store;
};

TEST_F(TrainingControllerTest, StopEndsALiveRunWithinOneSecondAsStopped) {
    TrainingController controller;
    Recorder rec(controller);
    ASSERT_TRUE(controller.start(tinyConfig(kLongRun), m_store.path(), QStringLiteral("ui-test")));
    EXPECT_TRUE(controller.isRunning());
    // A second start while one runs is refused.
    EXPECT_FALSE(controller.start(tinyConfig(), m_store.path(), QStringLiteral("ui-test")));

    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.steps > 0; }, 60000)) << "no metrics arrived";
    ASSERT_GT(rec.runId, 0);
    EXPECT_EQ(controller.currentRunId(), rec.runId);

    QElapsedTimer clock;
    clock.start();
    controller.stop();
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 5000)) << "the run did not end";
    EXPECT_LT(clock.elapsed(), 1000);
    EXPECT_EQ(rec.status, QStringLiteral("stopped"));
    EXPECT_TRUE(rec.error.isEmpty()) << rec.error.toStdString();
    EXPECT_EQ(rec.endedId, rec.runId);
    EXPECT_FALSE(controller.isRunning());
    EXPECT_EQ(rec.progressTotal, kLongRun);

    RunStore store(m_store.path().toStdString());
    const auto run = store.run(rec.runId);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, RunStatus::Stopped);
    EXPECT_EQ(run->experiment, "ui-test");
    EXPECT_FALSE(store.metricSeries(rec.runId, "reward").empty());
}

TEST_F(TrainingControllerTest, ShortRunFinishesAndDeliversEveryStep) {
    TrainingController controller;
    Recorder rec(controller);
    ASSERT_TRUE(controller.start(tinyConfig(5), m_store.path(), QStringLiteral("ui-test")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 120000));
    EXPECT_EQ(rec.status, QStringLiteral("finished"));
    // The final drain happens before runEnded, so the tail of the run is never lost: 5 steps, then
    // the final validation and test evaluations (step records at step 5 too).
    EXPECT_EQ(rec.steps, 7);
    EXPECT_EQ(rec.lastStep, 5);
    EXPECT_EQ(rec.progressStep, 5);
    EXPECT_EQ(rec.progressTotal, 5);
    EXPECT_TRUE(rec.sawEvent(QStringLiteral("finished")));

    RunStore store(m_store.path().toStdString());
    const auto run = store.run(rec.runId);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, RunStatus::Finished);
    EXPECT_EQ(run->lastStep, 5);
}

TEST_F(TrainingControllerTest, PauseHoldsAndResumeContinues) {
    TrainingController controller;
    Recorder rec(controller);
    bool paused = false;
    QObject::connect(&controller, &TrainingController::pausedChanged, &rec.context,
                     [&](bool p) { paused = p; });
    ASSERT_TRUE(controller.start(tinyConfig(kLongRun), m_store.path(), QStringLiteral("ui-test")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.steps > 0; }, 60000));

    controller.pause();
    EXPECT_TRUE(paused);
    EXPECT_TRUE(controller.isPaused());
    // The step in flight completes; the trainer then says it paused and takes no further step.
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.sawEvent(QStringLiteral("paused")); }, 10000));
    const int64_t heldAt = rec.lastStep;
    spin(300);
    EXPECT_EQ(rec.lastStep, heldAt) << "steps were taken while paused";
    EXPECT_TRUE(controller.isRunning());

    controller.resume();
    EXPECT_FALSE(paused);
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.lastStep > heldAt + 1; }, 10000))
        << "no steps after resume";
    EXPECT_TRUE(rec.sawEvent(QStringLiteral("resumed")));

    // Stop is honoured while paused as well.
    controller.pause();
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return rec.events.count(QStringLiteral("paused")) >= 2; }, 10000));
    QElapsedTimer clock;
    clock.start();
    controller.stop();
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 5000));
    EXPECT_LT(clock.elapsed(), 1000);
    EXPECT_EQ(rec.status, QStringLiteral("stopped"));
    EXPECT_FALSE(paused);
}

TEST_F(TrainingControllerTest, GuiThreadNeverStallsWhileTraining) {
    TrainingController controller;
    Recorder rec(controller);
    ASSERT_TRUE(controller.start(tinyConfig(kLongRun), m_store.path(), QStringLiteral("ui-test")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.steps > 0; }, 60000));

    const int drainsBefore = rec.drains;
    const int stepsBefore = rec.steps;
    QElapsedTimer sinceTick;
    qint64 maxGap = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout,
                     [&] { maxGap = std::max(maxGap, sinceTick.restart()); });
    QElapsedTimer window;
    window.start();
    sinceTick.start();
    probe.start();
    spin(2000);
    probe.stop();
    const double seconds = window.elapsed() / 1000.0;

    EXPECT_LT(maxGap, 100) << "the GUI thread stalled for " << maxGap << " ms";
    EXPECT_GT(rec.steps, stepsBefore) << "the trainer made no progress during the probe";
    // Coalescing: however many steps arrived, at most ~30 drains a second reached the GUI.
    EXPECT_LE(rec.drains - drainsBefore,
              int(seconds * 1000.0 / TrainingController::kDrainIntervalMs) + 2);

    controller.stop();
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 5000));
    EXPECT_EQ(rec.status, QStringLiteral("stopped"));
}

TEST_F(TrainingControllerTest, DestroyingTheControllerStopsTheRun) {
    qint64 runId = 0;
    QElapsedTimer clock;
    {
        TrainingController controller;
        Recorder rec(controller);
        ASSERT_TRUE(
            controller.start(tinyConfig(kLongRun), m_store.path(), QStringLiteral("ui-test")));
        ASSERT_TRUE(QTest::qWaitFor([&] { return rec.steps > 0; }, 60000));
        runId = rec.runId;
        clock.start();
    }  // what closing the window does
    EXPECT_LT(clock.elapsed(), 1000);
    RunStore store(m_store.path().toStdString());
    const auto run = store.run(runId);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(run->status, RunStatus::Stopped);
}

TEST_F(TrainingControllerTest, UnusableStoreEndsAsFailedWithTheReason) {
    TrainingController controller;
    Recorder rec(controller);
    const QString bad = m_store.dir() + QStringLiteral("/missing-folder/deeper/runs.sqlite");
    ASSERT_TRUE(controller.start(tinyConfig(), bad, QStringLiteral("ui-test")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 10000));
    EXPECT_EQ(rec.status, QStringLiteral("failed"));
    EXPECT_FALSE(rec.error.isEmpty());
    EXPECT_EQ(rec.runId, 0);
    EXPECT_FALSE(controller.isRunning());
}

TEST_F(TrainingControllerTest, ResumingAFinishedRunEndsWithTheReasonAndLeavesTheRunAsItWas) {
    TrainingController controller;
    Recorder rec(controller);
    ASSERT_TRUE(controller.start(tinyConfig(2), m_store.path(), QStringLiteral("ui-test")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 30000));
    const qint64 finished = rec.endedId;
    ASSERT_EQ(rec.status, QStringLiteral("finished"));

    rec.ended = false;
    ASSERT_TRUE(controller.resumeRun(finished, m_store.path()));
    EXPECT_FALSE(controller.resumeRun(finished, m_store.path())) << "one run at a time";
    ASSERT_TRUE(QTest::qWaitFor([&] { return rec.ended; }, 10000));
    EXPECT_EQ(rec.status, QStringLiteral("failed"));
    EXPECT_TRUE(rec.error.contains(QStringLiteral("is finished; only stopped, failed or interrupted runs resume")))
        << rec.error.toStdString();
    EXPECT_FALSE(controller.isRunning());
    RunStore store(m_store.path().toStdString());
    EXPECT_EQ(RunStatus::Finished, store.run(finished)->status) << "a refused resume changes nothing";
    EXPECT_EQ(2u, store.metricSeries(finished, "reward").size());
}

}  // namespace
}  // namespace sage::ui

// One main for the whole sage_ui_tests binary (linked with GTest::gtest, not gtest_main).
int main(int argc, char** argv) {
    // Test discovery runs this binary too, with no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Settings the views save (panels, smoothing) go to a test location, not the user's.
    QStandardPaths::setTestModeEnabled(true);
    ::testing::InitGoogleTest(&argc, argv);
    QApplication app(argc, argv);
    return RUN_ALL_TESTS();
}
