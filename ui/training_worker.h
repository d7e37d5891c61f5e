#pragma once
#include <QObject>
#include <QString>

#include "config/run_config.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {
class TrainingJob;
}  // namespace sage

namespace sage::ui {

/// Lives on the training QThread and runs one TrainingJob at a time. The job blocks that thread
/// until it ends, so pause and stop reach it only through the TrainerControl atomics; a queued
/// slot would wait behind the whole run.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    /// `control` and `sink` belong to the controller and outlive the thread.
    TrainingWorker(TrainerControl& control, TrainingSink* sink);

    /// training.threads for a run in the dashboard: "every core" (0) leaves one to the GUI thread.
    static int threadsBesideTheGui(int configured);

public Q_SLOTS:
    /// Trains to the end (finished, stopped or failed). Emits runStarted once the run row exists
    /// and finished always, with the status text the store recorded.
    void runJob(const sage::RunConfig& config, const QString& dbPath, const QString& experiment);
    /// Continues a stopped, failed or interrupted run from its last checkpoint, like runJob.
    void resumeJob(qint64 runId, const QString& dbPath);

Q_SIGNALS:
    void runStarted(qint64 runId);
    void finished(qint64 runId, const QString& status, const QString& error);

private:
    /// Runs `job` to its end and reports it; `runId` is known before the job starts or 0.
    void report(TrainingJob& job, qint64 runId);

    TrainerControl& m_control;
    TrainingSink* m_sink;
};

}  // namespace sage::ui
