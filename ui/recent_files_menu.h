#pragma once
#include <QMenu>

namespace sage::ui {

/// "Open Recent": the stores opened lately (AppSettings), rebuilt each time it opens.
class RecentFilesMenu : public QMenu {
    Q_OBJECT
public:
    explicit RecentFilesMenu(QWidget* parent = nullptr);

Q_SIGNALS:
    void fileChosen(const QString& path);

private:
    void rebuild();
};

}  // namespace sage::ui
