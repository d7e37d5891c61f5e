#include "training_worker.h"

#include <QThread>

#include <algorithm>
#include <exception>

#include "store/run_status.h"
#include "training/training_job.h"

namespace sage::ui {

TrainingWorker::TrainingWorker(TrainerControl& control, TrainingSink* sink)
    : m_control(control), m_sink(sink) {}

int TrainingWorker::threadsBesideTheGui(int configured) {
    // LibTorch's OpenMP workers spin and would otherwise starve the event loop on a small machine.
    return configured > 0 ? configured : std::max(1, QThread::idealThreadCount() - 1);
}

void TrainingWorker::runJob(const sage::RunConfig& config, const QString& dbPath,
                            const QString& experiment) {
    TrainingJob job(config, dbPath.toStdString(), experiment.toStdString(), m_control, m_sink);
    report(job, 0);
}

void TrainingWorker::resumeJob(qint64 runId, const QString& dbPath) {
    try {
        const std::string path = dbPath.toStdString();
        RunConfig config = TrainingJob::storedConfig(path, runId);
        config.training.threads = threadsBesideTheGui(config.training.threads);
        TrainingJob job(config, path, {}, m_control, m_sink);
        job.resumeRun(runId);
        report(job, runId);
    } catch (const std::exception& e) {
        // The run could not be resumed (finished meanwhile, resumed by another process): it is
        // left as it was, so this reports the reason only.
        Q_EMIT finished(0, QString::fromStdString(toString(RunStatus::Failed)), QString::fromUtf8(e.what()));
    }
}

void TrainingWorker::report(TrainingJob& job, qint64 runId) {
    try {
        runId = job.prepare();
        Q_EMIT runStarted(runId);
        const JobResult result = job.run();
        Q_EMIT finished(result.runId, QString::fromStdString(toString(result.status)),
                        QString::fromStdString(result.error));
    } catch (const std::exception& e) {
        // prepare() throws when the store or the configuration is unusable, run() when a resume
        // finds the run taken; the job records training failures itself, so this only reports
        // what never trained.
        Q_EMIT finished(runId, QString::fromStdString(toString(RunStatus::Failed)),
                        QString::fromUtf8(e.what()));
    }
}

}  // namespace sage::ui
