#include "compare_summary.h"

#include <cmath>
#include <map>

#include "experiments_model.h"
#include "store/run_store.h"

namespace sage::ui {

namespace {

QString number(double v) { return std::isnan(v) ? QString() : QString::number(v, 'g', 6); }

QString percent(double v) {
    return std::isnan(v) ? QString() : QStringLiteral("%1%2%").arg(v >= 0 ? "+" : "").arg(v, 0, 'f', 1);
}

QString csvField(QString s) {
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n')))
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return s;
}

}  // namespace

CompareSummary CompareSummary::fromStore(RunStore& store, const QList<qint64>& runs,
                                         const QStringList& metrics, Mode mode, qint64 baseline) {
    CompareSummary summary;
    summary.m_runs = runs;
    summary.m_metrics = metrics;
    summary.m_baseline = baseline;
    for (qint64 run : runs) {
        std::vector<double> row(size_t(metrics.size()), std::nan(""));
        QString name = QStringLiteral("run %1").arg(run);
        try {
            if (const auto r = store.run(run)) name = QString::fromStdString(r->name);
            std::map<QString, LatestMetric> latest;
            for (const LatestMetric& m : store.latestMetrics(run))
                latest[QString::fromStdString(m.key)] = m;
            for (int i = 0; i < metrics.size(); ++i) {
                const QString& key = metrics[i];
                const bool lower = ExperimentsModel::lowerIsBetter(key);
                if (key.startsWith(QLatin1String("eval/"))) {
                    const auto series = store.evalSeries(run, key.toStdString());
                    if (series.empty()) continue;
                    double best = std::nan("");
                    for (const MetricPoint& p : series)
                        if (!std::isnan(p.value) &&
                            (std::isnan(best) || (lower ? p.value < best : p.value > best)))
                            best = p.value;
                    row[size_t(i)] = mode == Mode::Final ? series.back().value : best;
                } else if (const auto it = latest.find(key); it != latest.end()) {
                    row[size_t(i)] = mode == Mode::Final ? it->second.last
                                                         : (lower ? it->second.min : it->second.max);
                }
            }
        } catch (const std::exception&) {
        }
        summary.m_names.append(name);
        summary.m_values.push_back(std::move(row));
    }
    return summary;
}

double CompareSummary::value(int run, int metric) const {
    return m_values[size_t(run)][size_t(metric)];
}

double CompareSummary::changePercent(int run, int metric) const {
    const int base = int(m_runs.indexOf(m_baseline));
    if (base < 0 || base == run) return std::nan("");
    const double b = value(base, metric);
    const double v = value(run, metric);
    if (std::isnan(b) || std::isnan(v) || b == 0.0) return std::nan("");
    return 100.0 * (v - b) / std::abs(b);
}

QString CompareSummary::toCsv() const {
    QStringList header{QStringLiteral("run_id"), QStringLiteral("run")};
    for (const QString& m : m_metrics) {
        header.append(csvField(m));
        header.append(csvField(m + QStringLiteral(" change %")));
    }
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int r = 0; r < m_runs.size(); ++r) {
        QStringList row{QString::number(m_runs[r]), csvField(m_names[r])};
        for (int m = 0; m < m_metrics.size(); ++m) {
            row.append(number(value(r, m)));
            const double c = changePercent(r, m);
            row.append(std::isnan(c) ? QString() : QString::number(c, 'f', 3));
        }
        out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

QString CompareSummary::toMarkdown() const {
    QString out = QStringLiteral("| run |");
    for (const QString& m : m_metrics) out += QStringLiteral(" %1 | Δ |").arg(m);
    out += QStringLiteral("\n|---|");
    for (int m = 0; m < m_metrics.size(); ++m) out += QStringLiteral("---:|---:|");
    out += QLatin1Char('\n');
    for (int r = 0; r < m_runs.size(); ++r) {
        QString name = m_names[r];
        name.replace(QLatin1Char('|'), QStringLiteral("\\|"));
        out += QStringLiteral("| %1%2 |").arg(name, m_runs[r] == m_baseline ? QStringLiteral(" (baseline)") : QString());
        for (int m = 0; m < m_metrics.size(); ++m)
            out += QStringLiteral(" %1 | %2 |").arg(number(value(r, m)), percent(changePercent(r, m)));
        out += QLatin1Char('\n');
    }
    return out;
}

QString CompareSummary::toLatex() const {
    const auto escape = [](QString s) {
        s.replace(QLatin1Char('\\'), QStringLiteral("\\textbackslash{}"));
        for (const char* c : {"&", "%", "$", "#", "_", "{", "}"})
            s.replace(QLatin1String(c), QStringLiteral("\\") + QLatin1String(c));
        s.replace(QStringLiteral("\\textbackslash\\{\\}"), QStringLiteral("\\textbackslash{}"));
        return s;
    };
    QString columns = QStringLiteral("l");
    for (int m = 0; m < m_metrics.size(); ++m) columns += QStringLiteral("rr");
    QString out = QStringLiteral("\\begin{tabular}{%1}\n\\hline\nrun").arg(columns);
    for (const QString& m : m_metrics) out += QStringLiteral(" & %1 & $\\Delta$").arg(escape(m));
    out += QStringLiteral(" \\\\\n\\hline\n");
    for (int r = 0; r < m_runs.size(); ++r) {
        out += escape(m_names[r]);
        for (int m = 0; m < m_metrics.size(); ++m)
            out += QStringLiteral(" & %1 & %2").arg(number(value(r, m)), escape(percent(changePercent(r, m))));
        out += QStringLiteral(" \\\\\n");
    }
    out += QStringLiteral("\\hline\n\\end{tabular}\n");
    return out;
}

}  // namespace sage::ui
