#include "metrics_csv_export.h"

#include <cmath>

#include <QFile>
#include <QTextStream>

#include "store/run_store.h"

namespace sage::ui {

long long exportRunsMetricsCsv(RunStore& store, const QList<qint64>& runs, const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return -1;
    QTextStream out(&file);
    out << "run_id,run,key,step,wall_time,value\n";
    const auto field = [](QString s) {
        if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')))
            return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        return s;
    };
    const auto num = [](double v) { return std::isnan(v) ? QString() : QString::number(v, 'g', 17); };
    long long rows = 0;
    for (qint64 run : runs) {
        const auto summary = store.run(run);
        if (!summary) continue;
        const QString name = field(QString::fromStdString(summary->name));
        const auto write = [&](const std::string& key, const std::vector<MetricPoint>& points) {
            const QString k = field(QString::fromStdString(key));
            for (const MetricPoint& p : points) {
                out << run << ',' << name << ',' << k << ',' << p.step << ',' << num(p.wallTime)
                    << ',' << num(p.value) << '\n';
                ++rows;
            }
        };
        for (const std::string& key : store.metricKeys(run)) write(key, store.metricSeries(run, key));
        for (const std::string& key : store.evalKeys(run)) write(key, store.evalSeries(run, key));
    }
    return rows;
}

}  // namespace sage::ui
