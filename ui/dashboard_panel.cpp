#include "dashboard_panel.h"

#include <QFileDialog>
#include <QMenu>

#include "qcustomplot_no_keywords.h"
#include "seed_groups.h"

namespace sage::ui {

DashboardPanel::DashboardPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent)
    : QWidget(parent), m_cache(cache), m_spec(std::move(spec)) {
    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawIntervalMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &DashboardPanel::onRedrawTimer);
}

void DashboardPanel::setRuns(const QList<qint64>& runs) {
    setRunGroups(SeedGroups::eachAlone(runs));
}

void DashboardPanel::setRunGroups(const QList<QList<qint64>>& groups) {
    if (groups == m_groups) return;
    m_groups = groups;
    m_runs.clear();
    for (const QList<qint64>& group : groups) m_runs += group;
    markDirty();
}

void DashboardPanel::setSmoothing(double weight) {
    if (weight == m_smoothing) return;
    m_smoothing = weight;
    markDirty();
}

void DashboardPanel::setXAxisMode(XAxisMode mode) {
    if (mode == m_xMode) return;
    m_xMode = mode;
    markDirty();
}

void DashboardPanel::markDirty() {
    m_dirty = true;
    if (!m_redrawTimer.isActive()) m_redrawTimer.start();
}

void DashboardPanel::onRedrawTimer() {
    // Hidden tabs wait: they redraw when shown (showEvent is not needed, the timer re-arms).
    if (!isVisible()) {
        m_redrawTimer.start(250);
        return;
    }
    redrawNow();
}

void DashboardPanel::redrawNow() {
    m_redrawTimer.stop();
    m_dirty = false;
    rebuild();
    plot()->replot(QCustomPlot::rpImmediateRefresh);
}

bool DashboardPanel::exportPng(const QString& path) {
    if (m_dirty) redrawNow();
    return plot()->savePng(path, 0, 0, 1.0);
}

bool DashboardPanel::exportPdf(const QString& path) {
    if (m_dirty) redrawNow();
    return plot()->savePdf(path);
}

void DashboardPanel::showExportMenu(QWidget* anchor) {
    QMenu menu(this);
    const QString base = m_spec.title.section(QLatin1Char(' '), 0, 1).toLower().replace(
        QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
    const auto ask = [&](const QString& filter, const QString& suffix) {
        return QFileDialog::getSaveFileName(this, tr("Export panel"), base + suffix, filter);
    };
    menu.addAction(tr("PNG image…"), this, [&] {
        if (const QString p = ask(tr("PNG image (*.png)"), QStringLiteral(".png")); !p.isEmpty())
            exportPng(p);
    });
    menu.addAction(tr("PDF document…"), this, [&] {
        if (const QString p = ask(tr("PDF (*.pdf)"), QStringLiteral(".pdf")); !p.isEmpty())
            exportPdf(p);
    });
    menu.addAction(tr("CSV data…"), this, [&] {
        if (const QString p = ask(tr("CSV (*.csv)"), QStringLiteral(".csv")); !p.isEmpty())
            exportCsv(p);
    });
    menu.exec(anchor->mapToGlobal(QPoint(0, anchor->height())));
}

}  // namespace sage::ui
