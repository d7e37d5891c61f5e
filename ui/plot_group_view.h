#pragma once
#include <QList>
#include <QTimer>
#include <QWidget>

#include "panel_spec.h"

class QComboBox;
class QGridLayout;
class QLabel;
class QSlider;

namespace sage::ui {

class DashboardPanel;
class SeriesCache;

/// One tab of panels (a PanelGroupSpec) with the controls they share: smoothing (0–0.999),
/// x axis by step or wall time, and "Add panel". Panels the user adds are kept in the settings.
class PlotGroupView : public QWidget {
    Q_OBJECT
public:
    PlotGroupView(SeriesCache& cache, PanelGroupSpec group, QWidget* parent = nullptr);
    /// Saves a smoothing change still waiting for the slider to rest.
    ~PlotGroupView() override;

    const QString& groupId() const { return m_group.id; }
    const QString& title() const { return m_group.title; }
    QList<DashboardPanel*> panels() const { return m_panels; }
    double smoothing() const;
    const QList<qint64>& runs() const { return m_runs; }

public Q_SLOTS:
    void setRuns(const QList<qint64>& runs);
    /// Groups of several runs are drawn as one curve each (see DashboardPanel::setRunGroups).
    void setRunGroups(const QList<QList<qint64>>& groups);
    void showRun(qint64 runId);
    void setSmoothing(double weight);
    void setWallTimeAxis(bool wallTime);
    /// Adds a panel of these metrics (a user panel: removable and saved).
    DashboardPanel* addPanel(const QStringList& keys);
    /// Asks for the metrics in a dialog, then adds the panel.
    void chooseAndAddPanel();
    void redrawAllNow();

private:
    DashboardPanel* insertPanel(const PanelSpec& spec);
    void removePanel(DashboardPanel* panel);
    void saveUserPanels() const;
    void layoutPanels();

    SeriesCache& m_cache;
    PanelGroupSpec m_group;
    QSlider* m_smoothing;
    QLabel* m_smoothingValue;
    QComboBox* m_xAxis;
    QGridLayout* m_grid;
    QList<DashboardPanel*> m_panels;
    QList<qint64> m_runs;
    QList<QList<qint64>> m_groups;
    QTimer m_saveSmoothing;
};

}  // namespace sage::ui
