#pragma once
#include <QObject>
#include <QString>

#include "config/run_config.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage::ui {

/// Lives on the training QThread and runs one TrainingJob at a time. The job blocks that thread
/// until it ends, so pause and stop reach it only through the TrainerControl atomics; a queued
/// slot would wait behind the whole run.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    /// `control` and `sink` belong to the controller and outlive the thread.
    TrainingWorker(TrainerControl& control, TrainingSink* sink);

public Q_SLOTS:
    /// Trains to the end (finished, stopped or failed). Emits runStarted once the run row exists
    /// and finished always, with the status text the store recorded.
    void runJob(const sage::RunConfig& config, const QString& dbPath, const QString& experiment);

Q_SIGNALS:
    void runStarted(qint64 runId);
    void finished(qint64 runId, const QString& status, const QString& error);

private:
    TrainerControl& m_control;
    TrainingSink* m_sink;
};

}  // namespace sage::ui
