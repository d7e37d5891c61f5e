#pragma once
#include <QDir>
#include <QObject>

namespace sage::ui {

class MainWindow;

/// For the user guide: shows each view of the main window with the store's data (the newest
/// run selected, every run ticked in Compare, the first slate selected), saves a PNG of the
/// window per view into a folder, then emits finished(). Driven by sage-dashboard's hidden
/// --screenshot-dir option under xvfb-run.
class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(MainWindow& window, const QString& dir, QObject* parent = nullptr);
    void start();

Q_SIGNALS:
    void finished();

private:
    void prepare();
    void shootNext();

    MainWindow& m_window;
    QDir m_dir;
    int m_next = 0;
};

}  // namespace sage::ui
