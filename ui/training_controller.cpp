#include "training_controller.h"

#include <QThread>

#include <algorithm>

#include "training_worker.h"

namespace sage::ui {

namespace {
// Steps/s is measured over the last few seconds so that it follows slow-downs (eval, pause).
constexpr double kRateWindowSeconds = 5.0;
}  // namespace

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), m_thread(std::make_unique<QThread>()) {
    qRegisterMetaType<sage::ui::MetricsBatch>();
    m_thread->setObjectName(QStringLiteral("sage-training"));
    m_worker = new TrainingWorker(m_control, &m_buffer);
    m_worker->moveToThread(m_thread.get());
    // Worker → controller crosses threads, so these are queued; never BlockingQueued.
    connect(m_worker, &TrainingWorker::runStarted, this, &TrainingController::onWorkerStarted,
            Qt::QueuedConnection);
    connect(m_worker, &TrainingWorker::finished, this, &TrainingController::onWorkerFinished,
            Qt::QueuedConnection);
    m_thread->start();

    m_drainTimer.setInterval(kDrainIntervalMs);
    m_drainTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_drainTimer, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController() {
    // The job checks the atomic between steps and inside rollouts, returns, and records
    // `stopped`; only then can the thread's event loop see quit().
    m_control.stopRequested = true;
    m_thread->quit();
    m_thread->wait();
    delete m_worker;
}

bool TrainingController::start(const RunConfig& config, const QString& dbPath,
                               const QString& experiment) {
    if (m_running) return false;
    beginRun(config.training.steps);
    TrainingWorker* worker = m_worker;
    // The config is copied into the functor: the worker thread gets its own copy.
    RunConfig job = config;
    job.training.threads = TrainingWorker::threadsBesideTheGui(job.training.threads);
    QMetaObject::invokeMethod(
        worker,
        [worker, job, dbPath, experiment] { worker->runJob(job, dbPath, experiment); },
        Qt::QueuedConnection);
    Q_EMIT runningChanged(true);
    Q_EMIT progress(0, m_total, -1.0, -1.0);
    return true;
}

bool TrainingController::resumeRun(qint64 runId, const QString& dbPath) {
    if (m_running) return false;
    beginRun(0);  // the trainer announces the step count (onRunStarted) and the first step
    TrainingWorker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, runId, dbPath] { worker->resumeJob(runId, dbPath); }, Qt::QueuedConnection);
    Q_EMIT runningChanged(true);
    return true;
}

void TrainingController::beginRun(qint64 totalSteps) {
    m_control.stopRequested = false;
    m_control.pauseRequested = false;
    m_buffer.clear();
    m_rateWindow.clear();
    m_runId = 0;
    m_completed = 0;
    m_total = totalSteps;
    m_running = true;
    m_paused = false;
    m_drainTimer.start();
}

void TrainingController::pause() {
    if (!m_running || m_paused) return;
    m_control.pauseRequested = true;
    setPaused(true);
}

void TrainingController::resume() {
    if (!m_running || !m_paused) return;
    // The pause would otherwise count as slow steps for the next few seconds.
    m_rateWindow.clear();
    m_control.pauseRequested = false;
    setPaused(false);
}

void TrainingController::stop() {
    if (!m_running) return;
    // The trainer honours stop while paused too, so the pause flag can stay as it is.
    m_control.stopRequested = true;
}

void TrainingController::setPaused(bool paused) {
    if (m_paused == paused) return;
    m_paused = paused;
    Q_EMIT pausedChanged(paused);
}

void TrainingController::drain() {
    if (!m_buffer.hasPending()) return;
    MetricsBatch batch = m_buffer.drain();
    if (batch.empty()) return;
    if (m_buffer.totalSteps() > 0) m_total = m_buffer.totalSteps();
    if (!batch.steps.empty()) {
        updateRate(batch);
        const double rate = stepsPerSecond();
        const double eta = rate > 0.0 ? double(m_total - m_completed) / rate : -1.0;
        Q_EMIT progress(m_completed, m_total, rate, eta);
    }
    Q_EMIT metricsArrived(m_runId, batch);
}

void TrainingController::updateRate(const MetricsBatch& batch) {
    for (const StepScalars& s : batch.steps) {
        // The trainer numbers steps from 1: step i means i steps completed.
        m_completed = s.step;
        m_rateWindow.emplace_back(s.wallTime, m_completed);
    }
    while (m_rateWindow.size() > 2 &&
           m_rateWindow.back().first - m_rateWindow.front().first > kRateWindowSeconds)
        m_rateWindow.pop_front();
}

double TrainingController::stepsPerSecond() const {
    if (m_rateWindow.size() < 2) return -1.0;
    const auto& [t0, s0] = m_rateWindow.front();
    const auto& [t1, s1] = m_rateWindow.back();
    return t1 > t0 ? double(s1 - s0) / (t1 - t0) : -1.0;
}

void TrainingController::onWorkerStarted(qint64 runId) {
    m_runId = runId;
    Q_EMIT runStarted(runId);
}

void TrainingController::onWorkerFinished(qint64 runId, const QString& status,
                                          const QString& error) {
    // The trainer has flushed and returned: whatever is buffered is the run's tail.
    drain();
    m_drainTimer.stop();
    m_running = false;
    setPaused(false);
    m_control.pauseRequested = false;
    const qint64 id = runId != 0 ? runId : m_runId;
    m_runId = 0;
    Q_EMIT runEnded(id, status, error);
    Q_EMIT runningChanged(false);
}

}  // namespace sage::ui
