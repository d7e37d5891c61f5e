#pragma once
#include <QString>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace sage::ui {

/// Start, Pause/Resume and Stop, the experiment name, and the progress of the in-process run:
/// a bar and "step i / N · x steps/s · ETA mm:ss". It only asks and shows; the controller acts.
class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    QString experiment() const;
    QString progressText() const;

public Q_SLOTS:
    /// Whether a run could start now (the configuration is valid).
    void setStartEnabled(bool enabled);
    void setRunning(bool running);
    void setPaused(bool paused);
    void setProgress(qint64 step, qint64 total, double stepsPerSecond, double etaSeconds);
    /// The outcome of the last run, shown until the next one starts.
    void showRunEnded(qint64 runId, const QString& status, const QString& error);

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();

private:
    void updateButtons();

    QLineEdit* m_experiment;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QProgressBar* m_bar;
    QLabel* m_progress;
    QLabel* m_outcome;
    bool m_startEnabled = true;
    bool m_running = false;
    bool m_paused = false;
};

}  // namespace sage::ui
