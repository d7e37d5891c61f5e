#pragma once
#include <deque>
#include <memory>
#include <utility>

#include <QObject>
#include <QString>
#include <QTimer>

#include "config/run_config.h"
#include "metrics_buffer.h"
#include "training/trainer_control.h"

class QThread;

namespace sage::ui {

class TrainingWorker;

/// The GUI's handle on in-process training. Owns the worker thread, the TrainerControl atomics
/// and the MetricsBuffer; drains the buffer on the GUI thread at 30 Hz while a run is live and
/// turns what it drained into progress and metricsArrived signals.
class TrainingController : public QObject {
    Q_OBJECT
public:
    static constexpr int kDrainIntervalMs = 33;  // ~30 Hz: the ceiling on live GUI updates

    explicit TrainingController(QObject* parent = nullptr);
    /// Requests a stop, quits the thread and waits for it: the run ends `stopped`.
    ~TrainingController() override;

    /// Starts a run on the worker thread; false (and nothing happens) when one is running.
    bool start(const RunConfig& config, const QString& dbPath, const QString& experiment);
    /// Continues a stopped, failed or interrupted run of the store from its last checkpoint on the
    /// worker thread; false (and nothing happens) when a run is live. runEnded reports a run that
    /// cannot resume, with the reason.
    bool resumeRun(qint64 runId, const QString& dbPath);
    void pause();
    void resume();
    void stop();

    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }
    /// The live run's id; 0 before the run row exists or when idle.
    qint64 currentRunId() const { return m_runId; }

Q_SIGNALS:
    void runStarted(qint64 runId);
    void runningChanged(bool running);
    void pausedChanged(bool paused);
    /// `step` counts completed steps; rate and ETA are negative while unknown.
    void progress(qint64 step, qint64 total, double stepsPerSecond, double etaSeconds);
    /// One drain's worth of live records, on the GUI thread, at most ~30 times a second.
    void metricsArrived(qint64 runId, const sage::ui::MetricsBatch& batch);
    void runEnded(qint64 runId, const QString& status, const QString& error);

private Q_SLOTS:
    void drain();
    void onWorkerStarted(qint64 runId);
    void onWorkerFinished(qint64 runId, const QString& status, const QString& error);

private:
    /// Resets the live state for a run of `totalSteps` steps (0: not known yet) and starts draining.
    void beginRun(qint64 totalSteps);
    void updateRate(const MetricsBatch& batch);
    double stepsPerSecond() const;
    void setPaused(bool paused);

    TrainerControl m_control;
    MetricsBuffer m_buffer;
    std::unique_ptr<QThread> m_thread;
    TrainingWorker* m_worker = nullptr;  // lives on m_thread; deleted after it stops
    QTimer m_drainTimer;

    bool m_running = false;
    bool m_paused = false;
    qint64 m_runId = 0;
    qint64 m_total = 0;
    qint64 m_completed = 0;
    std::deque<std::pair<double, qint64>> m_rateWindow;  // (wall seconds, completed steps)
};

}  // namespace sage::ui
