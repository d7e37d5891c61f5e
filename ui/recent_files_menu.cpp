#include "recent_files_menu.h"

#include <QFileInfo>

#include "app_settings.h"

namespace sage::ui {

RecentFilesMenu::RecentFilesMenu(QWidget* parent) : QMenu(tr("Open &Recent"), parent) {
    connect(this, &QMenu::aboutToShow, this, &RecentFilesMenu::rebuild);
    rebuild();
}

void RecentFilesMenu::rebuild() {
    clear();
    const QStringList files = AppSettings::recentFiles();
    int n = 0;
    for (const QString& path : files) {
        QAction* action = addAction(QStringLiteral("&%1 %2").arg(++n).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT fileChosen(path); });
    }
    if (files.isEmpty()) addAction(tr("(none yet)"))->setEnabled(false);
}

}  // namespace sage::ui
