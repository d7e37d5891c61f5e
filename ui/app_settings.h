#pragma once
#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace sage::ui {

/// The dashboard's persistent preferences, typed, over QSettings (organisation "SAGE",
/// application "sage-dashboard"): the last store, recent stores, the window layout, the plot
/// controls and the panels a user added. Read and written on the GUI thread.
class AppSettings {
public:
    static constexpr int kMaxRecentFiles = 8;

    static QString lastDatabase();
    static QStringList recentFiles();
    /// Puts `path` first in the recent list and remembers it as the last store.
    static void noteDatabaseOpened(const QString& path);

    static QByteArray windowGeometry();
    static QByteArray windowState();
    static void setWindowLayout(const QByteArray& geometry, const QByteArray& state);

    static double smoothing(const QString& group);
    static void setSmoothing(const QString& group, double weight);
    static bool xAxisIsWallTime(const QString& group);
    static void setXAxisIsWallTime(const QString& group, bool wallTime);
    /// Each user-added panel of a group as its list of metric keys.
    static QList<QStringList> userPanels(const QString& group);
    static void setUserPanels(const QString& group, const QList<QStringList>& panels);
};

}  // namespace sage::ui
