#include "app_settings.h"

#include <QSettings>

namespace sage::ui {

namespace {

QSettings settings() {
    return QSettings(QStringLiteral("SAGE"), QStringLiteral("sage-dashboard"));
}

}  // namespace

QString AppSettings::lastDatabase() {
    return settings().value(QStringLiteral("store/last")).toString();
}

QStringList AppSettings::recentFiles() {
    return settings().value(QStringLiteral("store/recent")).toStringList();
}

void AppSettings::noteDatabaseOpened(const QString& path) {
    QSettings s = settings();
    QStringList recent = s.value(QStringLiteral("store/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentFiles) recent.removeLast();
    s.setValue(QStringLiteral("store/recent"), recent);
    s.setValue(QStringLiteral("store/last"), path);
}

QByteArray AppSettings::windowGeometry() {
    return settings().value(QStringLiteral("window/geometry")).toByteArray();
}

QByteArray AppSettings::windowState() {
    return settings().value(QStringLiteral("window/state")).toByteArray();
}

void AppSettings::setWindowLayout(const QByteArray& geometry, const QByteArray& state) {
    QSettings s = settings();
    s.setValue(QStringLiteral("window/geometry"), geometry);
    s.setValue(QStringLiteral("window/state"), state);
}

double AppSettings::smoothing(const QString& group) {
    return settings().value(QStringLiteral("plots/%1/smoothing").arg(group), 0.6).toDouble();
}

void AppSettings::setSmoothing(const QString& group, double weight) {
    settings().setValue(QStringLiteral("plots/%1/smoothing").arg(group), weight);
}

bool AppSettings::xAxisIsWallTime(const QString& group) {
    return settings().value(QStringLiteral("plots/%1/wallTime").arg(group), false).toBool();
}

void AppSettings::setXAxisIsWallTime(const QString& group, bool wallTime) {
    settings().setValue(QStringLiteral("plots/%1/wallTime").arg(group), wallTime);
}

QList<QStringList> AppSettings::userPanels(const QString& group) {
    QSettings s = settings();
    QList<QStringList> panels;
    const int n = s.beginReadArray(QStringLiteral("plots/%1/panels").arg(group));
    for (int i = 0; i < n; ++i) {
        s.setArrayIndex(i);
        panels.append(s.value(QStringLiteral("keys")).toStringList());
    }
    s.endArray();
    return panels;
}

void AppSettings::setUserPanels(const QString& group, const QList<QStringList>& panels) {
    QSettings s = settings();
    s.remove(QStringLiteral("plots/%1/panels").arg(group));
    s.beginWriteArray(QStringLiteral("plots/%1/panels").arg(group), int(panels.size()));
    for (int i = 0; i < panels.size(); ++i) {
        s.setArrayIndex(i);
        s.setValue(QStringLiteral("keys"), panels[i]);
    }
    s.endArray();
}

}  // namespace sage::ui
