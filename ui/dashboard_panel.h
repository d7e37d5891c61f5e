#pragma once
#include <QList>
#include <QTimer>
#include <QWidget>

#include "panel_spec.h"

class QCustomPlot;

namespace sage::ui {

class SeriesCache;

enum class XAxisMode { Step, WallTime };

/// What every panel of a plot group offers: the runs it shows, the group's smoothing and x axis,
/// exports, and a redraw that is coalesced to at most ~30 per second however often data arrives.
class DashboardPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRedrawIntervalMs = 33;

    DashboardPanel(SeriesCache& cache, PanelSpec spec, QWidget* parent = nullptr);

    const PanelSpec& spec() const { return m_spec; }
    const QList<qint64>& runs() const { return m_runs; }
    virtual QCustomPlot* plot() const = 0;

    void setRuns(const QList<qint64>& runs);
    /// The runs in groups: a group of several runs (the seeds of one configuration) is drawn as
    /// one curve, their mean inside a band from the lowest to the highest. runs() lists them all.
    const QList<QList<qint64>>& runGroups() const { return m_groups; }
    void setRunGroups(const QList<QList<qint64>>& groups);
    void setSmoothing(double weight);
    void setXAxisMode(XAxisMode mode);
    double smoothing() const { return m_smoothing; }
    XAxisMode xAxisMode() const { return m_xMode; }

    /// Asks for a redraw within kRedrawIntervalMs; repeated calls before it runs coalesce.
    void markDirty();
    bool isDirty() const { return m_dirty; }
    /// Rebuilds the drawn data from the cache and replots now (tests and the benchmark).
    void redrawNow();

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    virtual bool exportCsv(const QString& path) const = 0;

Q_SIGNALS:
    void removeRequested();
    void specChanged();

protected:
    /// Puts the cache's data into the plot's plottables (no replot).
    virtual void rebuild() = 0;
    SeriesCache& cache() const { return m_cache; }
    PanelSpec& mutableSpec() { return m_spec; }
    /// Offers PNG, PDF and CSV through file dialogs.
    void showExportMenu(QWidget* anchor);

private:
    void onRedrawTimer();

    SeriesCache& m_cache;
    PanelSpec m_spec;
    QList<qint64> m_runs;
    QList<QList<qint64>> m_groups;
    double m_smoothing = 0.0;
    XAxisMode m_xMode = XAxisMode::Step;
    bool m_dirty = false;
    QTimer m_redrawTimer;
};

}  // namespace sage::ui
