#pragma once
#include <QList>
#include <QString>

namespace sage {
class RunStore;
}

namespace sage::ui {

/// Every metric of the given runs as one long-format CSV:
/// run_id,run,key,step,wall_time,value (evaluations included, wall_time empty where unknown).
/// Returns the number of data rows written, or -1 when the file cannot be written.
long long exportRunsMetricsCsv(RunStore& store, const QList<qint64>& runs, const QString& path);

}  // namespace sage::ui
