#include "screenshot_tour.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QPixmap>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTimer>

#include "compare_view.h"
#include "main_window.h"
#include "plot_group_view.h"
#include "run_list_view.h"
#include "slate_inspector_view.h"
#include "slate_filter_proxy.h"

namespace sage::ui {

namespace {
constexpr int kSettleMs = 900;  // long enough for the 30 Hz redraw timers and queued replots
}

ScreenshotTour::ScreenshotTour(MainWindow& window, const QString& dir, QObject* parent)
    : QObject(parent), m_window(window), m_dir(dir) {
    m_dir.mkpath(QStringLiteral("."));
}

void ScreenshotTour::start() {
    prepare();
    QTimer::singleShot(kSettleMs, this, &ScreenshotTour::shootNext);
}

void ScreenshotTour::prepare() {
    if (auto* compare = m_window.findChild<CompareView*>()) {
        compare->refreshRuns();
        // The two newest runs: the pair the guide compares; the newer one is the baseline.
        const QList<qint64> listed = compare->listedRuns();
        const QList<qint64> pair = listed.mid(0, 2);
        compare->setCheckedRuns(pair);
        if (!pair.isEmpty()) compare->setBaseline(pair.first());
        // The live groups show the older of the two (in the guide's store: the SAGE run).
        if (auto* runs = m_window.findChild<RunListView*>(); runs && !pair.isEmpty())
            runs->selectRun(pair.last());
    }
}

void ScreenshotTour::shootNext() {
    QTabWidget* tabs = m_window.viewTabs();
    if (m_next >= tabs->count()) {
        // Back as it was, so the layout saved on close is the user's.
        for (const char* name : {"configDock", "eventsDock"})
            if (auto* dock = m_window.findChild<QWidget*>(QString::fromLatin1(name))) dock->show();
        Q_EMIT finished();
        return;
    }
    const int index = m_next++;
    // After the overview (which shows the whole window), give the views the room.
    if (index == 1)
        for (const char* name : {"configDock", "eventsDock"})
            if (auto* dock = m_window.findChild<QWidget*>(QString::fromLatin1(name))) dock->hide();
    tabs->setCurrentIndex(index);
    QWidget* page = tabs->widget(index);
    if (auto* group = qobject_cast<PlotGroupView*>(page)) group->redrawAllNow();
    if (auto* inspector = qobject_cast<SlateInspectorView*>(page)) inspector->selectRow(0);
    if (auto* compare = qobject_cast<CompareView*>(page))
        for (PlotGroupView* g : compare->findChildren<PlotGroupView*>()) g->redrawAllNow();
    QTimer::singleShot(kSettleMs, this, [this, index, tabs] {
        QString name = tabs->tabText(index).toLower();
        name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
        m_window.grab().save(m_dir.filePath(QStringLiteral("%1-%2.png").arg(index + 1).arg(name)));
        // The compare view's own tabs get a shot each as well.
        if (auto* compare = qobject_cast<CompareView*>(tabs->widget(index))) {
            for (int sub = 1; sub < compare->tabs()->count(); ++sub) {
                compare->tabs()->setCurrentIndex(sub);
                QString subName = compare->tabs()->tabText(sub).toLower();
                subName.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
                QCoreApplication::processEvents();
                m_window.grab().save(m_dir.filePath(
                    QStringLiteral("%1-%2-%3.png").arg(index + 1).arg(name, subName)));
            }
            compare->tabs()->setCurrentIndex(0);
            // With more than the guide's pair in the store: every run, seeds grouped.
            const QList<qint64> pair = compare->checkedRuns();
            if (compare->listedRuns().size() > pair.size()) {
                compare->setCheckedRuns(compare->listedRuns());
                compare->groupSeedsBox()->setChecked(true);
                compare->plots()->redrawAllNow();
                QCoreApplication::processEvents();
                m_window.grab().save(m_dir.filePath(QStringLiteral("%1-%2-group-seeds.png").arg(index + 1).arg(name)));
                compare->groupSeedsBox()->setChecked(false);
                compare->setCheckedRuns(pair);
            }
        }
        shootNext();
    });
}

}  // namespace sage::ui
