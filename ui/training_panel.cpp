#include "training_panel.h"

#include <algorithm>
#include <cmath>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace sage::ui {

namespace {

QString formatDuration(double seconds) {
    const qint64 total = qint64(std::llround(seconds));
    const qint64 h = total / 3600;
    const qint64 m = (total % 3600) / 60;
    const qint64 s = total % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent)
    : QWidget(parent),
      m_experiment(new QLineEdit(QStringLiteral("default"), this)),
      m_start(new QPushButton(tr("Start"), this)),
      m_pause(new QPushButton(tr("Pause"), this)),
      m_stop(new QPushButton(tr("Stop"), this)),
      m_bar(new QProgressBar(this)),
      m_progress(new QLabel(this)),
      m_outcome(new QLabel(this)) {
    setObjectName(QStringLiteral("trainingPanel"));
    m_experiment->setObjectName(QStringLiteral("experimentEdit"));
    m_experiment->setToolTip(tr("Runs are grouped by experiment in the store"));
    m_start->setObjectName(QStringLiteral("startButton"));
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_bar->setObjectName(QStringLiteral("progressBar"));
    m_progress->setObjectName(QStringLiteral("progressLabel"));
    m_outcome->setObjectName(QStringLiteral("outcomeLabel"));
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_start->setDefault(true);
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setTextVisible(true);
    m_outcome->setWordWrap(true);
    m_outcome->hide();

    auto* experimentRow = new QHBoxLayout;
    experimentRow->addWidget(new QLabel(tr("Experiment:"), this));
    experimentRow->addWidget(m_experiment, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(experimentRow);
    layout->addLayout(buttons);
    layout->addWidget(m_bar);
    layout->addWidget(m_progress);
    layout->addWidget(m_outcome);

    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_paused)
            Q_EMIT resumeRequested();
        else
            Q_EMIT pauseRequested();
    });
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stopRequested);
    m_progress->setText(tr("Not training."));
    updateButtons();
}

QString TrainingPanel::experiment() const {
    const QString name = m_experiment->text().trimmed();
    return name.isEmpty() ? QStringLiteral("default") : name;
}

QString TrainingPanel::progressText() const { return m_progress->text(); }

void TrainingPanel::setStartEnabled(bool enabled) {
    m_startEnabled = enabled;
    m_start->setToolTip(enabled ? tr("Train this configuration")
                                : tr("Fix the fields marked in red first"));
    updateButtons();
}

void TrainingPanel::setRunning(bool running) {
    m_running = running;
    if (running) {
        m_paused = false;
        m_outcome->hide();
    }
    updateButtons();
}

void TrainingPanel::setPaused(bool paused) {
    m_paused = paused;
    updateButtons();
}

void TrainingPanel::updateButtons() {
    m_start->setEnabled(!m_running && m_startEnabled);
    m_pause->setEnabled(m_running);
    m_stop->setEnabled(m_running);
    m_experiment->setEnabled(!m_running);
    m_pause->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(
        style()->standardIcon(m_paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void TrainingPanel::setProgress(qint64 step, qint64 total, double stepsPerSecond,
                                double etaSeconds) {
    // QProgressBar counts in int; a range of steps fits (the schema caps steps at 1e7).
    m_bar->setRange(0, int(std::max<qint64>(total, 1)));
    m_bar->setValue(int(std::min(step, std::max<qint64>(total, 1))));
    const QString rate =
        stepsPerSecond > 0.0
            ? tr("%1 steps/s").arg(stepsPerSecond, 0, 'f', stepsPerSecond < 10.0 ? 2 : 1)
            : tr("– steps/s");
    const QString eta = etaSeconds >= 0.0 ? formatDuration(etaSeconds) : QStringLiteral("–");
    m_progress->setText(tr("step %1 / %2 · %3 · ETA %4").arg(step).arg(total).arg(rate, eta));
}

void TrainingPanel::showRunEnded(qint64 runId, const QString& status, const QString& error) {
    QString text = tr("Run %1 %2.").arg(runId).arg(status);
    if (!error.isEmpty()) text += QLatin1Char(' ') + error;
    m_outcome->setText(text);
    m_outcome->setStyleSheet(status == QLatin1String("failed") ? QStringLiteral("color: #c03030;")
                                                               : QString());
    m_outcome->show();
}

}  // namespace sage::ui
