#pragma once
#include <QColor>
#include <QHash>

namespace sage::ui {

/// One colour per run, the same in every panel and view of the session: a run keeps the colour it
/// was first given. GUI thread only.
class RunPalette {
public:
    static RunPalette& shared();
    QColor color(qint64 runId);

private:
    QHash<qint64, QColor> m_colors;
};

}  // namespace sage::ui
