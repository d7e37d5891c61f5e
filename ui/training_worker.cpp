#include "training_worker.h"

#include <exception>

#include "store/run_status.h"
#include "training/training_job.h"

namespace sage::ui {

TrainingWorker::TrainingWorker(TrainerControl& control, TrainingSink* sink)
    : m_control(control), m_sink(sink) {}

void TrainingWorker::runJob(const sage::RunConfig& config, const QString& dbPath,
                            const QString& experiment) {
    qint64 runId = 0;
    try {
        TrainingJob job(config, dbPath.toStdString(), experiment.toStdString(), m_control, m_sink);
        runId = job.prepare();
        Q_EMIT runStarted(runId);
        const JobResult result = job.run();
        Q_EMIT finished(result.runId, QString::fromStdString(toString(result.status)),
                        QString::fromStdString(result.error));
    } catch (const std::exception& e) {
        // prepare() throws when the store or the configuration is unusable; the job records
        // training failures itself, so this only reports what never became a run.
        Q_EMIT finished(runId, QString::fromStdString(toString(RunStatus::Failed)),
                        QString::fromUtf8(e.what()));
    }
}

}  // namespace sage::ui
