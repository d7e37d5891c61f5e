#pragma once
#include <QList>
#include <QString>
#include <QStringList>

namespace sage::ui {

/// One curve of a panel. `key` may hold one `*` (e.g. "rewards/*/mean"): it stands for every
/// matching key the run has, and the band keys substitute the same text for their `*`.
struct PanelCurve {
    QString key;
    QString lowKey;   // with highKey: a filled band, e.g. ratio/seq_p01 .. ratio/seq_p99
    QString highKey;
    QString stdKey;   // a ±std band around the curve, e.g. rewards/*/std
};

/// What a panel draws. A histogramKey makes it a heat map of that histogram over steps.
struct PanelSpec {
    QString title;
    QList<PanelCurve> curves;
    QString histogramKey;
    bool logY = false;
    bool userAdded = false;  // saved in the settings, and removable

    QStringList keys() const {
        QStringList out;
        for (const PanelCurve& c : curves) out.append(c.key);
        return out;
    }
    static PanelSpec ofKeys(const QString& title, const QStringList& keys) {
        PanelSpec spec;
        spec.title = title;
        for (const QString& k : keys) spec.curves.append({k, {}, {}, {}});
        return spec;
    }
};

/// A tab of panels: the four groups of the live view, or the compare view's own panels.
struct PanelGroupSpec {
    QString id;  // settings key
    QString title;
    QList<PanelSpec> panels;
};

/// A ranking metric's keys as training logs them: "val/<metric>" on the evaluation schedule, then
/// "eval/<metric>", once, from the test users at the end; for each of `metrics` in turn.
QStringList evaluatedKeys(const QStringList& metrics);

/// The four live-plot groups of the dashboard (metrics.md names every key).
QList<PanelGroupSpec> defaultPanelGroups();

}  // namespace sage::ui
